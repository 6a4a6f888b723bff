// Publisher-confirm stream with an outbox: many publishes in flight, 'drain' backpressure honoured, and every
// unconfirmed message re-published on the next channel after a connection loss.
import type { ConfirmChannel, Message, Options } from 'amqplib';
import { merged } from '../../core/merged';
import { publishOnConfirmChannel } from './publish-frame';

export class PublishRefusedError extends Error {
  constructor(message: string, readonly code: 'BROKER_NACK' | 'UNROUTABLE' | 'PUBLISHER_CLOSED' | 'CONNECTION_LOST') {
    super(message);
    this.name = 'PublishRefusedError';
  }
}

export interface PublishRequest {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
  /**
   * True for publishes that settle a delivery (retry copy, dead letter): after a connection loss the original is
   * redelivered by the broker anyway, so re-publishing the copy would only duplicate it.
   */
  abandonOnReconnect?: boolean;
}

interface OutboxEntry extends PublishRequest {
  seq: number;
  written: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}

const PUBLISH_ID_HEADER = 'x-lgsp-publish-id';

export class ConfirmPublisher {
  private channel: ConfirmChannel | null = null;
  /** Every entry not yet confirmed, by publish sequence. */
  private readonly outbox = new Map<number, OutboxEntry>();
  /** Entries waiting to be written, in publish order. */
  private waiting: OutboxEntry[] = [];
  private readonly returned = new Set<string>();
  private blocked = false;
  private seq = 0;
  private closed = false;
  private readonly emptyWaiters = new Set<() => void>();
  private readonly instance = `${process.pid}-${Date.now().toString(36)}`;

  get size(): number {
    return this.outbox.size;
  }

  publish(request: PublishRequest): Promise<void> {
    if (this.closed) return Promise.reject(new PublishRefusedError('publisher is closed', 'PUBLISHER_CLOSED'));
    return new Promise<void>((resolve, reject) => {
      const entry: OutboxEntry = merged(request, { seq: ++this.seq, written: false, resolve, reject });
      this.outbox.set(entry.seq, entry);
      this.waiting.push(entry);
      this.pump();
    });
  }

  /** Starts writing on a fresh channel: first everything still unconfirmed from the last one, in order. */
  attach(channel: ConfirmChannel): void {
    this.channel = channel;
    this.blocked = false;
    this.returned.clear();
    channel.on('return', (message: Message) => {
      const id = message.properties.headers?.[PUBLISH_ID_HEADER];
      if (typeof id === 'string') this.returned.add(id);
    });
    channel.on('drain', () => {
      if (this.channel !== channel) return;
      this.blocked = false;
      this.pump();
    });
    this.pump();
  }

  /** The channel is gone: unconfirmed entries go back to waiting, or are abandoned if they asked for it. */
  detach(): void {
    this.channel = null;
    this.blocked = false;
    for (const entry of [...this.outbox.values()]) {
      if (!entry.written) continue;
      this.requeue(entry);
    }
  }

  private requeue(entry: OutboxEntry): void {
    if (!this.outbox.has(entry.seq) || !entry.written) return;
    entry.written = false;
    if (entry.abandonOnReconnect || this.closed) {
      this.settle(entry, new PublishRefusedError('connection lost before the broker confirmed', 'CONNECTION_LOST'));
      return;
    }
    const at = this.waiting.findIndex((w) => w.seq > entry.seq);
    if (at === -1) this.waiting.push(entry);
    else this.waiting.splice(at, 0, entry);
  }

  private pump(): void {
    const channel = this.channel;
    while (channel && !this.blocked && this.waiting.length > 0 && this.channel === channel) {
      const entry = this.waiting.shift()!;
      if (!this.outbox.has(entry.seq)) continue;
      const publishId = `${this.instance}-${entry.seq}`;
      const options: Options.Publish = merged(entry.options, { mandatory: true });
      const headers: Record<string, unknown> = merged(entry.options.headers ?? {}, { [PUBLISH_ID_HEADER]: publishId });
      entry.written = true;
      let writable: boolean;
      try {
        writable = publishOnConfirmChannel(channel, entry.exchange, entry.routingKey, entry.content, options, headers, (error: unknown) =>
          this.onConfirm(entry, publishId, channel, error),
        );
      } catch {
        // The channel closed under us; its close handling requeues what was written.
        this.requeue(entry);
        return;
      }
      if (!writable) this.blocked = true;
    }
  }

  private onConfirm(entry: OutboxEntry, publishId: string, channel: ConfirmChannel, error: unknown): void {
    if (!this.outbox.has(entry.seq)) return;
    if (error) {
      if (error instanceof Error && error.message === 'message nacked') {
        this.settle(entry, new PublishRefusedError('broker refused the message (queue full or internal error)', 'BROKER_NACK'));
      } else if (this.channel === channel || this.channel === null) {
        this.requeue(entry);
      }
      return;
    }
    if (this.returned.delete(publishId)) {
      this.settle(entry, new PublishRefusedError(`no queue bound for ${entry.exchange}/${entry.routingKey}`, 'UNROUTABLE'));
      return;
    }
    this.settle(entry, null);
  }

  private settle(entry: OutboxEntry, error: Error | null): void {
    this.outbox.delete(entry.seq);
    if (error) entry.reject(error);
    else entry.resolve();
    if (this.outbox.size === 0) for (const done of this.emptyWaiters) done();
  }

  /** Waits until nothing is unconfirmed, or the timeout passes; then refuses new publishes. */
  async close(timeoutMs: number): Promise<void> {
    if (this.outbox.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.emptyWaiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.closed = true;
    for (const entry of [...this.outbox.values()]) this.settle(entry, new PublishRefusedError('publisher closed', 'PUBLISHER_CLOSED'));
  }
}
