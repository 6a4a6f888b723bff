// The publish frame the bus writes itself carries what amqplib's own argument step would make of the same options
// (src/transport/amqp/publish-frame.ts): compared field by field with Args.publish of the amqplib installed, its
// headers (an object on the caller's headers as prototype) read as the codec reads them, with for-in.
import path from 'node:path';
import type { Options } from 'amqplib';
import { publishFields, type DirectPublishOptions } from '../../../src/transport/amqp/publish-frame';

interface AmqplibArgs {
  publish(exchange: string, routingKey: string, options: Options.Publish): Record<string, unknown>;
}
// Not among the package's exports: loaded by its file, as amqplib's channels load it.
const Args = jest.requireActual<AmqplibArgs>(path.join(path.dirname(require.resolve('amqplib')), 'lib/api_args.js'));

/** An object's enumerable properties, own and inherited, as amqplib's codec walks them. */
function walked(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in value as Record<string, unknown>) out[key] = (value as Record<string, unknown>)[key];
  return out;
}

const HEADERS = { 'x-lgsp-publish-id': 'p-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x-lgsp-attempt': 2 };
const CASES: [string, DirectPublishOptions][] = [
  ['the bus message options', { persistent: true, mandatory: true, contentType: 'application/json', messageId: 'm-1', correlationId: 'c-1', type: 'dossier.submitted', timestamp: 1_800_000_000, headers: HEADERS }],
  ['a retry copy with a numeric expiration', { persistent: true, mandatory: true, expiration: 1500, messageId: 'm-2', headers: HEADERS }],
  ['a string expiration, not persistent', { persistent: false, expiration: '250', contentEncoding: 'gzip', priority: 3, replyTo: 'amq.rabbitmq.reply-to', userId: 'guest', appId: 'lgsp' }],
  ['a numeric delivery mode', { deliveryMode: 1 }],
  ['a truthy delivery mode', { deliveryMode: true }],
  ['no options', {}],
];

describe('publishFields', () => {
  test.each(CASES)('%s: the fields of Args.publish, headers as given', (_name, options) => {
    const headers = (options.headers as Record<string, unknown> | undefined) ?? {};
    const ours = publishFields('lgsp.work', 'dossier-sync', options, headers);
    const theirs = Args.publish('lgsp.work', 'dossier-sync', options);
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect({ ...ours, headers: walked(ours.headers) }).toEqual({ ...theirs, headers: walked(theirs.headers) });
    // The bus's headers object itself goes into the frame, never as the prototype of another.
    expect(ours.headers).toBe(headers);
  });
});
