// A delivery in doubt after an abandoned call asks its upstream only once the upstream must have finished that call.
import { abandonedCallPendingMs } from '../../../src/messaging/route-runner';
import { settle } from '../../../src/transport/settlement';
import { createEnvelope } from '../../../src/core/envelope';
import type { DeliveryFailure } from '../../../src/transport/transport';

const failure = (at: number, unanswered?: boolean): DeliveryFailure => ({
  attempt: 1,
  at: new Date(at).toISOString(),
  code: 'X',
  reason: 'r',
  ...(unanswered ? { unanswered } : {}),
});

describe('abandonedCallPendingMs', () => {
  const now = Date.parse('2026-12-03T10:00:00Z');
  test('no abandoned call: nothing to wait for', () => {
    expect(abandonedCallPendingMs([], 30_000, now)).toBe(0);
    expect(abandonedCallPendingMs([failure(now - 1000)], 30_000, now)).toBe(0);
  });
  test('waits from the latest abandoned call until the settle time has passed', () => {
    expect(abandonedCallPendingMs([failure(now - 40_000, true), failure(now - 5000, true), failure(now - 1000)], 30_000, now)).toBe(25_000);
    expect(abandonedCallPendingMs([failure(now - 31_000, true)], 30_000, now)).toBe(0);
  });
});

describe('settle', () => {
  const policy = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0, maxAgeMs: 3_600_000 };
  const delivery = { envelope: createEnvelope({ type: 't', source: 's', payload: {} }), route: 'r', redelivered: false, history: [] };
  test('an unanswered call is marked in the history the retry carries', () => {
    const settlement = settle(delivery, { outcome: 'retry', code: 'DVCQG_TIMEOUT', reason: 'r', unanswered: true }, policy);
    expect(settlement.action).toBe('retry');
    if (settlement.action === 'retry') expect(settlement.history[0]!.unanswered).toBe(true);
    const answered = settle(delivery, { outcome: 'retry', code: 'DVCQG_HTTP_503', reason: 'r' }, policy);
    if (answered.action === 'retry') expect(answered.history[0]!.unanswered).toBeUndefined();
  });
});
