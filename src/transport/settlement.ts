// Decides what happens to a delivery after its handler (ack, delayed retry or dead letter): one policy for every transport.
import { randomUUID } from 'node:crypto';
import { withAttempt, type Envelope } from '../core/envelope';
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

/**
 * A final refusal dead-letters at once; a retry that uses up the message's last attempt, or that comes after the
 * message has been failing for longer than the maximum age (since its first failure of this life: a replay starts
 * afresh), dead-letters too. Every other failure waits its backoff step.
 */
export function settle(delivery: Delivery, result: HandlerResult, policy: RetryPolicy, now = new Date()): Settlement {
  if (result.outcome === 'ack') return { action: 'ack' };
  const attempt = delivery.envelope.attempt;
  const failure: DeliveryFailure = {
    attempt,
    at: now.toISOString(),
    code: result.code,
    reason: result.reason,
    ...(result.outcome === 'retry' && result.unanswered ? { unanswered: true } : {}),
  };
  const history = [...delivery.history, failure];
  const countAttempt = result.outcome === 'retry' && result.countAttempt !== false;
  const exhausted = countAttempt && attempt >= policy.maxAttempts;
  const failingForMs = now.getTime() - Date.parse(history[0]!.at);
  const tooOld = result.outcome === 'retry' && failingForMs >= policy.maxAgeMs;
  if (result.outcome === 'dead-letter' || exhausted || tooOld) {
    const code = exhausted ? 'RETRIES_EXHAUSTED' : tooOld ? 'MAX_AGE_EXCEEDED' : result.code;
    const reason = exhausted
      ? `retries exhausted after ${attempt} attempts: ${result.reason}`
      : tooOld
        ? `still failing after ${formatDuration(failingForMs)} (maximum age ${formatDuration(policy.maxAgeMs)}): ${result.reason}`
        : result.reason;
    return {
      action: 'dead-letter',
      failure,
      letter: {
        id: randomUUID(),
        route: delivery.route,
        envelope: delivery.envelope,
        code,
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

function formatDuration(ms: number): string {
  if (ms >= 86_400_000) return `${(ms / 86_400_000).toFixed(1)} days`;
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${Math.round(ms / 1000)} s`;
}
