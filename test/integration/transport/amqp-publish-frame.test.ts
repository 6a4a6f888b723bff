// The confirm publisher writes its publishes with the channel's sendMessage, not its publish and so not amqplib's
// Args.publish (src/transport/amqp/publish-frame.ts), and a message so written reaches a consumer of the real RabbitMQ
// with the properties and headers a message written through ConfirmChannel.publish has; a nack and a confirm still
// reach the publisher.
import amqp, { type ConfirmChannel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { ConfirmPublisher } from '../../../src/transport/amqp/confirm-publisher';
import { AMQP_URL, waitFor } from '../../../testkit/env';

/** The channel, with the names of the methods the publisher looked up on it. */
function watched(channel: ConfirmChannel): { channel: ConfirmChannel; used: Set<string> } {
  const used = new Set<string>();
  const proxy = new Proxy(channel, {
    get(target, key, receiver) {
      if (typeof key === 'string') used.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { channel: proxy, used };
}

const QUEUE = `lgsp.test.publish-frame.${process.pid}`;
let connection: ChannelModel;
let channel: ConfirmChannel;
const received: ConsumeMessage[] = [];

beforeAll(async () => {
  connection = await amqp.connect(AMQP_URL);
  channel = await connection.createConfirmChannel();
  await channel.assertQueue(QUEUE, { durable: false, autoDelete: false, arguments: { 'x-max-length': 10, 'x-overflow': 'reject-publish' } });
  await channel.purgeQueue(QUEUE);
});

afterAll(async () => {
  await channel.deleteQueue(QUEUE).catch(() => undefined);
  await connection.close();
});

const options = {
  persistent: true,
  contentType: 'application/json',
  messageId: 'm-frame-1',
  correlationId: 'c-frame-1',
  type: 'dossier.submitted',
  timestamp: 1_800_000_000,
  expiration: 60_000,
  headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x-lgsp-attempt': 2 },
};

test('a message the publisher wrote, not through ConfirmChannel.publish, arrives as one written through it', async () => {
  const publisher = new ConfirmPublisher();
  const { channel: watchedChannel, used } = watched(channel);
  publisher.attach(watchedChannel);
  await publisher.publish({ exchange: '', routingKey: QUEUE, content: Buffer.from('{"a":"Hồ sơ"}'), options });
  expect(used.has('sendMessage')).toBe(true);
  expect(used.has('publish')).toBe(false);
  // The control: the same options through amqplib's own publish.
  await new Promise<void>((resolve, reject) => channel.publish('', QUEUE, Buffer.from('{"a":"Hồ sơ"}'), { ...options, mandatory: true }, (error: unknown) => (error ? reject(error) : resolve())));

  const { consumerTag } = await channel.consume(QUEUE, (message) => message && received.push(message), { noAck: true });
  await waitFor(() => received.length === 2, 10_000);
  await channel.cancel(consumerTag);
  const [ours, theirs] = received;
  expect(ours!.content.toString('utf8')).toBe('{"a":"Hồ sơ"}');
  const { headers: ourHeaders, ...ourProperties } = ours!.properties;
  const { headers: theirHeaders, ...theirProperties } = theirs!.properties;
  expect(ourProperties).toEqual(theirProperties);
  expect(ourProperties).toMatchObject({ deliveryMode: 2, expiration: '60000', messageId: 'm-frame-1', timestamp: 1_800_000_000 });
  expect(ourHeaders).toEqual({ ...theirHeaders, 'x-lgsp-publish-id': expect.stringMatching(/-1$/) });
  await publisher.close(1000);
});

test('a publish the broker refuses is refused; one it takes is confirmed', async () => {
  await channel.purgeQueue(QUEUE);
  const publisher = new ConfirmPublisher();
  publisher.attach(channel);
  // The queue holds ten and rejects the eleventh: the broker nacks it.
  const publishes = Array.from({ length: 11 }, (_, i) => publisher.publish({ exchange: '', routingKey: QUEUE, content: Buffer.from(String(i)), options: { persistent: true, headers: {} } }));
  const settled = await Promise.allSettled(publishes);
  expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(10);
  expect(settled[10]).toMatchObject({ status: 'rejected', reason: { code: 'BROKER_NACK' } });
  await publisher.close(1000);
  await channel.purgeQueue(QUEUE);
});
