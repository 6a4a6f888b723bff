// An outage of any length ends in delivery, at one message an hour as at a thousand a second: a lone dossier sent while
// DVCQG refuses connections waits out the outage without spending its attempts. The upstream's breaker judges a failure
// by consecutive failures and its probe, not only by volume (a breaker that opens after 5 calls in 10 s never opens for
// one message's backoff), and a failure during an outage uses no attempt. Time is compressed by
// configuration: 3 attempts, backoff 50–200 ms, and the outage lasts until the dossier has been tried five times its
// attempts (a few seconds) — with the shipped policy (8 attempts, up to 60 s apart) as many tries span ~10 minutes. A message failing past its maximum age still ends in the
// dead letters (MAX_AGE_EXCEEDED), and the console's waiting list says when.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { waitFor } from '../../../testkit/env';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const code = (n: number) => `000.00.04.H10-261203-${Date.now() % 1e6}${String(n).padStart(4, '0')}`;
const MAX_ATTEMPTS = 3;
/** The outage lasts until the dossier has been retried this often: five times as many tries as it has attempts. */
const TRIES_DURING_OUTAGE = 5 * MAX_ATTEMPTS;

describe.each(['embedded', 'amqp'] as const)('one dossier through a long DVCQG outage (%s transport)', (transport) => {
  let world: DossierWorld;
  beforeAll(async () => {
    world = await startDossierWorld({
      transport,
      retry: { maxAttempts: MAX_ATTEMPTS, initialDelayMs: 50, maxDelayMs: 200 },
      // The volume rule alone (20 calls in the window) never opens the circuit for one message's 3 attempts.
      breaker: { resetTimeoutMs: 400, probeIntervalMs: 200, consecutiveFailures: 3, volumeThreshold: 20 },
    });
  });
  afterAll(async () => world?.dispose());

  test('is delivered once after the outage, having waited five times its attempts in tries without using them up; the console lists it meanwhile', async () => {
    const bus = world.buses[0]!;
    const maHoSo = code(1);
    // Refused until the test lifts it, once the dossier has been retried TRIES_DURING_OUTAGE times.
    world.dvcqg.control.setFault({ mode: 'refuse', durationMs: 600_000 });
    const res = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo }).expect(202);
    const id = String(res.body.messageId);

    const waiting = await waitFor(async () => {
      const list = await request(bus.url()).get('/api/v1/admin/waiting').set('Authorization', `Bearer ${world.token}`).expect(200);
      return (list.body.items as { messageId: string; failingSince: string; deadLetterAt: string; maxAttempts: number }[]).find((m) => m.messageId === id);
    }, 10_000, 'the dossier in the waiting list');
    expect(Date.parse(waiting.deadLetterAt) - Date.parse(waiting.failingSince)).toBe(7 * 24 * 3600_000);
    expect(waiting.maxAttempts).toBe(MAX_ATTEMPTS);

    const retried = async () => (await bus.audit.search({ messageId: id, step: 'retried' }, { limit: 1000, cursor: null })).records.length;
    await waitFor(async () => {
      const dead = await bus.transport.listDeadLetters({ messageId: id });
      if (dead.length > 0) throw new Error(`dead-lettered during the outage: ${dead.map((d) => `${d.code} ${d.reason}`).join('; ')}`);
      return (await retried()) >= TRIES_DURING_OUTAGE;
    }, 60_000, `${TRIES_DURING_OUTAGE} retries during the outage`);
    world.dvcqg.control.setFault({ mode: 'none' });

    const stored = await waitFor(() => world.dvcqg.store.dossier(maHoSo), 30_000, 'the dossier at DVCQG');
    expect(stored.syncCount).toBe(1);
    // DVCQG holds it a moment before the bus has recorded the delivery.
    const status = await waitFor(async () => {
      const answer = await request(bus.url()).get(`/api/v1/messages/${id}`).set('Authorization', `Bearer ${world.token}`).expect(200);
      return answer.body.state === 'delivered' ? (answer.body as { attempts: number }) : undefined;
    }, 10_000, 'the dossier delivered');
    expect(status.attempts).toBeLessThan(MAX_ATTEMPTS);
    expect(await bus.transport.listDeadLetters({ messageId: id })).toEqual([]);
  }, 120_000);
});

describe('past its maximum age a message still failing goes to the dead letters', () => {
  let world: DossierWorld;
  beforeAll(async () => {
    world = await startDossierWorld({
      transport: 'embedded',
      retry: { maxAttempts: MAX_ATTEMPTS, initialDelayMs: 50, maxDelayMs: 200, maxAgeMs: 2000 },
      breaker: { resetTimeoutMs: 400, probeIntervalMs: 200 },
    });
  });
  afterAll(async () => world?.dispose());

  test('MAX_AGE_EXCEEDED once it has failed for the route\'s maxAgeMs, not RETRIES_EXHAUSTED', async () => {
    const bus = world.buses[0]!;
    // Refused until the test lifts it, after the dead letter: longer than the route's maxAgeMs whatever it takes.
    world.dvcqg.control.setFault({ mode: 'refuse', durationMs: 600_000 });
    const res = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: code(2) }).expect(202);
    const [letter] = await waitFor(async () => {
      const letters = await bus.transport.listDeadLetters({ messageId: String(res.body.messageId) });
      return letters.length > 0 ? letters : null;
    }, 15_000, 'the dead letter');
    expect(letter!.code).toBe('MAX_AGE_EXCEEDED');
    expect(letter!.reason).toMatch(/^still failing after \d+ s \(maximum age 2 s\)/);
    const failingFor = Date.parse(letter!.deadAt) - Date.parse(letter!.history[0]!.at);
    expect(failingFor).toBeGreaterThanOrEqual(2000);
    world.dvcqg.control.setFault({ mode: 'none' });
  });
});
