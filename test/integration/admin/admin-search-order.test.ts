// The admin audit search as the console shows it, on SQLite and PostgreSQL stores: newest first across pages, the
// console's own successful reads left out unless asked for (includeAdminReads, or a step filter), refused reads kept;
// the traffic page's counts from the same records.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Bus } from '../../../src/bus';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';
import { uniqueName, waitFor } from '../../../testkit/env';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';

interface Row {
  step: string;
  outcome: string;
  at: string;
  messageId: string | null;
}

describe.each(['sqlite', 'postgres'] as const)('admin audit search order and admin reads (%s stores)', (stores) => {
  let world: DossierWorld;
  let bus: Bus;
  const schema = uniqueName('adminorder').replace(/-/g, '_');
  beforeAll(async () => {
    if (stores === 'postgres') await createSchema(schema);
    world = await startDossierWorld({ transport: 'embedded', databaseUrl: stores === 'postgres' ? schemaUrl(schema) : null });
    bus = world.buses[0]!;
  });
  afterAll(async () => {
    await world?.dispose();
    if (stores === 'postgres') await dropSchema(schema);
  });

  const get = (url: string) => request(bus.url()).get(url).set('Authorization', `Bearer ${world.token}`);
  const rows = async (url: string): Promise<{ records: Row[]; next: string | null }> => {
    const res = await get(url).expect(200);
    return res.body as { records: Row[]; next: string | null };
  };

  test('records come newest first, and the next page continues with older ones', async () => {
    const subject = `H10-${randomUUID()}`;
    const base = Date.parse('2026-11-27T01:00:00.000Z');
    // Appended out of time order: the order is by time, not by insertion.
    for (const minute of [2, 0, 4, 1, 3]) {
      await bus.audit.append({ step: 'received', outcome: 'ok', subject, messageId: `m${minute}`, at: new Date(base + minute * 60_000).toISOString() });
    }
    const first = await rows(`/api/v1/admin/audit?subject=${subject}&limit=3`);
    expect(first.records.map((r) => r.messageId)).toEqual(['m4', 'm3', 'm2']);
    expect(first.next).not.toBeNull();
    const second = await rows(`/api/v1/admin/audit?subject=${subject}&limit=3&cursor=${first.next}`);
    expect(second.records.map((r) => r.messageId)).toEqual(['m1', 'm0']);
    expect(second.next).toBeNull();
  });

  test("the console's own reads are hidden from a search of everything unless asked for; refused reads and actions stay", async () => {
    for (let i = 0; i < 3; i++) await get('/api/v1/admin/breakers').expect(200);
    await get('/api/v1/admin/audit?limit=0').expect(400); // a refused read: admin.search, rejected
    const everything = async (query = '') => (await rows(`/api/v1/admin/audit?limit=1000${query}`)).records;
    await waitFor(async () => (await everything('&includeAdminReads=true')).filter((r) => r.step === 'admin.breakers').length >= 3, 5000, 'the breaker reads audited');

    const plain = await everything();
    expect(plain.filter((r) => r.step === 'admin.breakers')).toEqual([]);
    expect(plain.filter((r) => r.step.startsWith('admin.') && r.outcome === 'ok' && r.step !== 'admin.personal-data-viewed' && r.step !== 'admin.sign-in')).toEqual([]);
    expect(plain.some((r) => r.step === 'admin.search' && r.outcome === 'rejected')).toBe(true);

    const asked = await everything('&includeAdminReads=true');
    expect(asked.filter((r) => r.step === 'admin.breakers').length).toBeGreaterThanOrEqual(3);
    expect(asked.some((r) => r.step === 'admin.search' && r.outcome === 'ok')).toBe(true);
    // Asking for the step is asking for them.
    expect((await everything('&step=admin.breakers')).length).toBeGreaterThanOrEqual(3);
    // Newest first over the whole log too.
    const times = asked.map((r) => r.at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  test('the traffic answer counts the records of its window into buckets, per route and by code', async () => {
    const route = `route-${randomUUID().slice(0, 8)}`;
    const now = new Date().toISOString();
    await bus.audit.append({ step: 'received', outcome: 'ok', route, messageId: randomUUID(), at: now });
    await bus.audit.append({ step: 'received', outcome: 'ok', route, messageId: randomUUID(), at: now });
    await bus.audit.append({ step: 'failed', outcome: 'error', route, errorCode: 'TRAFFIC_TEST_CODE', at: now });
    // Outside the window: not counted.
    await bus.audit.append({ step: 'received', outcome: 'ok', route, messageId: randomUUID(), at: new Date(Date.now() - 2 * 3_600_000).toISOString() });
    const res = await get('/api/v1/admin/traffic?hours=1').expect(200);
    const body = res.body as { bucketSeconds: number; buckets: string[]; routes: { route: string; received: number[]; failed: number[] }[]; errors: { byCode: { code: string; count: number }[] }; upstreams: { upstream: string; displayName: string }[] };
    expect(body.bucketSeconds).toBe(60);
    expect(body.buckets).toHaveLength(60);
    const mine = body.routes.find((r) => r.route === route)!;
    expect(mine.received.reduce((a, b) => a + b, 0)).toBe(2);
    expect(mine.received[mine.received.length - 1]).toBe(2); // the newest bucket
    expect(mine.failed.reduce((a, b) => a + b, 0)).toBe(1);
    expect(body.errors.byCode).toContainEqual({ code: 'TRAFFIC_TEST_CODE', count: 1 });
    expect(body.upstreams.find((u) => u.upstream === 'population')?.displayName).toBe('Cơ sở dữ liệu quốc gia về dân cư');
    expect((await get('/api/v1/admin/traffic?hours=25').expect(400)).body.code).toBe('VALIDATION_FAILED');
  });

  test('includeAdminReads must be true or false', async () => {
    const res = await get('/api/v1/admin/audit?includeAdminReads=yes').expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});
