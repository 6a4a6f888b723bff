// The bus's audit trail end to end: every hop of a dossier recorded and found by MaHoSo, admin actions (refused
// ones too) recorded, the log verifying; intake failing closed while the audit store cannot be written, and
// recovering by itself with nothing accepted lost.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Bus } from '../../../src/bus';
import { waitFor } from '../../../testkit/env';
import { startDossierWorld, TEST_ADMIN, TEST_CLIENT_MEMBER, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const code = (n: number) => `000.00.04.H10-261129-${Date.now() % 1e6}${String(n).padStart(3, '0')}`;

describe('audit trail of the bus (embedded transport, SQLite audit store)', () => {
  let world: DossierWorld;
  let bus: Bus;
  let adminToken: string;
  beforeAll(async () => {
    world = await startDossierWorld({ transport: 'embedded' });
    bus = world.buses[0]!;
  });
  afterAll(async () => world?.dispose());

  const submit = (maHoSo: string) =>
    request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo });
  const admin = (url: string) => request(bus.url()).get(url).set('Authorization', `Bearer ${adminToken}`);

  test('an admin signs in; a wrong password is refused and recorded', async () => {
    const wrong = await request(bus.url()).post('/api/v1/admin/session').send({ username: TEST_ADMIN.username, password: 'sai' }).expect(401);
    expect(wrong.body.code).toBe('SIGN_IN_FAILED');
    const res = await request(bus.url()).post('/api/v1/admin/session').send(TEST_ADMIN).expect(200);
    expect(res.body).toMatchObject({ username: TEST_ADMIN.username, canViewPersonalData: false });
    adminToken = res.body.token;
    const refused = await admin('/api/v1/admin/audit?step=admin.sign-in&outcome=rejected').expect(200);
    expect(refused.body.records[0]).toMatchObject({ step: 'admin.sign-in', outcome: 'rejected', actor: `admin:${TEST_ADMIN.username}`, errorCode: 'SIGN_IN_FAILED' });
  });

  test('every hop of a dossier is recorded, in order, and found by its MaHoSo', async () => {
    const maHoSo = code(1);
    const accepted = await submit(maHoSo).expect(202);
    await waitFor(() => world.dvcqg.store.dossier(maHoSo), 20_000, 'dossier at DVCQG');
    const found = await waitFor(async () => {
      const res = await admin(`/api/v1/admin/audit?subject=${encodeURIComponent(maHoSo)}`).expect(200);
      return res.body.records.some((r: { step: string }) => r.step === 'delivered') ? res.body : null;
    }, 10_000, 'delivered record');
    expect(found.records.every((r: { subject: string }) => r.subject === maHoSo)).toBe(true);
    const timeline = await admin(`/api/v1/admin/messages/${accepted.body.messageId}/timeline`).expect(200);
    expect(timeline.body.message).toMatchObject({ state: 'delivered', subject: maHoSo });
    expect(timeline.body.records.map((r: { step: string }) => r.step)).toEqual(['received', 'enriched', 'enriched', 'transformed', 'delivered']);
    const received = timeline.body.records[0];
    expect(received).toMatchObject({ client: 'test-client', clientMember: TEST_CLIENT_MEMBER, route: 'dossier-sync', outcome: 'ok' });
    expect(received.payloadDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(timeline.body.records[4].durationMs).toBeGreaterThanOrEqual(0);
  });

  test('a rejected dossier and a refused request are recorded with their codes', async () => {
    const maHoSo = code(2);
    const res = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo, ChuHoSo: 'Người Khác' }).expect(202);
    const timeline = await waitFor(async () => {
      const t = await admin(`/api/v1/admin/messages/${res.body.messageId}/timeline`).expect(200);
      return t.body.records.some((r: { step: string }) => r.step === 'rejected') ? t.body : null;
    }, 10_000, 'rejection record');
    expect(timeline.records.at(-1)).toMatchObject({ step: 'rejected', outcome: 'rejected', errorCode: 'CITIZEN_MISMATCH' });
    await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ MaHoSo: 'x' }).expect(400);
    const refusal = await waitFor(async () => {
      const r = await admin('/api/v1/admin/audit?step=rejected&outcome=rejected&client=test-client').expect(200);
      return r.body.records.find((x: { errorCode: string }) => x.errorCode === 'VALIDATION_FAILED');
    }, 5000, 'refusal record');
    expect(refusal.reason).toBe('the dossier is not valid');
    // No personal data in what an admin sees of the records.
    expect(JSON.stringify(timeline)).not.toContain('Người Khác');
  });

  test('a caller without a valid admin token is denied, and the denial is recorded', async () => {
    await request(bus.url()).get('/api/v1/admin/audit').set('Authorization', 'Bearer nonsense').expect(401);
    const denied = await waitFor(async () => {
      const r = await admin('/api/v1/admin/audit?step=admin.denied').expect(200);
      return r.body.records[0];
    }, 5000, 'denial record');
    expect(denied).toMatchObject({ step: 'admin.denied', outcome: 'rejected', errorCode: 'TOKEN_INVALID' });
  });

  test('the log verifies, through the API', async () => {
    await bus.audit.checkpoint();
    const res = await admin('/api/v1/admin/verification').expect(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.failure).toBeNull();
    expect(res.body.verifiedThroughSeq).toBeGreaterThan(10);
    expect(res.body.chains[0].signedThrough).not.toBeNull();
    // Each chain says how it ends: sealed, or signed to its end, or how many records follow its last checkpoint.
    expect(res.body.chains[0]).toMatchObject({ seal: null, unsignedTail: expect.any(Number) });
    expect(res.body.unsignedTails).toEqual(expect.any(Number));
  });

  test('while the audit store cannot be written, intake answers 503 and accepts nothing; then it recovers by itself', async () => {
    // Accepted just before the store goes: these are in flight while it cannot be written, and must not be lost.
    // DVCQG slow until the store is back, so these stay in flight across the whole block however long it lasts.
    world.dvcqg.control.setFault({ mode: 'slow', delayMs: 300, durationMs: 600_000 });
    const inFlight: string[] = [];
    for (let i = 0; i < 10; i++) {
      const maHoSo = code(300 + i);
      await submit(maHoSo).expect(202);
      inFlight.push(maHoSo);
    }
    const blocker = new Database(path.join(world.dataDir, 'audit.db'));
    blocker.exec('BEGIN EXCLUSIVE');
    const during: { status: number; code?: string; id?: string; maHoSo: string }[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const maHoSo = code(100 + i);
        const res = await submit(maHoSo);
        during.push({ status: res.status, code: res.body.code, id: res.body.messageId, maHoSo });
      }
      // Blocked until the bus has noticed: it answers not ready.
      await waitFor(async () => (await request(bus.url()).get('/readyz')).status !== 200, 10_000, 'not ready while the store is blocked');
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
      world.dvcqg.control.setFault({ mode: 'none' });
    }
    expect(during.every((r) => r.status === 503 && r.code === 'AUDIT_UNAVAILABLE')).toBe(true);
    for (const r of during) expect(world.dvcqg.store.dossier(r.maHoSo)).toBeUndefined();
    const ready = await waitFor(async () => (await request(bus.url()).get('/readyz')).status === 200, 10_000, 'ready again');
    expect(ready).toBe(true);
    const maHoSo = code(200);
    const res = await submit(maHoSo).expect(202);
    await waitFor(() => world.dvcqg.store.dossier(maHoSo), 20_000, 'delivered after recovery');
    expect(res.body.messageId).toBeDefined();
    await waitFor(() => inFlight.every((c) => world.dvcqg.store.dossier(c)), 30_000, 'in-flight dossiers delivered');
    for (const c of inFlight) expect(world.dvcqg.store.dossier(c)!.syncCount).toBe(1);
    expect(await bus.transport.listDeadLetters({})).toEqual([]);
  });
});
