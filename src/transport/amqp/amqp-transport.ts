// RabbitMQ transport (amqplib): quorum queues, confirmed publishes through an outbox, manual acks after the
// handler's effect, broker-side delayed retries, a dead-letter queue drained into the transport's own searchable table,
// and reconnection that re-declares everything, failing over between the addresses of a cluster's nodes.
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { batchWritesPerTurn } from '../../core/turn-batched-writes';
import { createEnvelope, parseEnvelope, serializeEnvelope, validTraceCarrier, withAttempt, type Envelope } from '../../core/envelope';
import { deliveryLimitLetter, settle } from '../settlement';
import {
  failureFromError,
  type DeadLetter,
  type DeadLetterFilter,
  type Delivery,
  type DeliveryFailure,
  type DeliveryHandler,
  type HandlerResult,
  type ReplayResult,
  type RouteTopology,
  type Transport,
  type TransportObserver,
  type TransportStats,
  notify,
} from '../transport';
import type { DeadLetterTable } from '../dead-letters/dead-letter-table';
import { openAmqpDeadLetters, type AmqpDeadLetterDatabase } from './amqp-dead-letters';
import { ConfirmPublisher } from './confirm-publisher';
import { declareTopology, topologyNames, type TopologyNames } from './topology';

const HISTORY_HEADER = 'x-lgsp-history';
const DEAD_LETTER_HEADER = 'x-lgsp-dead-letter';

export interface AmqpTransportOptions {
  /** One broker address; `urls` for several nodes of one cluster. */
  url?: string;
  /** The nodes of one cluster, tried in turn: after a loss the next address first, every address before a backoff. */
  urls?: readonly string[];
  namePrefix: string;
  /** Replicas of each quorum queue at its declaration (`x-quorum-initial-group-size`); absent: the broker's default. */
  quorumInitialGroupSize?: number;
  deliveryLimit: number;
  /** Where the transport keeps its dead letters (a table it owns and migrates); opened by start, closed by close. */
  deadLetterDatabase: AmqpDeadLetterDatabase;
  observer?: TransportObserver;
  /** Reports connection events (no secrets: only host:port of an address is passed on, never its credentials). */
  onConnectionEvent?: (event: 'connected' | 'disconnected' | 'reconnect-failed', detail?: string) => void;
  reconnect?: { initialDelayMs: number; maxDelayMs: number };
  heartbeatSeconds?: number;
}

interface RouteConsumer {
  route: RouteTopology;
  handler: DeliveryHandler;
  channel: Channel | null;
  consumerTag: string | null;
}

interface DeadLetterMeta {
  id: string;
  route: string;
  code: string;
  reason: string;
  history: DeliveryFailure[];
  deadAt: string;
}

export class AmqpTransport implements Transport {
  readonly kind = 'amqp' as const;
  private readonly names: TopologyNames;
  private readonly urls: readonly string[];
  /** The address the next connection attempt goes to. */
  private urlIndex = 0;
  private readonly publisher = new ConfirmPublisher();
  private readonly routes = new Map<string, RouteTopology>();
  private readonly consumers = new Map<string, RouteConsumer>();
  private model: ChannelModel | null = null;
  private statsChannel: Channel | null = null;
  private deadLetterChannel: Channel | null = null;
  private deadLetterTable: DeadLetterTable | null = null;
  private connecting: Promise<void> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempt = 0;
  private inFlight = 0;
  private readonly idleWaiters = new Set<() => void>();
  private stopping = false;
  private closed = false;

  constructor(private readonly options: AmqpTransportOptions) {
    this.names = topologyNames(options.namePrefix);
    this.urls = brokerAddresses(options);
  }

  async start(routes: RouteTopology[]): Promise<void> {
    for (const route of routes) this.routes.set(route.name, route);
    // Before the broker: the keeper stores into it from the first letter on, and a table that cannot be opened or
    // migrated fails the start.
    this.deadLetterTable ??= await openAmqpDeadLetters(this.options.deadLetterDatabase);
    // Every address once before giving up: a cluster with one node down still starts the bus.
    for (let tried = 1; ; tried++) {
      try {
        await this.connect();
        return;
      } catch (error) {
        if (tried >= this.urls.length) throw error;
      }
    }
  }

