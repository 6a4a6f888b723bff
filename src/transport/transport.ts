// The one contract every transport (RabbitMQ, embedded SQLite) fulfils: durable publish, acked consume,
// broker-side delayed retry, a dead-letter channel and replay.
import type { Envelope } from '../core/envelope';

export interface RetryPolicy {
  /** Total delivery attempts including the first; after the last one the message is dead-lettered. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  /** 0..1: a retry waits between (1 - jitter) and 1 times its backoff step. */
  jitter: number;
  /** A message failing for longer than this (since its first failure) is dead-lettered, whatever the cause. */
  maxAgeMs: number;
}

export interface RouteTopology {
  name: string;
  retry: RetryPolicy;
  /** How many deliveries of this route one process works on at once. */
  prefetch: number;
}

export interface DeliveryFailure {
  attempt: number;
  at: string;
  code: string;
  reason: string;
  /**
   * The attempt's call that would have had the effect ended without an answer (timed out, connection cut): the
   * upstream may have carried it out, and may still be carrying it out.
   */
  unanswered?: boolean;
}

export interface Delivery {
  envelope: Envelope;
  route: string;
  /** True when the transport handed this message out before without an outcome (crash, lost connection). */
  redelivered: boolean;
  /** Failures of earlier attempts, oldest first. */
  history: readonly DeliveryFailure[];
}

export type HandlerResult =
  /** Done (delivered, or finally settled as a business outcome such as a rejection). */
  | { outcome: 'ack' }
  /**
   * Transient failure: try again later with backoff; dead-letter when attempts are used up.
   * countAttempt false (an open circuit breaker) waits without using up an attempt: the message was never tried.
   */
  | { outcome: 'retry'; code: string; reason: string; countAttempt?: boolean; unanswered?: boolean }
  /** Permanent technical failure: dead-letter now. */
  | { outcome: 'dead-letter'; code: string; reason: string };

export type DeliveryHandler = (delivery: Delivery) => Promise<HandlerResult>;

export interface DeadLetter {
  /** Id of the dead-letter record (one message may be dead-lettered, replayed and dead-lettered again). */
  id: string;
  route: string;
  envelope: Envelope;
  code: string;
  reason: string;
  history: DeliveryFailure[];
  deadAt: string;
  replayedAt: string | null;
}

export interface DeadLetterFilter {
  ids?: string[];
  messageId?: string;
  route?: string;
  type?: string;
  subject?: string;
  code?: string;
  since?: string;
  until?: string;
  /** Default false: only letters not yet replayed. */
  includeReplayed?: boolean;
  limit?: number;
}

export interface ReplayResult {
  replayed: { deadLetterId: string; messageId: string; route: string }[];
}

export interface TransportStats {
  /** Messages waiting (ready or delayed) per route, as far as the transport can tell. */
  queueDepth: Record<string, number>;
  /** Published but not yet confirmed durable. */
  outboxSize: number;
}

/**
 * Told of each settlement after it is durable and before the original delivery is acked, so what the observer
 * records (message status, resequencer progress) is never behind a lost ack. Its errors are swallowed.
 */
export interface TransportObserver {
  onAck?(route: string, delivery: Delivery): void | Promise<void>;
  onRetry?(route: string, delivery: Delivery, failure: DeliveryFailure, delayMs: number): void | Promise<void>;
  onDeadLetter?(route: string, delivery: Delivery, failure: DeliveryFailure, letter: DeadLetter): void | Promise<void>;
  /** A dead letter is back on its route; `replayedAt` is when the replay began, before its publish. */
  onReplay?(route: string, envelope: Envelope, replayedAt: string): void | Promise<void>;
}

export async function notify(call: () => void | Promise<void>): Promise<void> {
  try {
    await call();
  } catch {
    // An observer must not change the fate of a message.
  }
}

export interface Transport {
  readonly kind: 'amqp' | 'embedded';
  /** Connects and declares the topology for these routes. */
  start(routes: RouteTopology[]): Promise<void>;
  /** Resolves once the message is durable (publisher confirm, or committed to the embedded store). */
  publish(route: string, envelope: Envelope): Promise<void>;
  /** Starts delivering the route's messages to handler; the outcome is settled only after handler resolves. */
  consume(route: string, handler: DeliveryHandler): Promise<void>;
  /** Stops taking new deliveries and waits for the ones in flight to be settled. */
  stopConsuming(): Promise<void>;
  listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetter[]>;
  /** Dead letters not yet replayed, per route (a route with none is absent): the operators' gauge. */
  deadLetterCounts(): Promise<Record<string, number>>;
  /** Puts matching dead letters back on their route with a fresh attempt count. */
  replay(filter: DeadLetterFilter): Promise<ReplayResult>;
  /** Reachability of the broker or store, for /readyz. */
  ping(): Promise<void>;
  stats(): Promise<TransportStats>;
  close(): Promise<void>;
}

export function backoffDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  const step = Math.min(policy.initialDelayMs * policy.multiplier ** (failedAttempt - 1), policy.maxDelayMs);
  return Math.round(step);
}

export function jittered(delayMs: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(delayMs * (1 - jitter * random())));
}

export function failureFromError(error: unknown): { code: string; reason: string } {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'HANDLER_ERROR', reason: error.message };
  }
  return { code: 'HANDLER_ERROR', reason: String(error) };
}
