// On RabbitMQ a message's W3C Trace Context travels in its headers as well as in its envelope: the bus writes
// `traceparent`/`tracestate` headers on publish, and continues the trace of a message whose envelope has none but
// whose headers carry one (another producer's).
import { createEnvelope, serializeEnvelope, type Envelope } from '../../../src/core/envelope';
import type { RouteTopology } from '../../../src/transport/transport';
import { withAmqpTransport } from '../../../testkit/amqp-transport-world';
import { waitFor } from '../../../testkit/env';

const ROUTE: RouteTopology = { name: 'traced', prefetch: 5, retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 } };
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test('traceparent and tracestate are message headers; a header-only trace context reaches the consumer', async () => {
  await withAmqpTransport('trace', [ROUTE], { deliveryLimit: 20 }, async ({ transport, raw, names }) => {
    const traced = createEnvelope({ type: 'test.ping', source: 'trace-test', payload: { n: 1 }, traceContext: { traceparent: TRACEPARENT, tracestate: 'lgsp=1' } });
    await transport.publish(ROUTE.name, traced);
    const channel = await raw.createChannel();
    const next = (label: string) => waitFor(async () => (await channel.get(names.routeQueue(ROUTE.name), { noAck: true })) || null, 10_000, label);
    expect((await next('the traced message')).properties.headers).toMatchObject({ traceparent: TRACEPARENT, tracestate: 'lgsp=1' });
    await transport.publish(ROUTE.name, createEnvelope({ type: 'test.ping', source: 'trace-test', payload: { n: 2 } }));
    expect((await next('the untraced message')).properties.headers).not.toHaveProperty('traceparent');

    // Another producer's message: the trace context in its headers only.
    const received: Envelope[] = [];
    await transport.consume(ROUTE.name, async (delivery) => {
      received.push(delivery.envelope);
      return { outcome: 'ack' };
    });
    const foreign = createEnvelope({ type: 'test.ping', source: 'trace-test', payload: { n: 3 } });
    channel.publish(names.work, ROUTE.name, serializeEnvelope(foreign), { persistent: true, headers: { traceparent: TRACEPARENT } });
    await waitFor(() => received.length > 0, 10_000, 'the foreign message delivered');
    expect(received[0]).toMatchObject({ id: foreign.id, traceContext: { traceparent: TRACEPARENT } });
    await channel.close();
  });
});
