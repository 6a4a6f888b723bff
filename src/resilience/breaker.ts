// One opossum circuit breaker per upstream, built at start; every call gets its own abort signal so a timeout
// really cancels that request (a shared breaker-level controller would cancel all of them).
import CircuitBreaker from 'opossum';
import type { BreakerConfig } from '../config/schema';
import { isUpstreamError, UpstreamError } from '../routing/adapter';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface UpstreamBreaker {
  readonly name: string;
  call<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  state(): BreakerState;
  onStateChange(listener: (state: BreakerState) => void): void;
  shutdown(): void;
}

export const BREAKER_OPEN = 'EOPENBREAKER';

export function createBreaker(name: string, config: BreakerConfig): UpstreamBreaker {
  const runner = async (work: (signal: AbortSignal) => Promise<unknown>): Promise<unknown> => {
    const signal = AbortSignal.timeout(config.timeoutMs);
    try {
      return await work(signal);
    } catch (error) {
      if (signal.aborted && !isUpstreamError(error)) {
        throw new UpstreamError(`${name} did not answer within ${config.timeoutMs} ms`, 'UPSTREAM_TIMEOUT', true);
      }
      throw error;
    }
  };
  const breaker = new CircuitBreaker(runner, {
    name,
    // The per-call AbortSignal above is the timeout; opossum's own would leave the request running.
    timeout: false,
    errorThresholdPercentage: config.errorThresholdPercentage,
    volumeThreshold: config.volumeThreshold,
    resetTimeout: config.resetTimeoutMs,
    rollingCountTimeout: config.rollingCountTimeoutMs,
    // A refusal by the upstream (4xx) says nothing about its health.
    errorFilter: (error: unknown) => isUpstreamError(error) && !error.transient,
  });
  const listeners: ((state: BreakerState) => void)[] = [];
  const emit = (state: BreakerState) => listeners.forEach((l) => l(state));
  breaker.on('open', () => emit('open'));
  breaker.on('halfOpen', () => emit('half-open'));
  breaker.on('close', () => emit('closed'));
  return {
    name,
    async call<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
      return (await breaker.fire(work)) as T;
    },
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'),
    onStateChange: (listener) => listeners.push(listener),
    shutdown: () => breaker.shutdown(),
  };
}

export function isBreakerOpen(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: string }).code === BREAKER_OPEN;
}
