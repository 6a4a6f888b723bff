// Writes one publish to a confirm channel without amqplib's argument step (Args.publish, lib/api_args.js), which makes
// the publish's headers the prototype of a new object every time (`Object.create(options.headers)`): on Node 20 the
// headers then get a prototype map of their own and the new object a class of its own, both promoted to the old
// generation, and the frame codec walks the headers through the prototype chain on V8's slow path. Alone against
// RabbitMQ (20,000 confirmed 2 KiB publishes with seven headers, one process), a publish cost 31–43 µs of CPU through
// `ConfirmChannel.publish` and 22–26 µs written here (docs/performance.md, "Publishes without a prototype each").
//
// The fields and properties are what Args.publish makes of the same options (amqplib 2.3.1; CC and BCC, which it moves
// into the headers, are left to it), written with the channel's `sendMessage` and followed by its
// `pushConfirmCallback`, in the order `ConfirmChannel.publish` uses. Both are methods of amqplib's channel classes that
// its typings do not declare: a channel without them (another version) is written through `publish` as before, and
// test/integration/transport/amqp-publish-fields.test.ts compares the fields with Args.publish's own.
import type { ConfirmChannel, Options } from 'amqplib';
import { merged } from '../../core/merged';

/** The method fields and content properties of a basic.publish frame, in one object, as amqplib's codec takes them. */
export interface PublishFields {
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  immediate: false;
  ticket: undefined;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  headers: Record<string, unknown>;
  deliveryMode: number | undefined;
  priority: number | undefined;
  correlationId: string | undefined;
  replyTo: string | undefined;
  expiration: string | undefined;
  messageId: string | undefined;
  timestamp: number | undefined;
  type: string | undefined;
  userId: string | undefined;
  appId: string | undefined;
  clusterId: undefined;
}

/** Publish options this module writes itself: all but CC and BCC. */
export type DirectPublishOptions = Omit<Options.Publish, 'CC' | 'BCC'>;

/** AMQP's delivery mode from amqplib's options: `persistent` first, then a numeric or truthy `deliveryMode`. */
function deliveryModeOf(options: DirectPublishOptions): number | undefined {
  if (options.persistent !== undefined) return options.persistent ? 2 : 1;
  if (typeof options.deliveryMode === 'number') return options.deliveryMode;
  return options.deliveryMode ? 2 : undefined;
}

/** The frame's fields for `options` (with `headers` as given, never made a prototype). */
export function publishFields(exchange: string, routingKey: string, options: DirectPublishOptions, headers: Record<string, unknown>): PublishFields {
  return {
    exchange,
    routingKey,
    mandatory: !!options.mandatory,
    immediate: false,
    ticket: undefined,
    contentType: options.contentType,
    contentEncoding: options.contentEncoding,
    headers,
    deliveryMode: deliveryModeOf(options),
    priority: options.priority,
    correlationId: options.correlationId,
    replyTo: options.replyTo,
    expiration: options.expiration === undefined ? undefined : options.expiration.toString(),
    messageId: options.messageId,
    timestamp: options.timestamp,
    type: options.type,
    userId: options.userId,
    appId: options.appId,
    clusterId: undefined,
  };
}

type ConfirmCallback = (error: unknown) => void;

/** The two methods of amqplib's confirm channel this module writes with. */
interface FrameWriter {
  sendMessage(fields: PublishFields, properties: PublishFields, content: Buffer): boolean;
  pushConfirmCallback(callback: ConfirmCallback): void;
}

function writesFrames(channel: object): channel is FrameWriter {
  return 'sendMessage' in channel && typeof channel.sendMessage === 'function' && 'pushConfirmCallback' in channel && typeof channel.pushConfirmCallback === 'function';
}

/**
 * Publishes `content` on a confirm channel; `onConfirm` is called with null (ack) or an error (nack, channel closed).
 * Returns what `publish` returns: false when the channel's buffer is full (wait for 'drain').
 */
export function publishOnConfirmChannel(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish,
  headers: Record<string, unknown>,
  onConfirm: ConfirmCallback,
): boolean {
  if (options.CC !== undefined || options.BCC !== undefined || !writesFrames(channel)) {
    return channel.publish(exchange, routingKey, content, merged(options, { headers }), onConfirm);
  }
  const fields = publishFields(exchange, routingKey, options, headers);
  const writable = channel.sendMessage(fields, fields, content);
  channel.pushConfirmCallback(onConfirm);
  return writable;
}
