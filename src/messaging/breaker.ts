// One opossum circuit breaker per upstream, built at start; every call gets its own abort signal so a timeout
// really cancels that request (a shared breaker-level controller would cancel all of them).
//
// The upstream's health is judged from consecutive failures and probes, not from volume alone: at one message an
// hour no error percentage ever builds up. After a call failed transiently (network, timeout, 5xx, 429) the breaker
// decides whether the upstream is failing: its circuit is open, it answered 429 (it asks the bus to wait), it failed
// `consecutiveFailures` times in a row across all callers, or its probe (a plain HTTP request to it) fails. Then the
// failure is the upstream's outage, not the message's: the circuit opens, the message waits without using an attempt
// (`failedDuringOutage`), and the probe runs every `probeIntervalMs` until the upstream answers again and the circuit
// closes. A failure while the upstream is judged healthy (the probe answers) is the message's own and counts.
import CircuitBreaker from 'opossum';
import type { BreakerConfig } from '../config/schema';
import { isUpstreamError, UpstreamError } from './delivery/adapter';
import { Deadline, withDeadline, type CallDeadline } from '../core/deadline';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Resolves when the upstream answers like a working service; rejects when it is failing. */
export type UpstreamProbe = (signal: AbortSignal) => Promise<void>;

export interface UpstreamBreaker {
  readonly name: string;
  /** How long this upstream may still carry out a call the bus abandoned (breaker config `abandonedCallSettleMs`). */
  readonly abandonedCallSettleMs: number;
  /**
   * Runs `work` through the circuit with the call's deadline (the breaker's timeout). Its signal is made when the work
   * reads it: work that finds its answer without the upstream (a cached catalogue entry) costs no signal.
   */
  call<T>(work: (deadline: CallDeadline) => Promise<T>): Promise<T>;
  state(): BreakerState;
  onStateChange(listener: (state: BreakerState) => void): void;
  shutdown(): void;
}

export const BREAKER_OPEN = 'EOPENBREAKER';

/** A probe answer is reused this long, so a burst of failures asks the upstream once. */
const PROBE_REUSE_MS = 1000;

/** Failures the breaker judged to be its upstream's outage (kept by identity, nothing added to the error). */
const outageFailures = new WeakSet<object>();

/** True when a call that failed through a breaker failed because its upstream was failing, not because of the message. */
export function failedDuringOutage(error: unknown): boolean {
  return typeof error === 'object' && error !== null && outageFailures.has(error);
}

function isTransientFailure(error: unknown): boolean {
  // Anything that is not a classified refusal (a plain network error included) says the call did not get through.
  return !isUpstreamError(error) || error.transient;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

export function createBreaker(name: string, config: BreakerConfig, probe?: UpstreamProbe): UpstreamBreaker {
  const runner = async (work: (deadline: CallDeadline) => Promise<unknown>): Promise<unknown> => {
    const deadline = new Deadline(config.timeoutMs);
    try {
      return await work(deadline);
    } catch (error) {
      if (deadline.timedOut && !isUpstreamError(error)) {
        throw new UpstreamError({ kind: 'timeout', code: 'UPSTREAM_TIMEOUT', message: `${name} did not answer within ${config.timeoutMs} ms` });
      }
      throw error;
    } finally {
      deadline.end();
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

  let consecutiveFailures = 0;
  breaker.on('success', () => (consecutiveFailures = 0));
  breaker.on('failure', () => consecutiveFailures++);

  let lastProbe: { atMs: number; answer: Promise<boolean> } | null = null;
  const probeTimeoutMs = Math.min(config.timeoutMs, 5000);
  const upstreamAnswers = (): Promise<boolean> => {
    if (!probe) return Promise.resolve(true);
    const now = Date.now();
    if (lastProbe && now - lastProbe.atMs < PROBE_REUSE_MS) return lastProbe.answer;
    const answer = withDeadline(probeTimeoutMs, [], probe).then(
      () => true,
      () => false,
    );
    lastProbe = { atMs: now, answer };
    return answer;
  };

  /** After a transient failure: is the upstream failing? If so the circuit opens (and the probe takes over). */
  const upstreamIsFailing = async (error: unknown): Promise<boolean> => {
    if (breaker.opened) return true;
    const failing = statusOf(error) === 429 || consecutiveFailures >= config.consecutiveFailures || !(await upstreamAnswers());
    if (failing && !breaker.opened) breaker.open();
    return failing;
  };

  // While the circuit is open the probe asks the upstream on its own, so it closes as soon as the upstream is back
  // (without a probe, opossum's half-open trial after resetTimeoutMs does that with a real call).
  let probing: NodeJS.Timeout | null = null;
  const stopProbing = () => {
    if (probing) clearInterval(probing);
    probing = null;
  };
  if (probe) {
    breaker.on('open', () => {
      stopProbing();
      probing = setInterval(() => {
        lastProbe = null;
        void upstreamAnswers().then((up) => {
          if (up && !breaker.closed) {
            consecutiveFailures = 0;
            breaker.close();
          }
        });
      }, config.probeIntervalMs ?? config.resetTimeoutMs);
      probing.unref();
    });
    breaker.on('close', stopProbing);
  }

  const listeners: ((state: BreakerState) => void)[] = [];
  const emit = (state: BreakerState) => listeners.forEach((l) => l(state));
  breaker.on('open', () => emit('open'));
  breaker.on('halfOpen', () => emit('half-open'));
  breaker.on('close', () => emit('closed'));
  return {
    name,
    abandonedCallSettleMs: config.abandonedCallSettleMs,
    async call<T>(work: (deadline: CallDeadline) => Promise<T>): Promise<T> {
      try {
        return (await breaker.fire(work)) as T;
      } catch (error) {
        if (!isBreakerOpen(error) && isTransientFailure(error) && typeof error === 'object' && error !== null && (await upstreamIsFailing(error))) {
          outageFailures.add(error);
        }
        throw error;
      }
    },
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'),
    onStateChange: (listener) => listeners.push(listener),
    shutdown: () => {
      stopProbing();
      breaker.shutdown();
    },
  };
}

export function isBreakerOpen(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: string }).code === BREAKER_OPEN;
}
