// Calls an HTTP upstream through its breaker with the route's and the breaker's abort signals combined (ended with the
// call); the clients' errors are UpstreamErrors already, which the breaker and the route runner classify.
import { withDeadline } from '../../../core/deadline';
import type { UpstreamBreaker } from '../../../messaging/breaker';
import { isUpstreamError, type UpstreamError } from '../../../messaging/delivery/adapter';

export function guardedCall<T>(breaker: UpstreamBreaker, routeSignal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return breaker.call(({ signal: breakerSignal }) => withDeadline(undefined, [routeSignal, breakerSignal], work));
}

/** An upstream's final "no" (4xx other than 408/429, or a protocol error code), as opposed to a failure worth retrying. */
export function isFinalRefusal(error: unknown): error is UpstreamError {
  return isUpstreamError(error) && !error.transient;
}
