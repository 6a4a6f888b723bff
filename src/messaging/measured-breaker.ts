// Times every call through an upstream's breaker into lgsp_upstream_call_duration_seconds{upstream, outcome}, so an
// operator sees each upstream's latency and failures apart from the routes that call it.
import type { Histogram } from 'prom-client';
import type { CallDeadline } from '../core/deadline';
import { isBreakerOpen, type UpstreamBreaker } from './breaker';
import { isUpstreamError, MessageRejectedError } from './delivery/adapter';

/**
 * What became of a call, a label of few values: `ok`; `refused` (the upstream answered no: a 4xx or a business
 * rejection, which says nothing of its health); `timeout`; `failed` (no usable answer: network, 5xx, 429);
 * `breaker_open` (not sent: its circuit was open).
 */
export type UpstreamCallOutcome = 'ok' | 'refused' | 'timeout' | 'failed' | 'breaker_open';

export function upstreamCallOutcome(error: unknown): Exclude<UpstreamCallOutcome, 'ok'> {
  if (isBreakerOpen(error)) return 'breaker_open';
  if (error instanceof MessageRejectedError) return 'refused';
  if (isUpstreamError(error)) {
    if (error.kind === 'timeout') return 'timeout';
    return error.transient ? 'failed' : 'refused';
  }
  return 'failed';
}

export function measuredBreaker(breaker: UpstreamBreaker, histogram: Pick<Histogram<'upstream' | 'outcome'>, 'observe'>): UpstreamBreaker {
  const upstream = breaker.name;
  return {
    name: upstream,
    abandonedCallSettleMs: breaker.abandonedCallSettleMs,
    async call<T>(work: (deadline: CallDeadline) => Promise<T>): Promise<T> {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const value = await breaker.call(work);
        histogram.observe({ upstream, outcome: 'ok' }, seconds());
        return value;
      } catch (error) {
        histogram.observe({ upstream, outcome: upstreamCallOutcome(error) }, seconds());
        throw error;
      }
    },
    state: () => breaker.state(),
    onStateChange: (listener) => breaker.onStateChange(listener),
    shutdown: () => breaker.shutdown(),
  };
}
