// What the route runner needs from an upstream adapter: one delivery call that honours an abort signal, and errors
// that say whether trying again could help.
import type { Envelope } from '../../core/envelope';

export interface DeliveryAdapter {
  readonly name: string;
  /** The upstream system it talks to, whose one circuit breaker guards it; defaults to name. */
  readonly upstream?: string;
  /** Performs the upstream effect; must stop its I/O when signal aborts. */
  deliver(envelope: Envelope, signal: AbortSignal): Promise<void>;
  /**
   * Asks the upstream whether the effect of this delivery is already there. The route runner asks only when an
   * earlier attempt may have reached the upstream without the bus learning the outcome (a redelivery after a crash
   * or a lost connection, a retry after a timeout or a cut answer), for upstreams that take no idempotency key.
   * False when it is not there or the upstream cannot tell: the effect is then performed.
   */
  alreadyApplied?(envelope: Envelope, signal: AbortSignal): Promise<boolean>;
  /**
   * For a delivery that guards its own upstream calls (no `upstream`): how long its upstream may still carry out a call
   * the bus abandoned (its breaker's `abandonedCallSettleMs`); a delivery in doubt asks `alreadyApplied` only after it.
   */
  readonly abandonedCallSettleMs?: number;
  /** Its effect is parts (one new message per recipient): the message's state then follows theirs (pipeline.ts Delivery). */
  readonly fansOut?: boolean;
}

// Every delivery failure is an UpstreamError of the one family in upstreams/http-kit: its kind decides `transient`.
export { UpstreamError, isUpstreamError, leftUnanswered, type UpstreamErrorKind } from '../../upstreams/http-kit/upstream-error';

/**
 * A final business answer, not a failure: the message is settled as rejected (e.g. the applicant is not in the
 * population database) and is neither retried nor dead-lettered.
 */
export class MessageRejectedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MessageRejectedError';
  }
}