  private connect(): Promise<void> {
    if (!this.connecting) {
      this.connecting = this.openConnection().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async openConnection(): Promise<void> {
    // noDelay: without it Nagle's algorithm adds ~40 ms to every small frame at low load.
    const url = this.urls[this.urlIndex]!;
    let model: ChannelModel;
    try {
      model = await amqp.connect(withHeartbeat(url, this.options.heartbeatSeconds ?? 10), { noDelay: true });
    } catch (error) {
      this.nextAddress();
      throw error;
    }
    const socket = connectionSocket(model);
    if (socket) batchWritesPerTurn(socket);
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      this.onConnectionLost(model, error);
    };
    model.on('error', () => undefined);
    model.on('close', onLost);
    model.on('handler-error', () => undefined);
    try {
      const confirm: ConfirmChannel = await model.createConfirmChannel();
      this.guardChannel(model, confirm);
      await declareTopology(confirm, this.names, [...this.routes.values()], {
        deliveryLimit: this.options.deliveryLimit,
        quorumInitialGroupSize: this.options.quorumInitialGroupSize,
      });
      this.statsChannel = await model.createChannel();
      this.guardChannel(model, this.statsChannel);
      this.model = model;
      for (const consumer of this.consumers.values()) await this.openConsumer(model, consumer);
      await this.openDeadLetterKeeper(model);
      this.publisher.attach(confirm);
      this.reconnectAttempt = 0;
      this.options.onConnectionEvent?.('connected', addressOf(url));
    } catch (error) {
      // Connected but could not set up (the node is leaving, or cannot reach its queues): the next node is next.
      this.nextAddress();
      onLost(error as Error);
      await model.close().catch(() => undefined);
      throw error;
    }
  }

  /** Any channel error closes the whole connection: one recovery path re-creates everything consistently. */
  private guardChannel(model: ChannelModel, channel: Channel): void {
    channel.on('error', () => undefined);
    channel.on('handler-error', () => undefined);
    channel.on('close', () => {
      if (!this.closed && this.model === model) void model.close().catch(() => undefined);
    });
  }

  private onConnectionLost(model: ChannelModel, error?: Error): void {
    if (this.model === model) this.nextAddress();
    if (this.model === model || this.model === null) {
      this.model = null;
      this.statsChannel = null;
      this.deadLetterChannel = null;
      for (const consumer of this.consumers.values()) {
        consumer.channel = null;
        consumer.consumerTag = null;
      }
      this.publisher.detach();
    }
    if (this.closed) return;
    this.options.onConnectionEvent?.('disconnected', error?.message);
    this.scheduleReconnect();
  }

  /** The node behind the current address is gone or refused us: the next attempt goes to the following one. */
  private nextAddress(): void {
    this.urlIndex = (this.urlIndex + 1) % this.urls.length;
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closed) return;
    const { initialDelayMs, maxDelayMs } = this.options.reconnect ?? { initialDelayMs: 100, maxDelayMs: 30_000 };
    // The delay grows once per round of every address, not per address: a failover tries the other nodes at once.
    const round = Math.floor(this.reconnectAttempt / this.urls.length);
    const base = Math.min(initialDelayMs * 2 ** round, maxDelayMs);
    const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
    this.reconnectAttempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed || this.model) return;
      this.connect().catch((error: Error) => {
        this.options.onConnectionEvent?.('reconnect-failed', error.message);
        this.scheduleReconnect();
      });
    }, delay);
  }

  publish(route: string, envelope: Envelope): Promise<void> {
    if (!this.routes.has(route)) return Promise.reject(new Error(`unknown route ${route}`));
    return this.publisher.publish({
      exchange: this.names.work,
      routingKey: route,
      content: serializeEnvelope(envelope),
      options: this.messageOptions(envelope),
    });
  }

  private messageOptions(envelope: Envelope, history: DeliveryFailure[] = []) {
    return {
      persistent: true,
      contentType: 'application/json',
      messageId: envelope.id,
      correlationId: envelope.correlationId,
      type: envelope.type,
      timestamp: Math.floor(Date.now() / 1000),
      headers: { ...(history.length > 0 ? { [HISTORY_HEADER]: JSON.stringify(history) } : {}), ...traceHeaders(envelope) },
    };
  }

  async consume(route: string, handler: DeliveryHandler): Promise<void> {
    const topology = this.routes.get(route);
    if (!topology) throw new Error(`unknown route ${route}`);
    if (this.consumers.has(route)) throw new Error(`route ${route} already has a consumer`);
    this.stopping = false;
    const consumer: RouteConsumer = { route: topology, handler, channel: null, consumerTag: null };
    this.consumers.set(route, consumer);
    if (this.model) await this.openConsumer(this.model, consumer);
  }

  private async openConsumer(model: ChannelModel, consumer: RouteConsumer): Promise<void> {
    if (this.stopping) return;
    const channel = await model.createChannel();
    this.guardChannel(model, channel);
    await channel.prefetch(consumer.route.prefetch);
    consumer.channel = channel;
    const reply = await channel.consume(this.names.routeQueue(consumer.route.name), (message) => {
      if (message) void this.onMessage(consumer, channel, message);
      else this.onConsumerCancelled(model, () => consumer.channel === channel);
    });
    consumer.consumerTag = reply.consumerTag;
  }

  private async onMessage(consumer: RouteConsumer, channel: Channel, message: ConsumeMessage): Promise<void> {
    this.inFlight++;
    try {
      let envelope: Envelope;
      try {
        envelope = withHeaderTrace(parseEnvelope(message.content), message);
      } catch {
        // Not a bus envelope (or altered): the broker dead-letters it, the keeper stores it as malformed.
        this.settleOnChannel(consumer, channel, (ch) => ch.nack(message, false, false));
        return;
      }
      const delivery: Delivery = {
        envelope,
        route: consumer.route.name,
        redelivered: message.fields.redelivered,
        history: readHistory(message),
      };
      let result: HandlerResult;
      try {
        result = await consumer.handler(delivery);
      } catch (error) {
        result = { outcome: 'retry', ...failureFromError(error) };
      }
      await this.applySettlement(consumer, channel, message, delivery, result);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const done of this.idleWaiters) done();
    }
  }

  private async applySettlement(
    consumer: RouteConsumer,
    channel: Channel,
    message: ConsumeMessage,
    delivery: Delivery,
    result: HandlerResult,
  ): Promise<void> {
    const route = consumer.route.name;
    const settlement = settle(delivery, result, consumer.route.retry);
    try {
      if (settlement.action === 'retry') {
        await this.publisher.publish({
          exchange: this.names.delayExchange(settlement.baseDelayMs),
          routingKey: route,
          content: serializeEnvelope(settlement.envelope),
          options: { ...this.messageOptions(settlement.envelope, settlement.history), expiration: String(settlement.delayMs) },
          abandonOnReconnect: true,
        });
      } else if (settlement.action === 'dead-letter') {
        await this.publishDeadLetter(settlement.letter);
      }
    } catch {
      // The copy was not confirmed: put the original back so nothing is lost (a redelivery, not a new attempt).
      this.settleOnChannel(consumer, channel, (ch) => ch.nack(message, false, true));
      return;
    }
    const observer = this.options.observer;
    if (settlement.action === 'ack') await notify(() => observer?.onAck?.(route, delivery));
    else if (settlement.action === 'retry') await notify(() => observer?.onRetry?.(route, delivery, settlement.failure, settlement.delayMs));
    else await notify(() => observer?.onDeadLetter?.(route, delivery, settlement.failure, settlement.letter));
    this.settleOnChannel(consumer, channel, (ch) => ch.ack(message));
  }

  /** Acks only on the channel the message came from, while it is open; otherwise the broker redelivers it. */
  private settleOnChannel(consumer: RouteConsumer, channel: Channel, action: (channel: Channel) => void): boolean {
    if (consumer.channel !== channel) return false;
    try {
      action(channel);
      return true;
    } catch {
      return false;
    }
  }

  private publishDeadLetter(letter: DeadLetter): Promise<void> {
    const meta: DeadLetterMeta = {
      id: letter.id,
      route: letter.route,
      code: letter.code,
      reason: letter.reason,
      history: letter.history,
      deadAt: letter.deadAt,
    };
    const options = this.messageOptions(letter.envelope);
    return this.publisher.publish({
      exchange: this.names.deadExchange,
      routingKey: letter.route,
      content: serializeEnvelope(letter.envelope),
      options: { ...options, headers: { ...options.headers, [DEAD_LETTER_HEADER]: JSON.stringify(meta) } },
      abandonOnReconnect: true,
    });
  }

  /** Moves everything arriving in the dead-letter queue into the transport's dead-letter table, then acks it. */
  private async openDeadLetterKeeper(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    this.guardChannel(model, channel);
    await channel.prefetch(50);
    this.deadLetterChannel = channel;
    await channel.consume(this.names.deadQueue, (message) => {
      if (!message) {
        this.onConsumerCancelled(model, () => this.deadLetterChannel === channel);
        return;
      }
      void this.keepDeadLetter(message)
        .then(() => {
          if (this.deadLetterChannel === channel) channel.ack(message);
        })
        .catch(() => {
          if (this.deadLetterChannel === channel) setTimeout(() => this.deadLetterChannel === channel && channel.nack(message, false, true), 1000);
        });
    });
  }

  /**
   * The broker cancelled a consumer (basic.cancel: its queue was deleted, or its replica went away). Left alone the
   * route would silently stop consuming; the one recovery path (close, reconnect, re-declare, re-consume) restores it.
   * A cancel that stopConsuming asked for is not this.
   */
  private onConsumerCancelled(model: ChannelModel, stillCurrent: () => boolean): void {
    if (this.stopping || this.closed || this.model !== model || !stillCurrent()) return;
    this.options.onConnectionEvent?.('disconnected', 'a consumer was cancelled by the broker');
    void model.close().catch(() => undefined);
  }

  private async keepDeadLetter(message: ConsumeMessage): Promise<void> {
    const metaRaw = message.properties.headers?.[DEAD_LETTER_HEADER];
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(message.content);
    } catch (error) {
      envelope = createEnvelope({
        type: 'bus.malformed',
        source: 'unknown',
        payload: { contentBase64: message.content.toString('base64'), error: failureFromError(error).reason },
      });
    }
    if (typeof metaRaw === 'string') {
      const meta = JSON.parse(metaRaw) as DeadLetterMeta;
      await this.deadLetters().put({ ...meta, envelope, replayedAt: null });
      return;
    }
    // Dead-lettered by the broker itself: delivery limit (crash loop) or a nack of a malformed message.
    const deaths = (message.properties.headers?.['x-death'] ?? []) as { queue?: string; reason?: string; count?: number }[];
    const first = deaths[0];
    const route = routeOfQueue(first?.queue ?? '', this.options.namePrefix) ?? 'unknown';
    const id = createHash('sha256').update(`${envelope.id}|${JSON.stringify(message.properties.headers?.['x-first-death-reason'] ?? '')}|${JSON.stringify(deaths)}`).digest('hex').slice(0, 32);
    const letter = deliveryLimitLetter(route, envelope, readHistory(message), first?.count ?? 0);
    if (first?.reason === 'rejected') {
      letter.code = 'ENVELOPE_MALFORMED';
      letter.reason = 'message is not a valid bus envelope';
    }
    const stored = { ...letter, id };
    await this.deadLetters().put(stored);
    if (stored.code !== 'DELIVERY_LIMIT' || route === 'unknown') return;
    // As the embedded transport does: the bus hears of it (status, audit, and the subject's successors go on).
    const delivery: Delivery = { envelope, route, redelivered: true, history: stored.history.slice(0, -1) };
    await notify(() => this.options.observer?.onDeadLetter?.(route, delivery, stored.history[stored.history.length - 1]!, stored));
  }

  async stopConsuming(): Promise<void> {
    this.stopping = true;
    for (const consumer of this.consumers.values()) {
      if (consumer.channel && consumer.consumerTag) await consumer.channel.cancel(consumer.consumerTag).catch(() => undefined);
    }
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.add(resolve));
    for (const consumer of this.consumers.values()) await consumer.channel?.close().catch(() => undefined);
    this.consumers.clear();
  }

  private deadLetters(): DeadLetterTable {
    if (!this.deadLetterTable) throw new Error('the transport is not started: its dead-letter table is not open');
    return this.deadLetterTable;
  }

  async deadLetterCounts(): Promise<Record<string, number>> {
    return this.deadLetters().countByRoute();
  }

  async listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    return this.deadLetters().list(filter);
  }

  async replay(filter: DeadLetterFilter): Promise<ReplayResult> {
    const letters = (await this.deadLetters().list(filter)).filter((l) => l.replayedAt === null && this.routes.has(l.route));
    const replayed: ReplayResult['replayed'] = [];
    const at = new Date().toISOString();
    // Publish first, mark after the confirm: a crash in between replays twice, which the effect log absorbs.
    await Promise.all(
      letters.map(async (letter) => {
        await this.publish(letter.route, withAttempt(letter.envelope, 1));
        await this.deadLetters().markReplayed([letter.id], at);
        await notify(() => this.options.observer?.onReplay?.(letter.route, letter.envelope, at));
        replayed.push({ deadLetterId: letter.id, messageId: letter.envelope.id, route: letter.route });
      }),
    );
    return { replayed };
  }

  async ping(): Promise<void> {
    if (!this.model || !this.statsChannel) throw new Error('not connected to the broker');
    await this.statsChannel.checkExchange(this.names.work);
  }

  async stats(): Promise<TransportStats> {
    const queueDepth: Record<string, number> = {};
    const channel = this.statsChannel;
    for (const name of this.routes.keys()) {
      queueDepth[name] = channel ? await channel.checkQueue(this.names.routeQueue(name)).then((q) => q.messageCount, () => -1) : -1;
    }
    return { queueDepth, outboxSize: this.publisher.size };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.stopping) await this.stopConsuming();
    await this.publisher.close(10_000);
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const model = this.model;
    this.model = null;
    await model?.close().catch(() => undefined);
    // After the connection: the keeper takes no letter any more.
    await this.deadLetterTable?.close();
    this.deadLetterTable = null;
  }
}

