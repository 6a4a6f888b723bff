// The RabbitMQ transport sends the frames one turn wrote in one socket write: a burst of publishes over 2,048 bytes
// (two frame groups each in amqplib) costs the process fewer write system calls than publishes, and every message
// arrives whole and in order.
import { readFileSync } from 'node:fs';
import { createEnvelope, parseEnvelope } from '../../../src/core/envelope';
import type { RouteTopology } from '../../../src/transport/transport';
import { withAmqpTransport } from '../../../testkit/amqp-transport-world';
import { waitFor } from '../../../testkit/env';

const ROUTE: RouteTopology = { name: 'burst', prefetch: 5, retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 } };
const PUBLISHES = 60;

/** Write system calls this process has made so far (all threads), from /proc/self/io. */
function writeSyscalls(): number {
  const line = readFileSync('/proc/self/io', 'utf8').split('\n').find((l) => l.startsWith('syscw:'));
  if (!line) throw new Error('/proc/self/io has no syscw line');
  return Number(line.slice('syscw:'.length));
}

test('a burst of large publishes leaves in fewer socket writes than publishes, every message whole and in order', async () => {
  await withAmqpTransport('turnw', [ROUTE], { deliveryLimit: 20 }, async ({ transport, raw, names }) => {
    const envelopes = Array.from({ length: PUBLISHES }, (_, n) =>
      createEnvelope({ type: 'test.burst', source: 'turn-writes-test', payload: { n, text: `Hồ sơ ${n} `.repeat(300) } }),
    );
    const before = writeSyscalls();
    await Promise.all(envelopes.map((envelope) => transport.publish(ROUTE.name, envelope)));
    const writes = writeSyscalls() - before;
    // Without batching: at least two writes per publish (method + header, then body), 120 here.
    expect(writes).toBeLessThan(PUBLISHES / 2);

    const channel = await raw.createChannel();
    const received: number[] = [];
    while (received.length < PUBLISHES) {
      const message = await waitFor(async () => (await channel.get(names.routeQueue(ROUTE.name), { noAck: true })) || null, 10_000, `message ${received.length}`);
      const envelope = parseEnvelope(message.content);
      expect(envelope).toEqual(envelopes[received.length]);
      received.push(received.length);
    }
    await channel.close();
  });
});
