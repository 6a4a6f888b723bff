// What the route runner needs from an upstream adapter: one delivery call that honours an abort signal, and errors
// that say whether trying again could help.
import type { Envelope } from '../envelope/envelope';

export interface DeliveryAdapter {
  readonly name: string;
  /** Performs the upstream effect; must stop its I/O when signal aborts. */
  deliver(envelope: Envelope, signal: AbortSignal): Promise<void>;
}

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** True when the same call may succeed later (network, timeout, 5xx, 429); false for a refusal (other 4xx). */
    readonly transient: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}

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
