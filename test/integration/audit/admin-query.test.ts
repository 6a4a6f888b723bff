// Malformed admin and status query parameters, on SQLite and on PostgreSQL stores: a page cursor the bus did not give
// out is 400 INVALID_CURSOR, any other parameter not of its kind 400 VALIDATION_FAILED naming it, each audited; none
// reaches a store (where a garbage cursor threw, and PostgreSQL refuses NUL in text and BIGINTs past 2^63).
import request from 'supertest';
import type { Bus } from '../../../src/bus';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';
import { uniqueName, waitFor } from '../../../testkit/env';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe.each(['sqlite', 'postgres'] as const)('admin query parameters (%s stores)', (stores) => {
  let world: DossierWorld;
  let bus: Bus;
  const schema = uniqueName('adminq').replace(/-/g, '_');
  beforeAll(async () => {
    if (stores === 'postgres') await createSchema(schema);
    world = await startDossierWorld({ transport: 'embedded', databaseUrl: stores === 'postgres' ? schemaUrl(schema) : null });
    bus = world.buses[0]!;
    // Records to page through: a few admin reads (asked for with includeAdminReads).
    for (let i = 0; i < 3; i++) await get('/api/v1/admin/breakers').expect(200);
  });
  afterAll(async () => {
    await world?.dispose();
    if (stores === 'postgres') await dropSchema(schema);
  });

  const get = (url: string) => request(bus.url()).get(url).set('Authorization', `Bearer ${world.token}`);
  const audited = async (step: string, code: string) => (await bus.audit.search({ step }, { limit: 1000 })).records.filter((r) => r.errorCode === code).length;

  /** Asks, expects 400 VALIDATION_FAILED naming exactly the field, and waits for the refusal's audit record. */
  const expectNamed = async (url: string, field: string, step: string) => {
    const before = await audited(step, 'VALIDATION_FAILED');
    const res = await get(url);
    expect({ url, status: res.status, code: res.body.code, fields: res.body.details?.map((d: { field: string }) => d.field) }).toEqual({ url, status: 400, code: 'VALIDATION_FAILED', fields: [field] });
    await waitFor(async () => (await audited(step, 'VALIDATION_FAILED')) > before, 5000, `the refusal of ${url} audited`);
  };

  test('a real cursor pages on; one the bus did not give out is 400 INVALID_CURSOR, audited', async () => {
    const first = await get('/api/v1/admin/audit?limit=1&includeAdminReads=true').expect(200);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await get(`/api/v1/admin/audit?limit=1&includeAdminReads=true&cursor=${first.body.next}`).expect(200);
    expect(second.body.records[0].hash).not.toBe(first.body.records[0].hash);

    const [at, chainId, seq] = JSON.parse(Buffer.from(first.body.next, 'base64url').toString('utf8')) as [string, string, number];
    for (const cursor of [
      'garbage',
      cursorOf([]),
      cursorOf({ at, chainId, seq }),
      cursorOf([at, chainId, 1e308]),
      cursorOf([at, chainId, -1]),
      cursorOf([at, chainId, 1.5]),
      cursorOf([at, `${chainId}\u0000`, seq]),
      cursorOf(['not a time', chainId, seq]),
      `${first.body.next}=`,
    ]) {
      const before = await audited('admin.search', 'INVALID_CURSOR');
      const res = await get(`/api/v1/admin/audit?cursor=${encodeURIComponent(cursor)}`);
      expect({ cursor, status: res.status, code: res.body.code }).toEqual({ cursor, status: 400, code: 'INVALID_CURSOR' });
      await waitFor(async () => (await audited('admin.search', 'INVALID_CURSOR')) > before, 5000, 'the refusal audited');
    }
  });

  test('audit search: each malformed parameter is 400 VALIDATION_FAILED naming it, audited', async () => {
    for (const [query, field] of [
      ['since=garbage', 'since'],
      ['since=2026-11-27', 'since'],
      ['until=2026-11-27T10:00:00', 'until'],
      ['subject=%00', 'subject'],
      ['client=a%0Ab', 'client'],
      ['step=%C2%85', 'step'],
      ['route=r%E2%80%AE', 'route'],
      ['limit=abc', 'limit'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=99999999999999999999', 'limit'],
      ['outcome=maybe', 'outcome'],
      ['step=a&step=b', 'step'],
      ['cursor=%00', 'cursor'],
      [`cursor=${'x'.repeat(1001)}`, 'cursor'],
    ] as const) {
      await expectNamed(`/api/v1/admin/audit?${query}`, field, 'admin.search');
    }
  });

  test('audit search: a time with an offset is compared as the instant it names, not as text', async () => {
    /** The instant `ms` written in the time zone `hours` east of UTC. */
    const zoned = (ms: number, hours: number) => `${new Date(ms + hours * 3_600_000).toISOString().slice(0, 19)}${hours < 0 ? '-' : '+'}${String(Math.abs(hours)).padStart(2, '0')}:00`;
    const hourAgo = Date.now() - 3_600_000;
    const inAnHour = Date.now() + 3_600_000;
    const count = async (query: string) => (await get(`/api/v1/admin/audit?limit=1000&${query}`).expect(200)).body.records.length as number;
    const all = await count('');
    expect(all).toBeGreaterThan(0);
    // Each search is audited too: later counts may only grow.
    expect(await count(`since=${encodeURIComponent(zoned(hourAgo, 7))}`)).toBeGreaterThanOrEqual(all);
    expect(await count(`until=${encodeURIComponent(zoned(inAnHour, -7))}`)).toBeGreaterThanOrEqual(all);
    expect(await count(`since=${encodeURIComponent(zoned(inAnHour, -7))}`)).toBe(0);
  });

  test('dead letters, timelines and message status: malformed parameters and ids are 400 VALIDATION_FAILED naming them', async () => {
    for (const [url, field, step] of [
      ['/api/v1/admin/dead-letters?since=yesterday', 'since', 'admin.dead-letters'],
      ['/api/v1/admin/dead-letters?messageId=%00', 'messageId', 'admin.dead-letters'],
      ['/api/v1/admin/dead-letters?includeReplayed=yes', 'includeReplayed', 'admin.dead-letters'],
      ['/api/v1/admin/dead-letters?limit=10001', 'limit', 'admin.dead-letters'],
      ['/api/v1/admin/dead-letters?code=a&code=b', 'code', 'admin.dead-letters'],
      ['/api/v1/admin/messages/%00/timeline', 'id', 'admin.timeline'],
      ['/api/v1/messages/a%00b', 'id', 'rejected'],
    ] as const) {
      await expectNamed(url, field, step);
    }
    expect((await get('/api/v1/admin/dead-letters?includeReplayed=false&limit=10000&since=2000-01-01T00:00:00Z').expect(200)).body.items).toEqual(expect.any(Array));
    expect((await get('/api/v1/messages/no-such-message').expect(404)).body.code).toBe('MESSAGE_NOT_FOUND');
  });
});
