// The broker cancels the bus's consumer (basic.cancel: here its queue deleted from outside, as also happens when a
// queue's replica goes away): the transport recovers (reconnects, re-declares, consumes again), so the route goes
// on delivering instead of falling silent with its consumer gone.
import { createEnvelope } from '../../../src/core/envelope';
import type { RouteTopology } from '../../../src/transport/transport';
import { withAmqpTransport } from '../../../testkit/amqp-transport-world';
import { waitFor } from '../../../testkit/env';

const ROUTE: RouteTopology = { name: 'cancelled', prefetch: 5, retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 } };

test('a consumer cancelled by the broker is restored and the route keeps delivering', async () => {
  const events: string[] = [];
  await withAmqpTransport('cancel', [ROUTE], { deliveryLimit: 5, onConnectionEvent: (event) => void events.push(event) }, async ({ transport, raw, names }) => {
    const delivered: string[] = [];
    await transport.consume(ROUTE.name, async (delivery) => {
      delivered.push(delivery.envelope.id);
      return { outcome: 'ack' as const };
    });
    const first = createEnvelope({ type: 'test.ping', source: 'cancel-test', payload: { note: 'trước khi hủy' } });
    await transport.publish(ROUTE.name, first);
    await waitFor(() => delivered.includes(first.id), 10_000, 'the first message delivered');

    const channel = await raw.createChannel();
    await channel.deleteQueue(names.routeQueue(ROUTE.name));
    await channel.close();
    // The recovery re-declares the queue; a publish before that would be unroutable, so wait for the reconnection.
    await waitFor(() => events.filter((e) => e === 'connected').length >= 2, 10_000, 'the transport reconnected');

    const second = createEnvelope({ type: 'test.ping', source: 'cancel-test', payload: { note: 'sau khi hủy' } });
    await transport.publish(ROUTE.name, second);
    await waitFor(() => delivered.includes(second.id), 10_000, 'the message after the cancel delivered');
  });
});
