// How long a retry policy takes to spend a message's attempts, so a test sizes an outage from the policy it configures.
import { backoffDelayMs, type RetryPolicy } from '../src/transport/transport';

type Backoff = Pick<RetryPolicy, 'maxAttempts' | 'initialDelayMs' | 'maxDelayMs' | 'multiplier'>;

/**
 * The longest a message can take from its first failure to its last attempt: the sum of its backoff steps before
 * jitter (jitter only shortens a step). An outage at least this long would dead-letter a message whose failures were
 * all counted as attempts.
 */
export function attemptsSpanMs(policy: Backoff): number {
  let total = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) total += backoffDelayMs({ ...policy, jitter: 0, maxAgeMs: Infinity }, attempt);
  return total;
}

/** attemptsSpanMs of the slowest of these routes' policies. */
export function longestAttemptsSpanMs(routes: readonly { retry: Backoff }[]): number {
  return Math.max(0, ...routes.map((r) => attemptsSpanMs(r.retry)));
}
