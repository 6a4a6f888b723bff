// A consumer crash loop on RabbitMQ: the broker dead-letters the message at the queue's delivery limit, the bus's
// dead-letter keeper stores it and tells the observer (as the embedded transport does), so the message's status,
// audit trail and resequencer learn of it. Before, such a letter was stored silently and a successor of the same
// subject waited for ever.
import amqp from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEnvelope } from '../../../src/core/envelope';
import { AmqpTransport } from '../../../src/transport/amqp/amqp-transport';
import type { DeadLetter, RouteTopology } from '../../../src/transport/transport';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { AMQP_URL, uniqueName, waitFor } from '../../../testkit/env';

const ROUTE: RouteTopology = { name: 'crash-loop', prefetch: 5, retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 } };

test('a message redelivered past the delivery limit by crashing consumers reaches the observer as a dead letter', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-crash-'));
  const prefix = uniqueName('crash').toLowerCase();
  const heard: { route: string; messageId: string; letter: DeadLetter }[] = [];
  const transport = new AmqpTransport({
    url: AMQP_URL,
    namePrefix: prefix,
    deliveryLimit: 2,
    deadLetterDatabase: { sqliteFile: path.join(dir, 'dead-letters.db') },
    observer: { onDeadLetter: (route, delivery, _failure, letter) => void heard.push({ route, messageId: delivery.envelope.id, letter }) },
  });
  const raw = await amqp.connect(AMQP_URL);
  try {
    await transport.start([ROUTE]);
    const envelope = createEnvelope({ type: 'test.ping', source: 'crash-test', subject: 'HS-crash', sequence: 1, payload: { note: 'Hồ sơ làm sập bộ xử lý' } });
    await transport.publish(ROUTE.name, envelope);
    // A consumer that dies holding the message, again and again: its channel closes without an ack or a nack.
    for (let crash = 0; crash < 6 && heard.length === 0; crash++) {
      const channel = await raw.createChannel();
      await channel.prefetch(1);
      const got = new Promise<boolean>((resolve) => {
        void channel.consume(`${prefix}.route.${ROUTE.name}`, (message) => resolve(message !== null), { noAck: false });
        setTimeout(() => resolve(false), 1500);
      });
      await got;
      await channel.close().catch(() => undefined);
    }
    await waitFor(() => heard.length > 0, 10_000, 'the observer hears of the dead letter');
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ route: ROUTE.name, messageId: envelope.id, letter: { code: 'DELIVERY_LIMIT' } });
    const stored = await transport.listDeadLetters({});
    expect(stored.map((l) => [l.envelope.id, l.code])).toEqual([[envelope.id, 'DELIVERY_LIMIT']]);
  } finally {
    await raw.close().catch(() => undefined);
    await transport.close();
    await deleteTopology(prefix, [ROUTE]);
    rmSync(dir, { recursive: true, force: true });
  }
});
