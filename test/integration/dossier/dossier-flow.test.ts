// The dossier flow end to end over real sockets, on both transports: intake → population check (SOAP) →
// DVCQG (session, TraCuuHoSo, DongBoHoSoMC, CapNhatTienDoHoSoMC), rejections at the status URL, progress order.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Bus } from '../../../src/bus';
import { waitFor } from '../../../testkit/env';
import { STATUS_ONLY_CLIENT, startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';
import { TEST_SIGNING_KEY } from '../../../testkit/bus-process';
import { testToken } from '../../../testkit/intake';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
let counter = 0;
const dossierCode = () => `000.00.04.H10-261127-${String(++counter + Math.floor(Math.random() * 1e6)).padStart(7, '0')}`;

async function statusOf(bus: Bus, token: string, id: string): Promise<Record<string, unknown>> {
  const res = await request(bus.url()).get(`/api/v1/messages/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
  return res.body as Record<string, unknown>;
}

async function settled(bus: Bus, token: string, id: string): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const s = await statusOf(bus, token, id);
    return ['delivered', 'rejected', 'dead-lettered'].includes(String(s.state)) ? s : null;
  }, 30_000, `message ${id} settled`);
}

describe.each(['embedded', 'amqp'] as const)('dossier flow (%s transport)', (transport) => {
  let world: DossierWorld;
  let bus: Bus;
  beforeAll(async () => {
    world = await startDossierWorld({ transport });
    bus = world.buses[0]!;
  });
  afterAll(async () => world?.dispose());

  const submit = (body: Record<string, unknown>) =>
    request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send(body);

  test('a client without the dossier rights is refused 403 RIGHT_REQUIRED on submit, progress and citizen verify', async () => {
    const auth = `Bearer ${testToken(STATUS_ONLY_CLIENT, TEST_SIGNING_KEY)}`;
    for (const [url, right] of [
      ['/api/v1/dossiers', 'dossier.submit'],
      ['/api/v1/dossiers/X-1/progress', 'dossier.progress'],
      ['/api/v1/citizens/verify', 'citizen.verify'],
    ] as const) {
      const res = await request(bus.url()).post(url).set('Authorization', auth).send({}).expect(403);
      expect(res.body).toMatchObject({ code: 'RIGHT_REQUIRED', message: expect.stringContaining(right) });
    }
  });

  test('a dossier reaches DVCQG with its dates, status and NFC text mapped; its status URL says delivered', async () => {
    const maHoSo = dossierCode();
    // NFD input (as some Windows one-stop systems send it) must reach DVCQG as NFC.
    const res = await submit({ ...sample, MaHoSo: maHoSo, TrichYeuHoSo: 'Đăng ký khai sinh cho con thứ hai'.normalize('NFD') }).expect(202);
    expect(res.body).toMatchObject({ maHoSo, status: 'accepted', statusUrl: `/api/v1/messages/${res.body.messageId}` });
    const status = await settled(bus, world.token, res.body.messageId);
    expect(status).toMatchObject({ state: 'delivered', route: 'dossier-sync', subject: maHoSo, code: null });
    const stored = world.dvcqg.store.dossier(maHoSo)!;
    expect(stored.syncCount).toBe(1);
    expect(stored.current).toMatchObject({
      MaHoSo: maHoSo,
      NgayTiepNhan: '20261127090000',
      NgayHenTra: '20261130170000',
      TrangThaiHoSo: '2',
      TrichYeuHoSo: 'Đăng ký khai sinh cho con thứ hai'.normalize('NFC'),
      TenTTHC: 'Thủ tục đăng ký khai sinh',
    });
    expect(world.population.control.received().length).toBeGreaterThan(0);
  });

  test('a resubmitted dossier updates DVCQG (isUpdating) instead of creating it again', async () => {
    const maHoSo = dossierCode();
    const first = await submit({ ...sample, MaHoSo: maHoSo }).expect(202);
    await settled(bus, world.token, first.body.messageId);
    const second = await submit({ ...sample, MaHoSo: maHoSo, TrangThaiHoSo: 'DangXuLy' }).expect(202);
    await settled(bus, world.token, second.body.messageId);
    const stored = world.dvcqg.store.dossier(maHoSo)!;
    expect(stored.syncs.map((s) => s.isUpdating)).toEqual([false, true]);
    expect(stored.current.TrangThaiHoSo).toBe('4');
  });

  test.each([
    ['not in the population database', { SoDinhDanh: '026092999999' }, 'CITIZEN_NOT_FOUND'],
    ['whose name does not match', { ChuHoSo: 'Đào Văn Tý' }, 'CITIZEN_MISMATCH'],
    ['whose birth date does not match', { NgaySinhChuHoSo: '1992-11-23' }, 'CITIZEN_MISMATCH'],
    ['whose id contradicts the birth date', { NgaySinhChuHoSo: '1993-11-22' }, 'CITIZEN_ID_INVALID'],
  ])('an applicant %s ends the dossier as rejected with a reason, without retries', async (_name, change, code) => {
    const maHoSo = dossierCode();
    const res = await submit({ ...sample, ...change, MaHoSo: maHoSo }).expect(202);
    const status = await settled(bus, world.token, res.body.messageId);
    expect(status).toMatchObject({ state: 'rejected', code, attempts: 1 });
    expect(String(status.reason)).not.toContain(String(change[Object.keys(change)[0] as keyof typeof change]));
    expect(world.dvcqg.store.dossier(maHoSo)).toBeUndefined();
  });

  test('a dossier its consumer settles before the publish confirm comes back is still accepted (202, not 503)', async () => {
    // A slow confirm (RabbitMQ under load): the consumer rejects the dossier (no upstream call) and settles its
    // sequence number before the intake confirms it; the intake then took the missing pending number for a voided one.
    const publish = bus.transport.publish.bind(bus.transport);
    const settledBeforeConfirm: string[] = [];
    bus.transport.publish = async (route, envelope) => {
      await publish(route, envelope);
      await waitFor(async () => (await bus.stores.sequences.isSettled(envelope.subject!, envelope.sequence!)) && settledBeforeConfirm.push(envelope.id), 10_000, 'the consumer to settle it');
    };
    try {
      const res = await submit({ ...sample, NgaySinhChuHoSo: '1993-11-22', MaHoSo: dossierCode() }).expect(202);
      expect(settledBeforeConfirm).toEqual([res.body.messageId]);
      expect(await settled(bus, world.token, res.body.messageId)).toMatchObject({ state: 'rejected', code: 'CITIZEN_ID_INVALID' });
    } finally {
      bus.transport.publish = publish;
    }
  });

  test('an invalid dossier is refused at intake with the bad fields', async () => {
    const res = await submit({ ...sample, MaHoSo: 'not a code', NgayTiepNhan: '27/11/2026', SoDinhDanh: undefined }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['/MaHoSo', '/NgayTiepNhan', '/SoDinhDanh']));
  });

  test('progress updates reach DVCQG after their dossier and in the order they were accepted', async () => {
    const maHoSo = dossierCode();
    const dossier = await submit({ ...sample, MaHoSo: maHoSo }).expect(202);
    const steps = Array.from({ length: 20 }, (_, i) => i + 1);
    const ids: string[] = [];
    for (const i of steps) {
      const res = await request(bus.url())
        .post(`/api/v1/dossiers/${maHoSo}/progress`)
        .set('Authorization', `Bearer ${world.token}`)
        .send({ MaHoSo: maHoSo, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Nguyễn Thị Hoà', NoiDungXuLy: `Bước ${i}`, ThoiGianXuLy: '2026-11-27T10:00:00+07:00' })
        .expect(202);
      ids.push(res.body.messageId);
    }
    await settled(bus, world.token, dossier.body.messageId);
    for (const id of ids) await settled(bus, world.token, id);
    const progress = world.dvcqg.store.dossier(maHoSo)!.progress.map((p) => p.item.NoiDungXuLy);
    expect(progress).toEqual(steps.map((i) => `Bước ${i}`));
  });

  test('citizen verification answers synchronously through the same adapter', async () => {
    const verify = (body: object) => request(bus.url()).post('/api/v1/citizens/verify').set('Authorization', `Bearer ${world.token}`).send(body);
    expect((await verify({ soDinhDanh: '026092008262', hoVaTen: 'Đào Văn Tài', ngaySinh: '1992-11-22' }).expect(200)).body).toEqual({ result: 'match' });
    expect((await verify({ soDinhDanh: '026092008262', hoVaTen: 'Đào Văn Tý', ngaySinh: '1992-11-22' }).expect(200)).body).toEqual({ result: 'mismatch', fields: ['hoVaTen'] });
    expect((await verify({ soDinhDanh: '001099000001', hoVaTen: 'Ai Đó', ngaySinh: '1999-01-01' }).expect(200)).body).toEqual({ result: 'not-found' });
    expect((await verify({ soDinhDanh: '12345', hoVaTen: 'X', ngaySinh: '1999-01-01' }).expect(400)).body.code).toBe('VALIDATION_FAILED');
  });
});
