// The RabbitMQ transport sends the frames one turn wrote in one socket write: a burst of publishes over 2,048 bytes
// (two frame groups each in amqplib) reaches the transport's socket in fewer writes than publishes, and every message
// arrives whole and in order.
//
// Writes are counted where the socket hands them to the operating system (net.Socket's _write and _writev, one per
// write or writev request), and only on the transport's own connection: a count of the whole process's write system
// calls also held whatever else the test process wrote meanwhile, and moved with the machine's load.
import { Socket } from 'node:net';
import { createEnvelope, parseEnvelope } from '../../../src/core/envelope';
import { connectionSocket } from '../../../src/transport/amqp/amqp-transport';
import type { RouteTopology } from '../../../src/transport/transport';
import { withAmqpTransport } from '../../../testkit/amqp-transport-world';
import { AMQP_URL, waitFor } from '../../../testkit/env';

const ROUTE: RouteTopology = { name: 'burst', prefetch: 5, retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 } };
const PUBLISHES = 60;

const AMQP_PORT = Number(new URL(AMQP_URL).port || 5672);

/**
 * Runs `body` counting the writes handed to the operating system by sockets to the broker other than `exclude`, and
 * returns that count.
 */
async function countBrokerSocketWrites(exclude: unknown, body: () => Promise<void>): Promise<number> {
  const { _write: write, _writev: writev } = Socket.prototype;
  let writes = 0;
  const counted = (socket: Socket): void => {
    if (socket !== exclude && socket.remotePort === AMQP_PORT) writes += 1;
  };
  Socket.prototype._write = function countedWrite(this: Socket, ...args: Parameters<Socket['_write']>) {
    counted(this);
    return write.apply(this, args);
  };
  Socket.prototype._writev = function countedWritev(this: Socket, ...args: Parameters<NonNullable<Socket['_writev']>>) {
    counted(this);
    return writev?.apply(this, args);
  };
  try {
    await body();
  } finally {
    Socket.prototype._write = write;
    Socket.prototype._writev = writev;
  }
  return writes;
}

test('a burst of large publishes leaves in fewer socket writes than publishes, every message whole and in order', async () => {
  await withAmqpTransport('turnw', [ROUTE], { deliveryLimit: 20 }, async ({ transport, raw, names }) => {
    const envelopes = Array.from({ length: PUBLISHES }, (_, n) =>
      createEnvelope({ type: 'test.burst', source: 'turn-writes-test', payload: { n, text: `Hồ sơ ${n} `.repeat(300) } }),
    );
    const writes = await countBrokerSocketWrites(connectionSocket(raw), async () => {
      await Promise.all(envelopes.map((envelope) => transport.publish(ROUTE.name, envelope)));
    });
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
