// Calls an HTTP upstream through its breaker with the route's and the breaker's abort signals combined, turning the
// client's HttpCallError into the bus's UpstreamError so the breaker and the route runner classify it.
import { HttpCallError } from '../../../upstreams/http-kit/http-call-error';
import type { UpstreamBreaker } from '../../../messaging/breaker';
import { isUpstreamError, UpstreamError } from '../../../messaging/delivery/adapter';

export function toUpstreamError(error: unknown): unknown {
  if (isUpstreamError(error)) return error;
  if (error instanceof HttpCallError) return new UpstreamError(error.message, error.code, error.transient, error.status ?? undefined);
  return error;
}

export function guardedCall<T>(breaker: UpstreamBreaker, routeSignal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return breaker.call(async (breakerSignal) => {
    try {
      return await work(AbortSignal.any([routeSignal, breakerSignal]));
    } catch (error) {
      throw toUpstreamError(error);
    }
  });
}

/** An upstream's final "no" (4xx other than 408/429, or a protocol error code), as opposed to a failure worth retrying. */
export function isFinalRefusal(error: unknown): error is UpstreamError {
  return isUpstreamError(error) && !error.transient;
}
