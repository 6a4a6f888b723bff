// The province's procedure catalogue kept in the bus's stores (SQLite and PostgreSQL), against the DVCQG simulator's 1,864
// procedures over real sockets: it survives a restart while DVCQG is away, an on-demand refresh picks up a withdrawn and
// a changed procedure (LayThuTuc only for the changed one), intake refuses by it by default, and the endpoints answer
// as their contract says.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { DATABASE_URL, uniqueName, waitFor } from '../../../testkit/env';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';
import { PostgresStores } from '../../../src/stores/postgres/postgres-stores';
import { testToken } from '../../../testkit/intake';
import { TEST_SIGNING_KEY } from '../../../testkit/bus-process';
import { PROVINCE_LINKED_COUNT, PROVINCE_PROCEDURE_COUNT } from '../../../testkit/simulators/dvcqg';
import { startDossierWorld, STATUS_ONLY_CLIENT, TEST_ADMIN, type DossierWorld } from '../../../testkit/worlds/dossier-world';
import { ContractValidator } from '../../../src/http/contract-validator';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const contracts = new ContractValidator();
let counter = 0;
const dossierCode = () => `000.00.04.H10-261204-${String(++counter + Math.floor(Math.random() * 1e6)).padStart(7, '0')}`;

describe.each([
  ['SQLite stores', { transport: 'embedded' as const, databaseUrl: null }],
  ['PostgreSQL stores', { transport: 'amqp' as const, databaseUrl: DATABASE_URL }],
])('procedure catalogue kept in the stores (%s)', (_name, backend) => {
  let world: DossierWorld;
  let firstCopyMs = 0;
  const url = () => world.buses[0]!.url();
  const submit = (body: Record<string, unknown>) => request(url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send(body);
  const procedures = (query = '') => request(url()).get(`/api/v1/procedures${query}`).set('Authorization', `Bearer ${world.token}`);

  beforeAll(async () => {
    const started = Date.now();
    world = await startDossierWorld({ ...backend });
    await waitFor(async () => (await procedures()).status === 200, 60_000, 'a first copy of the catalogue');
    firstCopyMs = Date.now() - started;
  });
  afterAll(async () => world?.dispose());

  test('the province list is stored whole; GET /api/v1/procedures searches it, accents or none, a page at a time', async () => {
    // Printed for the record: the first copy asks LayThuTuc for every procedure once.
    process.stdout.write(`first copy of ${PROVINCE_PROCEDURE_COUNT} procedures (${backend.databaseUrl ? 'PostgreSQL' : 'SQLite'}) in ${firstCopyMs} ms after start\n`);
    const all = await procedures('?limit=10').expect(200);
    expect(contracts.validate('bus-api', 'ProcedurePage', all.body)).toEqual([]);
    expect(all.body.catalogue).toMatchObject({ procedures: PROVINCE_PROCEDURE_COUNT, linked: PROVINCE_LINKED_COUNT });
    expect(all.body).toMatchObject({ total: PROVINCE_PROCEDURE_COUNT, offset: 0, limit: 10 });
    expect(all.body.items).toHaveLength(10);

    const unaccented = await procedures(`?q=${encodeURIComponent('dang ky khai sinh')}&field=HT`).expect(200);
    expect(unaccented.body.items.map((p: { code: string }) => p.code)).toContain('1.001193');
    const accented = await procedures(`?q=${encodeURIComponent('Đăng ký khai sinh')}`).expect(200);
    const unaccentedAnyField = await procedures(`?q=${encodeURIComponent('dang ky khai sinh')}`).expect(200);
    expect(accented.body.total).toBe(unaccentedAnyField.body.total);
    const byField = await procedures(`?field=${encodeURIComponent('đất đai')}&linked=false&limit=500`).expect(200);
    expect(byField.body.total).toBeGreaterThan(0);
    expect(byField.body.items.every((p: { field: { code: string }; linked: boolean }) => p.field.code === 'DD' && !p.linked)).toBe(true);
    const secondPage = await procedures('?offset=10&limit=10').expect(200);
    expect(secondPage.body.items[0].code > all.body.items[9].code).toBe(true);

    const one = await request(url()).get('/api/v1/procedures/1.001193').set('Authorization', `Bearer ${world.token}`).expect(200);
    expect(contracts.validate('bus-api', 'ProcedureDetail', one.body)).toEqual([]);
    expect(one.body).toMatchObject({ code: '1.001193', name: 'Thủ tục đăng ký khai sinh', field: { code: 'HT', name: 'Hộ tịch' }, linked: true, dvcqg: { MATTHC: '1.001193' } });
    const missing = await request(url()).get('/api/v1/procedures/9.999999').set('Authorization', `Bearer ${world.token}`).expect(404);
    expect(missing.body.code).toBe('PROCEDURE_NOT_FOUND');
  });

  test("who may read it: procedure.read or an admin console session; refresh is the admin's", async () => {
    const statusOnly = testToken(STATUS_ONLY_CLIENT, TEST_SIGNING_KEY);
    expect((await request(url()).get('/api/v1/procedures').set('Authorization', `Bearer ${statusOnly}`).expect(403)).body.code).toBe('RIGHT_REQUIRED');
    expect((await request(url()).get('/api/v1/procedures').expect(401)).body.code).toBe('AUTH_REQUIRED');
    expect((await procedures('?limit=0').expect(400)).body.code).toBe('VALIDATION_FAILED');
    const session = await request(url()).post('/api/v1/admin/session').send(TEST_ADMIN).expect(200);
    await request(url()).get('/api/v1/procedures?limit=1').set('Authorization', `Bearer ${session.body.token}`).expect(200);
    expect((await request(url()).post('/api/v1/admin/procedures/refresh').set('Authorization', `Bearer ${statusOnly}`).expect(403)).body.code).toBe('ROLE_REQUIRED');
  });

  test('an on-demand refresh picks up a withdrawn and a changed procedure, asks LayThuTuc for the changed one only, and is audited', async () => {
    const withdrawn = '1.000689';
    const renamed = '1.000656';
    const before = world.dvcqg.catalogue.find(renamed)!;
    const removed = world.dvcqg.catalogue.find(withdrawn)!;
    await submit({ ...sample, MaHoSo: dossierCode(), MaTTHC: withdrawn }).expect(202);
    world.dvcqg.catalogue.withdraw(withdrawn);
    world.dvcqg.catalogue.change(renamed, { TENTTHC: 'Thủ tục cấp Giấy xác nhận tình trạng hôn nhân (sửa đổi)' });
    try {
      const session = await request(url()).post('/api/v1/admin/session').send(TEST_ADMIN).expect(200);
      const describedBefore = world.dvcqg.control.received('LayThuTuc').length;
      const refreshed = await request(url()).post('/api/v1/admin/procedures/refresh').set('Authorization', `Bearer ${session.body.token}`).expect(200);
      expect(contracts.validate('bus-admin', 'ProcedureRefresh', refreshed.body)).toEqual([]);
      expect(refreshed.body).toMatchObject({ procedures: PROVINCE_PROCEDURE_COUNT - 1, added: [], withdrawn: [withdrawn], changed: [renamed] });
      expect(world.dvcqg.control.received('LayThuTuc').length - describedBefore).toBe(1);

      const refused = await submit({ ...sample, MaHoSo: dossierCode(), MaTTHC: withdrawn }).expect(400);
      expect(refused.body).toMatchObject({ code: 'PROCEDURE_UNKNOWN', details: [{ field: '/MaTTHC' }] });
      await request(url()).get(`/api/v1/procedures/${withdrawn}`).set('Authorization', `Bearer ${world.token}`).expect(404);
      const changed = await request(url()).get(`/api/v1/procedures/${renamed}`).set('Authorization', `Bearer ${world.token}`).expect(200);
      expect(changed.body.name).toBe('Thủ tục cấp Giấy xác nhận tình trạng hôn nhân (sửa đổi)');
      const page = await procedures('?limit=1').expect(200);
      expect(page.body.catalogue.lastRefresh).toEqual({ added: [], withdrawn: [withdrawn], changed: [renamed] });

      await waitFor(
        async () => {
          const audit = await request(url()).get('/api/v1/admin/audit?step=admin.procedures-refresh&includeAdminReads=true').set('Authorization', `Bearer ${session.body.token}`);
          return audit.status === 200 && audit.body.records.some((r: { outcome: string; actor: string }) => r.outcome === 'ok' && r.actor === `admin:${TEST_ADMIN.username}`);
        },
        20_000,
        'the refresh in the audit trail',
      );
    } finally {
      // The shared PostgreSQL database keeps one catalogue for every test world: it is put back as it was.
      world.dvcqg.catalogue.add(removed);
      world.dvcqg.catalogue.change(renamed, { TENTTHC: before.TENTTHC });
      await request(url()).post('/api/v1/admin/procedures/refresh').set('Authorization', `Bearer ${world.token}`).expect(200);
    }
  });

  test('the catalogue survives a DVCQG outage: DVCQG stopped, the bus restarted, the stored copy decides', async () => {
    const before = (await procedures('?limit=1').expect(200)).body.catalogue;
    world.dvcqg.control.setFault({ mode: 'refuse', durationMs: 10 * 60_000 });
    try {
      await world.restart(0);
      // At once, with DVCQG away: the copy came from the store, with the time of its refresh.
      const served = await procedures(`?q=${encodeURIComponent('khai sinh')}`).expect(200);
      expect(served.body.catalogue).toMatchObject({ procedures: PROVINCE_PROCEDURE_COUNT, refreshedAt: before.refreshedAt });
      expect(served.body.items.map((p: { code: string }) => p.code)).toContain('1.001193');
      await submit({ ...sample, MaHoSo: dossierCode() }).expect(202);
      expect((await submit({ ...sample, MaHoSo: dossierCode(), MaTTHC: '9.999999' }).expect(400)).body.code).toBe('PROCEDURE_UNKNOWN');
      // An on-demand refresh fails and keeps the copy.
      const failed = await request(url()).post('/api/v1/admin/procedures/refresh').set('Authorization', `Bearer ${world.token}`).expect(503);
      expect(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_CIRCUIT_OPEN']).toContain(failed.body.code);
      expect((await procedures('?limit=1').expect(200)).body.catalogue.refreshedAt).toBe(before.refreshedAt);
    } finally {
      world.dvcqg.control.setFault({ mode: 'none' });
    }
  });
});

describe('procedure catalogue: a bus that never heard DVCQG', () => {
  let world: DossierWorld;
  beforeAll(async () => {
    world = await startDossierWorld({ transport: 'embedded', dvcqgDown: true });
  });
  afterAll(async () => world?.dispose());

  test('holds no copy (503 CATALOGUE_UNAVAILABLE) and refuses nothing at intake: delivery decides', async () => {
    const page = await request(world.buses[0]!.url()).get('/api/v1/procedures').set('Authorization', `Bearer ${world.token}`).expect(503);
    expect(page.body.code).toBe('CATALOGUE_UNAVAILABLE');
    await request(world.buses[0]!.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: dossierCode(), MaTTHC: '9.999999' }).expect(202);
  });
});

describe('procedure catalogue: a stored copy that lists no procedures', () => {
  // What a database shared with the stores contract held: a refresh record and no procedures. By such a copy intake
  // refused every dossier (400 PROCEDURE_UNKNOWN) until DVCQG answered; it is taken for no copy, as an empty list is.
  const schema = uniqueName('emptycatalogue').replace(/-/g, '_');
  let world: DossierWorld;
  beforeAll(async () => {
    await createSchema(schema);
    const stores = await PostgresStores.open(schemaUrl(schema));
    try {
      await stores.procedures.save({ upserted: [], withdrawn: [], refresh: { refreshedAt: new Date().toISOString(), added: [], withdrawn: [], changed: [] } });
    } finally {
      await stores.close();
    }
    world = await startDossierWorld({ transport: 'amqp', databaseUrl: schemaUrl(schema), dvcqgDown: true });
  });
  afterAll(async () => {
    await world?.dispose();
    await dropSchema(schema);
  });

  test('is not used: no copy (503 CATALOGUE_UNAVAILABLE), and intake refuses nothing by it', async () => {
    const page = await request(world.buses[0]!.url()).get('/api/v1/procedures').set('Authorization', `Bearer ${world.token}`).expect(503);
    expect(page.body.code).toBe('CATALOGUE_UNAVAILABLE');
    await request(world.buses[0]!.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: dossierCode() }).expect(202);
  });
});
