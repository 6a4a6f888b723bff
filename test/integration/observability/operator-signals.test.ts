// What an operator alerts on and searches by, from a real bus: each metric moves as the bus's state does (a dead
// letter appears and is replayed, an upstream goes down and comes back, a message waits past its route's deadline),
// log lines carry the subject (MaHoSo) and the failure reason but never a citizen id, an unauthenticated 404 is counted
// and not audited, and every metric the shipped alert rules and dashboard name is served by the bus's /metrics.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { startBus, type Bus } from '../../../src/bus';
import { createLogger } from '../../../src/observability/logger';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { busProcessDocuments, TEST_CLIENT, TEST_SIGNING_KEY } from '../../../testkit/bus-process';
import { loadDocuments } from '../../../testkit/config/bus-documents';
import { AMQP_URL, DEVELOPMENT_PROFILE, uniqueName, waitFor } from '../../../testkit/env';
import { testToken } from '../../../testkit/intake';
import { alertRules, dashboardExprs, metricNamesOf, sampleNames, SCRAPE_SERIES } from '../../../testkit/ops-assets';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';

const CITIZEN_ID = '026092008262';
const MA_HO_SO = 'H10.22-260101-0001';
const DEADLINE_SECONDS = 2;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samples(exposition: string): Sample[] {
  const out: Sample[] = [];
  for (const line of exposition.split('\n')) {
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    out.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return out;
}

describe.each([
  ['embedded transport, SQLite stores', null, false],
  ['RabbitMQ transport, PostgreSQL stores', AMQP_URL, true],
])('operator signals (%s)', (_label, amqpUrl, postgres) => {
  let receiver: ReceiverSimulator;
  let bus: Bus;
  let dir: string;
  let logs = '';
  const prefix = uniqueName('ops').toLowerCase();
  const schema = `ops_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const token = testToken(TEST_CLIENT, TEST_SIGNING_KEY);
  const auth = { Authorization: `Bearer ${token}` };

  const scrape = async (): Promise<Sample[]> => samples((await request(bus.url()).get('/metrics').expect(200)).text);
  const value = async (name: string, labels: Record<string, string> = {}): Promise<number | undefined> =>
    (await scrape()).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  const lines = (): Record<string, unknown>[] => logs.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const send = async (subject: string, payload: object): Promise<string> =>
    (await request(bus.url()).post('/api/v1/messages').set(auth).send({ type: 'test.ping', subject, payload }).expect(202)).body.messageId as string;

  beforeAll(async () => {
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-ops-'));
    if (postgres) await createSchema(schema);
    const documents = busProcessDocuments({ dir, amqpUrl, namePrefix: prefix, receiverUrl: receiver.url, port: 0, databaseUrl: postgres ? schemaUrl(schema) : null });
    // A short deadline, and a breaker whose probe finds the receiver back quickly.
    documents.routes.routes[0]!.deadlineSeconds = DEADLINE_SECONDS;
    const receiverAdapter = documents.bus.adapters?.receiver;
    if (receiverAdapter?.kind !== 'http-push') throw new Error('the test bus has no http-push receiver adapter');
    receiverAdapter.breaker = { ...receiverAdapter.breaker, resetTimeoutMs: 500, probeIntervalMs: 200 };
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logs += chunk.toString()), done()) });
    bus = await startBus(loadDocuments(documents, { configDir: path.join(dir, 'config'), env: DEVELOPMENT_PROFILE }), { logger: createLogger('info', sink) });
  });

  afterAll(async () => {
    await bus?.stop();
    await receiver?.close();
    if (amqpUrl) await deleteTopology(prefix, [{ name: 'chaos', prefetch: 100, retry: { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2, maxAgeMs: 604_800_000 } }]);
    if (postgres) await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  test('from the start: every route has its dead letters, oldest waiting age and deadline; audit writable; Node metrics unprefixed', async () => {
    const all = await scrape();
    const one = (name: string, labels: Record<string, string> = {}) => all.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(one('lgsp_dead_letters', { route: 'chaos' })).toBe(0);
    expect(one('lgsp_oldest_waiting_message_age_seconds', { route: 'chaos' })).toBe(0);
    expect(one('lgsp_route_deadline_seconds', { route: 'chaos' })).toBe(DEADLINE_SECONDS);
    expect(one('lgsp_audit_writable')).toBe(1);
    expect(one('lgsp_breaker_state', { upstream: 'receiver' })).toBe(0);
    const names = all.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds']));
    expect(names.some((n) => n.startsWith('lgsp_process_') || n.startsWith('lgsp_nodejs_'))).toBe(false);
  });

  test('a delivery: the upstream call is timed, and the log says it was delivered, with the MaHoSo and without the citizen id', async () => {
    const id = await send(MA_HO_SO, { SoDinhDanh: CITIZEN_ID, note: `CCCD ${CITIZEN_ID}` });
    // A generic client may give a citizen id as the subject: it is masked in the log.
    const personal = await send(CITIZEN_ID, { n: 2 });
    await waitFor(() => [id, personal].every((m) => receiver.applied().some((a) => a.key === m)), 20_000, 'deliveries');
    await waitFor(async () => ((await value('lgsp_upstream_call_duration_seconds_count', { upstream: 'receiver', outcome: 'ok' })) ?? 0) >= 2, 10_000, 'timed calls');
    const delivered = await waitFor(() => lines().find((l) => l.msg === 'delivered' && l.messageId === id), 10_000, 'delivered line');
    expect(delivered).toMatchObject({ subject: MA_HO_SO, route: 'chaos', attempt: 1, level: 'info' });
    expect(lines().find((l) => l.msg === 'accepted' && l.messageId === id)).toMatchObject({ subject: MA_HO_SO });
    expect(await waitFor(() => lines().find((l) => l.msg === 'delivered' && l.messageId === personal), 10_000, 'delivered line')).toMatchObject({ subject: '***' });
    expect(logs).not.toContain(CITIZEN_ID);
  });

  test('a refused delivery: the dead-letter gauge goes to 1 and back to 0 on replay; the log gives the reason and the replay', async () => {
    receiver.control.setFault({ mode: 'fail', status: 422, durationMs: 60_000 });
    const id = await send(MA_HO_SO, { n: 3 });
    await waitFor(async () => (await value('lgsp_dead_letters', { route: 'chaos' })) === 1, 20_000, 'dead-letter gauge at 1');
    expect(await value('lgsp_upstream_call_duration_seconds_count', { upstream: 'receiver', outcome: 'refused' })).toBeGreaterThanOrEqual(1);
    expect(lines().find((l) => l.msg === 'upstream call failed' && l.messageId === id)).toMatchObject({ subject: MA_HO_SO, code: 'UPSTREAM_REJECTED', reason: 'receiver answered HTTP 422' });
    expect(lines().find((l) => l.msg === 'message dead-lettered' && l.messageId === id)).toMatchObject({ subject: MA_HO_SO, code: 'UPSTREAM_REJECTED', reason: 'receiver answered HTTP 422' });

    receiver.control.setFault({ mode: 'none' });
    await request(bus.url()).post('/api/v1/admin/dead-letters/replay').set(auth).send({ messageId: id }).expect(200);
    await waitFor(() => receiver.applied().some((a) => a.key === id), 20_000, 'replayed delivery');
    await waitFor(async () => (await value('lgsp_dead_letters', { route: 'chaos' })) === 0, 10_000, 'dead-letter gauge back at 0');
    expect(lines().find((l) => l.msg === 'dead letter replayed: back on its route' && l.messageId === id)).toMatchObject({ subject: MA_HO_SO, code: 'DEAD_LETTER_REPLAYED' });
    await waitFor(() => lines().find((l) => l.msg === 'delivered' && l.messageId === id), 10_000, 'delivered after replay');
  });

  test('an upstream down: the breaker gauge says open, the waiting message ages past its deadline, and all of it clears when it is back', async () => {
    receiver.control.setFault({ mode: 'fail', status: 503, durationMs: 60_000 });
    const id = await send(MA_HO_SO, { n: 4 });
    await waitFor(async () => (await value('lgsp_breaker_state', { upstream: 'receiver' })) === 2, 20_000, 'breaker gauge open');
    expect(await value('lgsp_upstream_call_duration_seconds_count', { upstream: 'receiver', outcome: 'failed' })).toBeGreaterThanOrEqual(1);
    const first = await waitFor(async () => {
      const age = await value('lgsp_oldest_waiting_message_age_seconds', { route: 'chaos' });
      return age !== undefined && age > 0 ? age : null;
    }, 10_000, 'an oldest waiting age');
    await waitFor(async () => ((await value('lgsp_oldest_waiting_message_age_seconds', { route: 'chaos' })) ?? 0) > Math.max(first, DEADLINE_SECONDS), 15_000, 'the age past the deadline');
    const failure = lines().find((l) => l.msg === 'upstream call failed' && l.messageId === id);
    expect(failure).toMatchObject({ subject: MA_HO_SO, upstream: 'receiver', reason: expect.stringContaining('503') });

    receiver.control.setFault({ mode: 'none' });
    await waitFor(() => receiver.applied().some((a) => a.key === id), 30_000, 'delivery once the receiver is back');
    await waitFor(async () => (await value('lgsp_breaker_state', { upstream: 'receiver' })) === 0, 10_000, 'breaker gauge closed');
    await waitFor(async () => (await value('lgsp_oldest_waiting_message_age_seconds', { route: 'chaos' })) === 0, 10_000, 'no message waiting');
  });

  test('an unauthenticated 404 is counted and logged by sample, not audited; an identified caller\'s 404 is audited and counted as a refusal', async () => {
    const since = new Date().toISOString();
    await request(bus.url()).get('/wp-login.php').expect(404);
    await request(bus.url()).get(`/.env/${CITIZEN_ID}`).expect(404);
    await request(bus.url()).get('/api/v1/messages/00000000-0000-4000-8000-000000000000').set(auth).expect(404);
    expect(await value('lgsp_unauthenticated_probes_total')).toBe(2);
    expect(await value('lgsp_intake_refused_total', { code: 'MESSAGE_NOT_FOUND' })).toBe(1);
    expect(await value('lgsp_intake_refused_total', { code: 'NOT_FOUND' })).toBeUndefined();
    expect(lines().find((l) => l.code === 'UNAUTHENTICATED_PROBE')).toMatchObject({ method: 'GET', path: '/wp-login.php', probes: 1, level: 'warn' });
    const audited = await waitFor(async () => {
      const page = await bus.audit.search({ step: 'rejected', since });
      return page.records.some((r) => r.errorCode === 'MESSAGE_NOT_FOUND') ? page.records : null;
    }, 10_000, 'the identified refusal audited');
    expect(audited.map((r) => r.errorCode)).toEqual(['MESSAGE_NOT_FOUND']);
    expect(logs).not.toContain(CITIZEN_ID);
  });

  test('an admin action refused is counted with the refusals, as the trail records it', async () => {
    const since = new Date().toISOString();
    await request(bus.url()).post('/api/v1/admin/dead-letters/replay').set(auth).send({}).expect(400);
    expect(await value('lgsp_intake_refused_total', { code: 'REPLAY_FILTER_REQUIRED' })).toBe(1);
    const page = await bus.audit.search({ step: 'admin.replay', since });
    expect(page.records.map((r) => [r.outcome, r.errorCode])).toEqual([['rejected', 'REPLAY_FILTER_REQUIRED']]);
  });

  // The SQLite audit store held locked by another connection (a backup, a runaway admin session) cannot be written:
  // the gauge an alert watches reads 0 while intake refuses, and 1 again once the lock is gone.
  if (!postgres) {
    test('the audit store locked: lgsp_audit_writable goes to 0 while intake refuses, and back to 1 when released', async () => {
      expect(await value('lgsp_audit_writable')).toBe(1);
      const blocker = new Database(path.join(dir, 'data', 'audit.db'));
      try {
        blocker.pragma('busy_timeout = 0');
        blocker.exec('BEGIN EXCLUSIVE');
        const refused = await request(bus.url()).post('/api/v1/messages').set(auth).send({ type: 'test.ping', subject: MA_HO_SO, payload: { n: 9 } });
        expect(refused.status).toBe(503);
        await waitFor(async () => (await value('lgsp_audit_writable')) === 0, 10_000, 'audit writable gauge at 0');
      } finally {
        if (blocker.inTransaction) blocker.exec('ROLLBACK');
        blocker.close();
      }
      await waitFor(async () => (await value('lgsp_audit_writable')) === 1, 15_000, 'audit writable gauge back at 1');
      await send(MA_HO_SO, { n: 10 });
    });
  }

  test('every metric the alert rules and the dashboard name is served by the bus', async () => {
    const served = sampleNames((await request(bus.url()).get('/metrics').expect(200)).text);
    const named = new Set([...alertRules().map((r) => r.expr), ...dashboardExprs()].flatMap(metricNamesOf));
    const missing = [...named].filter((name) => !served.has(name) && !SCRAPE_SERIES.has(name));
    expect(missing).toEqual([]);
  });
});
