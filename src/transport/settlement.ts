// Decides what happens to a delivery after its handler (ack, delayed retry or dead letter): one policy for every transport.
import { randomUUID } from 'node:crypto';
import { withAttempt, type Envelope } from '../envelope/envelope';
import {
  backoffDelayMs,
  jittered,
  type DeadLetter,
  type Delivery,
  type DeliveryFailure,
  type HandlerResult,
  type RetryPolicy,
} from './transport';

export type Settlement =
  | { action: 'ack' }
  | {
      action: 'retry';
      envelope: Envelope;
      history: DeliveryFailure[];
      /** The backoff step before jitter: the broker's delay tier. */
      baseDelayMs: number;
      delayMs: number;
      failure: DeliveryFailure;
    }
  | { action: 'dead-letter'; letter: DeadLetter; failure: DeliveryFailure };

export function settle(delivery: Delivery, result: HandlerResult, policy: RetryPolicy, now = new Date()): Settlement {
  if (result.outcome === 'ack') return { action: 'ack' };
  const attempt = delivery.envelope.attempt;
  const failure: DeliveryFailure = { attempt, at: now.toISOString(), code: result.code, reason: result.reason };
  const history = [...delivery.history, failure];
  const countAttempt = result.outcome === 'retry' && result.countAttempt !== false;
  const exhausted = countAttempt && attempt >= policy.maxAttempts;
  if (result.outcome === 'dead-letter' || exhausted) {
    const reason = exhausted ? `retries exhausted after ${attempt} attempts: ${result.reason}` : result.reason;
    return {
      action: 'dead-letter',
      failure,
      letter: {
        id: randomUUID(),
        route: delivery.route,
        envelope: delivery.envelope,
        code: exhausted ? 'RETRIES_EXHAUSTED' : result.code,
        reason,
        history,
        deadAt: now.toISOString(),
        replayedAt: null,
      },
    };
  }
  const nextAttempt = countAttempt ? attempt + 1 : attempt;
  const baseDelayMs = backoffDelayMs(policy, attempt);
  return {
    action: 'retry',
    envelope: withAttempt(delivery.envelope, nextAttempt),
    history,
    baseDelayMs,
    delayMs: jittered(baseDelayMs, policy.jitter),
    failure,
  };
}

/** Dead letter for a message the broker or store gave up on by itself (delivery limit: a crash loop). */
export function deliveryLimitLetter(route: string, envelope: Envelope, history: DeliveryFailure[], deliveries: number, now = new Date()): DeadLetter {
  const failure: DeliveryFailure = {
    attempt: envelope.attempt,
    at: now.toISOString(),
    code: 'DELIVERY_LIMIT',
    reason: `delivered ${deliveries} times without an outcome (consumer crash loop?)`,
  };
  return {
    id: randomUUID(),
    route,
    envelope,
    code: 'DELIVERY_LIMIT',
    reason: failure.reason,
    history: [...history, failure],
    deadAt: now.toISOString(),
    replayedAt: null,
  };
}
