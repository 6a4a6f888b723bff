// A consumer crash loop on RabbitMQ: the broker dead-letters the message at the queue's delivery limit, the bus's
// dead-letter keeper stores it and tells the observer (as the embedded transport does), so the message's status,
// audit trail and resequencer learn of it. Before, such a letter was stored silently and a successor of the same
// subject waited for ever.
import { createEnvelope } from '../../../src/core/envelope';
import type { DeadLetter, RouteTopology, TransportObserver } from '../../../src/transport/transport';
import { withAmqpTransport } from '../../../testkit/amqp-transport-world';
import { waitFor } from '../../../testkit/env';

const ROUTE: RouteTopology = { name: 'crash-loop', prefetch: 5, retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 } };

test('a message redelivered past the delivery limit by crashing consumers reaches the observer as a dead letter', async () => {
  const heard: { route: string; messageId: string; letter: DeadLetter }[] = [];
  const observer: TransportObserver = { onDeadLetter: (route, delivery, _failure, letter) => void heard.push({ route, messageId: delivery.envelope.id, letter }) };
  await withAmqpTransport('crash', [ROUTE], { deliveryLimit: 2, observer }, async ({ transport, raw, names }) => {
    const envelope = createEnvelope({ type: 'test.ping', source: 'crash-test', subject: 'HS-crash', sequence: 1, payload: { note: 'Hồ sơ làm sập bộ xử lý' } });
    await transport.publish(ROUTE.name, envelope);
    // A consumer that dies holding the message, again and again: its channel closes without an ack or a nack.
    for (let crash = 0; crash < 6 && heard.length === 0; crash++) {
      const channel = await raw.createChannel();
      await channel.prefetch(1);
      const got = new Promise<boolean>((resolve) => {
        void channel.consume(names.routeQueue(ROUTE.name), (message) => resolve(message !== null), { noAck: false });
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
  });
});
