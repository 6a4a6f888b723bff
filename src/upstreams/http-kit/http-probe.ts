// A breaker's probe for an HTTP upstream: one plain GET of a URL of it. Any answer but a 5xx or a 429 means the service
// is there and answering (a 404 for its root is an answer); a refused connection, a timeout or a 5xx/429 means failing.
import { HttpCallError } from './http-call-error';

export function httpProbe(url: string): (signal: AbortSignal) => Promise<void> {
  return async (signal) => {
    let status: number;
    try {
      const res = await fetch(url, { method: 'GET', signal, redirect: 'manual' });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
    } catch (error) {
      throw new HttpCallError({ message: `probe of ${new URL(url).origin} failed: ${(error as Error).message}`, code: 'UPSTREAM_UNREACHABLE', transient: true, status: null });
    }
    if (status >= 500 || status === 429) throw new HttpCallError({ message: `probe of ${new URL(url).origin} answered ${status}`, code: 'UPSTREAM_UNAVAILABLE', transient: true, status });
  };
}
