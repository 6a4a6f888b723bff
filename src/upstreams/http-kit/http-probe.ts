// A breaker's probe for an HTTP upstream: one plain GET of a URL of it. Any answer but a transient status (5xx, 408,
// 429) means the service is there and answering (a 404 for its root is an answer); a refused connection, a timeout
// or a transient status means failing.
import { isTransientStatus, UpstreamError } from './upstream-error';

export function httpProbe(url: string): (signal: AbortSignal) => Promise<void> {
  return async (signal) => {
    let status: number;
    try {
      const res = await fetch(url, { method: 'GET', signal, redirect: 'manual' });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
    } catch (error) {
      throw new UpstreamError({ kind: 'network', code: 'UPSTREAM_UNREACHABLE', message: `probe of ${new URL(url).origin} failed: ${(error as Error).message}` });
    }
    if (isTransientStatus(status)) {
      throw new UpstreamError({ kind: 'http-status', code: 'UPSTREAM_UNAVAILABLE', message: `probe of ${new URL(url).origin} answered ${status}`, status });
    }
  };
}
