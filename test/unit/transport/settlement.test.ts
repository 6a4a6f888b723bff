// The settlement policy: attempts count only the message's own failures; whatever the cause, a message failing past its
// maximum age (since its first failure of this life) goes to the dead letters.
import { createEnvelope, withAttempt } from '../../../src/core/envelope';
import { settle } from '../../../src/transport/settlement';
import type { Delivery, RetryPolicy } from '../../../src/transport/transport';

const policy: RetryPolicy = { maxAttempts: 3, initialDelayMs: 1000, maxDelayMs: 60_000, multiplier: 2, jitter: 0, maxAgeMs: 7 * 24 * 3600_000 };
const envelope = createEnvelope({ type: 'dossier.submitted', source: 'motcua', payload: {} });
const start = Date.parse('2026-12-01T00:00:00Z');
const at = (ms: number) => new Date(start + ms);
const delivery = (attempt: number, failures: number): Delivery => ({
  envelope: withAttempt(envelope, attempt),
  route: 'dossier-sync',
  redelivered: false,
  history: Array.from({ length: failures }, (_, i) => ({ attempt, at: at(i * 60_000).toISOString(), code: 'NETWORK_ERROR', reason: 'refused' })),
});

test('a failure during an outage neither uses an attempt nor dead-letters, however many there were', () => {
  const result = settle(delivery(3, 500), { outcome: 'retry', code: 'NETWORK_ERROR', reason: 'refused', countAttempt: false }, policy, at(6 * 24 * 3600_000));
  expect(result).toMatchObject({ action: 'retry', envelope: { attempt: 3 } });
});

test('the message\'s own failures use up its attempts', () => {
  expect(settle(delivery(3, 2), { outcome: 'retry', code: 'UPSTREAM_UNAVAILABLE', reason: '503' }, policy, at(180_000))).toMatchObject({ action: 'dead-letter', letter: { code: 'RETRIES_EXHAUSTED' } });
});

test('past the maximum age since the first failure: MAX_AGE_EXCEEDED, whatever the attempts', () => {
  const old = settle(delivery(1, 10), { outcome: 'retry', code: 'NETWORK_ERROR', reason: 'refused', countAttempt: false }, policy, at(7 * 24 * 3600_000));
  expect(old).toMatchObject({ action: 'dead-letter', letter: { code: 'MAX_AGE_EXCEEDED', reason: 'still failing after 7.0 days (maximum age 7.0 days): refused' } });
  // A message never failed before starts its age now.
  expect(settle(delivery(1, 0), { outcome: 'retry', code: 'NETWORK_ERROR', reason: 'refused', countAttempt: false }, policy, at(30 * 24 * 3600_000))).toMatchObject({ action: 'retry' });
});