function readHistory(message: ConsumeMessage): DeliveryFailure[] {
  const raw = message.properties.headers?.[HISTORY_HEADER];
  if (typeof raw !== 'string') return [];
  try {
    return JSON.parse(raw) as DeliveryFailure[];
  } catch {
    return [];
  }
}

function routeOfQueue(queue: string, prefix: string): string | null {
  const head = `${prefix}.route.`;
  return queue.startsWith(head) ? queue.slice(head.length) : null;
}

function brokerAddresses(options: AmqpTransportOptions): readonly string[] {
  const urls = options.urls && options.urls.length > 0 ? options.urls : options.url ? [options.url] : [];
  if (urls.length === 0) throw new Error('AmqpTransport needs a broker address (url or urls)');
  return [...urls];
}

/** host:port of a broker address, for logs: never its credentials. */
function addressOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'amqps:' ? '5671' : '5672')}`;
}

function withHeartbeat(url: string, seconds: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(seconds));
  return parsed.toString();
}

/** The message's W3C Trace Context as AMQP headers, for the broker's own tooling and consumers other than the bus. */
function traceHeaders(envelope: Envelope): Record<string, string> {
  const carrier = envelope.traceContext;
  if (!carrier) return {};
  return carrier.tracestate === undefined ? { traceparent: carrier.traceparent } : { traceparent: carrier.traceparent, tracestate: carrier.tracestate };
}

/** An envelope published without a trace context (by another producer) continues the trace its headers carry. */
function withHeaderTrace(envelope: Envelope, message: ConsumeMessage): Envelope {
  if (envelope.traceContext) return envelope;
  const headers = message.properties.headers ?? {};
  const carrier = validTraceCarrier({ traceparent: headers.traceparent, tracestate: headers.tracestate });
  return carrier ? { ...envelope, traceContext: carrier } : envelope;
}

/** The socket under an amqplib connection (amqplib keeps it as `connection.stream`), if this version has one there. */
export function connectionSocket(model: ChannelModel): Writable | undefined {
  const connection: object = model.connection;
  if ('stream' in connection && connection.stream instanceof Writable) return connection.stream;
  return undefined;
}
