// Personal data (NĐ 13/2023) through a dossier's life on the bus: admin answers (audit search, timeline, dead letters
// with their payloads) mask CCCD numbers, names and birth dates unless an admin with the right asks to see them, each
// such view audited and each refused request audited; debug logs and metrics carry none of them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import type { Bus } from '../../../src/bus';
import { hashPassword } from '../../../src/core/password-hash';
import { waitFor } from '../../../testkit/env';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const CCCD = String(sample.SoDinhDanh);
const NAME = String(sample.ChuHoSo);
const BIRTH = String(sample.NgaySinhChuHoSo); // 1992-11-22
const OTHER_NAME = 'Lê Thị Khác Tên';
/** Every way the applicant's data could be written: as sent, as DVCQG and the population database take dates. */
const PERSONAL = [CCCD, NAME, NAME.normalize('NFD'), OTHER_NAME, BIRTH, '22/11/1992', '19921122', '1992/11/22'];
const VIEWER = { username: 'xem-du-lieu', password: 'mật-khẩu-xem' };
const PLAIN = { username: 'van-hanh', password: 'mật-khẩu-vận-hành' };
const run = Date.now() % 1e6;
const code = (n: number) => `000.00.04.H10-261130-${run}${String(n).padStart(3, '0')}`;

describe('personal data in admin answers, logs and metrics', () => {
  let world: DossierWorld;
  let bus: Bus;
  let logs = '';
  const tokens: Record<string, string> = {};
  let deadId: string;
  let deliveredId: string;
  const asAdmin = (who: string, url: string) => request(bus.url()).get(url).set('Authorization', `Bearer ${tokens[who]}`);
  const auditRecords = async (step: string) => (await bus.audit.search({ step }, { limit: 100, cursor: null })).records;

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logs += chunk.toString()), done()) });
    world = await startDossierWorld({
      transport: 'embedded',
      admins: [
        { username: VIEWER.username, passwordHash: hashPassword(VIEWER.password), canViewPersonalData: true },
        { username: PLAIN.username, passwordHash: hashPassword(PLAIN.password), canViewPersonalData: false },
      ],
      log: { level: 'debug', sink },
    });
    bus = world.buses[0]!;
    for (const admin of [VIEWER, PLAIN]) tokens[admin.username] = (await request(bus.url()).post('/api/v1/admin/session').send(admin).expect(200)).body.token;
    const post = (url: string, body: object) => request(bus.url()).post(url).set('Authorization', `Bearer ${world.token}`).send(body);
    const state = async (id: string) => (await request(bus.url()).get(`/api/v1/messages/${id}`).set('Authorization', `Bearer ${world.token}`)).body.state as string;

    // A dossier delivered, its progress, a synchronous citizen check, a mismatching applicant rejected.
    deliveredId = (await post('/api/v1/dossiers', { ...sample, MaHoSo: code(1) }).expect(202)).body.messageId;
    await waitFor(async () => (await state(deliveredId)) === 'delivered', 20_000, 'delivered');
    const progress = await post(`/api/v1/dossiers/${code(1)}/progress`, { MaHoSo: code(1), TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Cán bộ Một Cửa', NoiDungXuLy: 'Chuyển xử lý', ThoiGianXuLy: '2026-11-27T10:00:00+07:00' }).expect(202);
    await post('/api/v1/citizens/verify', { soDinhDanh: CCCD, hoVaTen: NAME, ngaySinh: BIRTH }).expect(200);
    const rejected = (await post('/api/v1/dossiers', { ...sample, MaHoSo: code(2), ChuHoSo: OTHER_NAME }).expect(202)).body.messageId;
    // DVCQG refusing (400): the dossier is dead-lettered with its payload.
    world.dvcqg.control.setFault({ mode: 'fail', status: 400, durationMs: 60_000 });
    deadId = (await post('/api/v1/dossiers', { ...sample, MaHoSo: code(3) }).expect(202)).body.messageId;
    await waitFor(async () => (await state(deadId)) === 'dead-lettered', 20_000, 'dead-lettered');
    world.dvcqg.control.setFault({ mode: 'none' });
    await waitFor(async () => (await state(rejected)) === 'rejected' && (await state(progress.body.messageId)) === 'delivered', 20_000, 'rejected and progress');
  });
  afterAll(async () => world?.dispose());

  const expectNoPersonalData = (text: string) => {
    for (const value of PERSONAL) expect(text).not.toContain(value);
  };

  test('admin answers mask personal data by default, whoever asks, even with the right', async () => {
    for (const who of [VIEWER.username, PLAIN.username]) {
      const letters = await asAdmin(who, `/api/v1/admin/dead-letters?messageId=${deadId}`).expect(200);
      expect(letters.body.personalData).toBe('masked');
      expect(letters.body.items[0].payload).toMatchObject({ MaHoSo: code(3), SoDinhDanh: '***', ChuHoSo: '***', NgaySinhChuHoSo: '***', MaTTHC: sample.MaTTHC });
      expectNoPersonalData(letters.text);
      const timeline = await asAdmin(who, `/api/v1/admin/messages/${deadId}/timeline?personalData=mask`).expect(200);
      expect(timeline.body.personalData).toBe('masked');
      expectNoPersonalData(timeline.text);
      const search = await asAdmin(who, '/api/v1/admin/audit?limit=1000').expect(200);
      expect(search.body.records.length).toBeGreaterThan(10);
      expectNoPersonalData(search.text);
    }
    expect(await auditRecords('admin.personal-data-viewed')).toEqual([]);
  });

  test('asking to see it without the right is 403 PERSONAL_DATA_RIGHT_REQUIRED, and audited', async () => {
    for (const url of [`/api/v1/admin/dead-letters?messageId=${deadId}&personalData=show`, `/api/v1/admin/messages/${deadId}/timeline?personalData=show`, '/api/v1/admin/audit?personalData=show']) {
      const res = await asAdmin(PLAIN.username, url).expect(403);
      expect(res.body).toEqual({ code: 'PERSONAL_DATA_RIGHT_REQUIRED', message: expect.any(String) });
      expectNoPersonalData(res.text);
    }
    const refusals = (await auditRecords('admin.dead-letters')).filter((r) => r.errorCode === 'PERSONAL_DATA_RIGHT_REQUIRED');
    expect(refusals[0]).toMatchObject({ outcome: 'rejected', actor: `admin:${PLAIN.username}` });
    expect((await auditRecords('admin.timeline')).some((r) => r.errorCode === 'PERSONAL_DATA_RIGHT_REQUIRED')).toBe(true);
    expect((await asAdmin(PLAIN.username, '/api/v1/admin/audit?personalData=everything').expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect(await auditRecords('admin.personal-data-viewed')).toEqual([]);
  });

  test('an admin with the right sees it on asking, and each unmasked view is audited with who and which message', async () => {
    const letters = await asAdmin(VIEWER.username, `/api/v1/admin/dead-letters?messageId=${deadId}&personalData=show`).expect(200);
    expect(letters.body.personalData).toBe('shown');
    expect(letters.body.items[0].payload).toMatchObject({ MaHoSo: code(3), SoDinhDanh: CCCD, ChuHoSo: NAME, NgaySinhChuHoSo: BIRTH });
    const [viewed] = await auditRecords('admin.personal-data-viewed');
    expect(viewed).toBeDefined();
    expect(viewed).toMatchObject({ outcome: 'ok', actor: `admin:${VIEWER.username}`, messageId: deadId });
    expect(JSON.parse(viewed!.details ?? '{}')).toMatchObject({ action: 'dead-letters', messageIds: [deadId], messageCount: 1 });

    const timeline = await asAdmin(VIEWER.username, `/api/v1/admin/messages/${deliveredId}/timeline?personalData=show`).expect(200);
    expect(timeline.body.personalData).toBe('shown');
    const records = await auditRecords('admin.personal-data-viewed');
    expect(records).toHaveLength(2);
    expect(records.find((r) => r.messageId === deliveredId)).toMatchObject({ actor: `admin:${VIEWER.username}` });
    // The unmasked view is itself on the message's timeline.
    const after = await asAdmin(PLAIN.username, `/api/v1/admin/messages/${deliveredId}/timeline`).expect(200);
    expect(after.body.records.map((r: { step: string }) => r.step)).toContain('admin.personal-data-viewed');
  });

  test('debug logs and metrics of all this carry no CCCD number, name or birth date', async () => {
    // The log did record the flow (accepted, rejected, failed, dead-lettered), with the bus at debug level.
    for (const message of ['"msg":"accepted"', '"msg":"message rejected"', '"msg":"message dead-lettered"']) expect(logs).toContain(message);
    expect(logs).toContain(deliveredId);
    expectNoPersonalData(logs);
    const metrics = await request(bus.url()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/lgsp_messages_accepted_total\{route="dossier-sync"/);
    expectNoPersonalData(metrics.text);
  });
});
