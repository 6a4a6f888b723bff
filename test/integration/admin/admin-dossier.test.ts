// GET /api/v1/admin/dossiers/{MaHoSo} on both transports and both stores: an administrator sees a dossier's submission
// and progress updates together in acceptance order, each with its own audit records, what DVCQG last acknowledged and
// what is pending; personal data masked unless an admin with the right asks (and that view audited); 404 for an unknown MaHoSo.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Bus } from '../../../src/bus';
import type { components } from '../../../contracts/generated/bus-admin';
import { hashPassword } from '../../../src/core/password-hash';
import { DATABASE_URL, waitFor } from '../../../testkit/env';
import { TEST_CLIENT, TEST_SIGNING_KEY } from '../../../testkit/bus-process';
import { testToken } from '../../../testkit/intake';
import { STATUS_ONLY_CLIENT, startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

type AdminDossier = components['schemas']['AdminDossier'];

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const CCCD = String(sample.SoDinhDanh);
const NAME = String(sample.ChuHoSo);
const PERSONAL = [CCCD, NAME, NAME.normalize('NFD'), String(sample.NgaySinhChuHoSo), '19921122', '22/11/1992'];
const VIEWER = { username: 'thanh-tra-ho-so', password: 'mật-khẩu-thanh-tra' };
const PLAIN = { username: 'van-hanh-ho-so', password: 'mật-khẩu-vận-hành' };
let counter = 0;
const dossierCode = () => `000.00.04.H10-261204-${String(++counter + Math.floor(Math.random() * 1e6)).padStart(7, '0')}`;

describe.each([
  ['embedded, SQLite', { transport: 'embedded' as const }],
  ['RabbitMQ, PostgreSQL', { transport: 'amqp' as const, databaseUrl: DATABASE_URL }],
])('a dossier seen whole in the admin API (%s)', (_name, transport) => {
  let world: DossierWorld;
  let bus: Bus;
  const tokens: Record<string, string> = {};
  const asAdmin = (who: string, url: string) => request(bus.url()).get(url).set('Authorization', `Bearer ${tokens[who]}`);
  const adminDossier = async (maHoSo: string, who = PLAIN.username): Promise<AdminDossier> =>
    (await asAdmin(who, `/api/v1/admin/dossiers/${encodeURIComponent(maHoSo)}`).expect(200)).body as AdminDossier;

  beforeAll(async () => {
    world = await startDossierWorld({
      ...transport,
      breakerResetMs: 500,
      retry: { maxAttempts: 100, maxDelayMs: 500 },
      admins: [
        { username: VIEWER.username, passwordHash: hashPassword(VIEWER.password), canViewPersonalData: true },
        { username: PLAIN.username, passwordHash: hashPassword(PLAIN.password), canViewPersonalData: false },
      ],
    });
    bus = world.buses[0]!;
    for (const admin of [VIEWER, PLAIN]) tokens[admin.username] = (await request(bus.url()).post('/api/v1/admin/session').send(admin).expect(200)).body.token as string;
  });
  afterAll(async () => world?.dispose());

  const post = (url: string, body: object) => request(bus.url()).post(url).set('Authorization', `Bearer ${world.token}`).send(body).expect(202);
  const progress = async (maHoSo: string, step: number) =>
    (await post(`/api/v1/dossiers/${maHoSo}/progress`, { MaHoSo: maHoSo, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Nguyễn Thị Hoà', NoiDungXuLy: `Bước ${step}`, ThoiGianXuLy: '2026-12-04T10:00:00+07:00' })).body
      .messageId as string;

  /** A dossier with a submission and two progress updates, all delivered; its code and message ids in acceptance order. */
  async function deliveredDossier(): Promise<{ maHoSo: string; ids: string[] }> {
    const maHoSo = dossierCode();
    const submitted = (await post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo })).body.messageId as string;
    const ids = [submitted, await progress(maHoSo, 1), await progress(maHoSo, 2)];
    await waitFor(async () => {
      const dossier = await adminDossier(maHoSo);
      return dossier.messages.length === 3 && dossier.pending.length === 0 && dossier.messages.every((m) => m.records.some((r) => r.step === 'delivered'));
    }, 30_000, `dossier ${maHoSo} delivered`);
    return { maHoSo, ids };
  }

  test('a submission and two progress updates show together in order, each with its own audit records, masked', async () => {
    const { maHoSo, ids } = await deliveredDossier();
    const res = await asAdmin(PLAIN.username, `/api/v1/admin/dossiers/${maHoSo}`).expect(200);
    const dossier = res.body as AdminDossier;
    expect(dossier.maHoSo).toBe(maHoSo);
    expect(dossier.personalData).toBe('masked');
    expect(dossier.messages.map((m) => [m.messageId, m.kind, m.state, m.source])).toEqual([
      [ids[0], 'submission', 'delivered', TEST_CLIENT],
      [ids[1], 'progress', 'delivered', TEST_CLIENT],
      [ids[2], 'progress', 'delivered', TEST_CLIENT],
    ]);
    for (const message of dossier.messages) {
      const steps = message.records.map((r) => r.step);
      expect(steps[0]).toBe('received');
      expect(steps).toContain('delivered');
      expect(message.records.every((r) => r.messageId === message.messageId)).toBe(true);
      const times = message.records.map((r) => r.at);
      expect([...times].sort()).toEqual(times);
    }
    expect(dossier.lastAcknowledged).toEqual({ messageId: ids[2], at: dossier.messages[2]!.updatedAt });
    expect(dossier.pending).toEqual([]);
    for (const value of PERSONAL) expect(res.text).not.toContain(value);
    // The console's read of it is audited as its own step, left out of searches like the other page views.
    const reads = await bus.audit.search({ step: 'admin.dossier' }, { limit: 100, cursor: null });
    expect(reads.records.some((r) => r.actor === `admin:${PLAIN.username}` && r.outcome === 'ok')).toBe(true);
  });

  test('with DVCQG failing a new progress update is pending with its failure, the last acknowledged stays', async () => {
    const { maHoSo, ids } = await deliveredDossier();
    world.dvcqg.control.setFault({ mode: 'fail', status: 503, durationMs: 600_000 });
    try {
      const third = await progress(maHoSo, 3);
      const during = await waitFor(async () => {
        const dossier = await adminDossier(maHoSo);
        return dossier.pending.some((m) => m.messageId === third && m.code !== null) ? dossier : null;
      }, 30_000, 'the update failing against DVCQG');
      expect(during.messages.map((m) => m.messageId)).toEqual([...ids, third]);
      expect(during.pending.map((m) => [m.messageId, m.kind, m.state])).toEqual([[third, 'progress', 'in-progress']]);
      expect(during.lastAcknowledged?.messageId).toBe(ids[2]);
      expect(during.messages[3]!.records.some((r) => r.outcome !== 'ok' || r.step === 'retried')).toBe(true);
    } finally {
      world.dvcqg.control.setFault({ mode: 'none' });
    }
  });

  test('an admin with the right sees personal data on asking, and the view is audited naming every message shown', async () => {
    const { maHoSo, ids } = await deliveredDossier();
    const refused = await asAdmin(PLAIN.username, `/api/v1/admin/dossiers/${maHoSo}?personalData=show`).expect(403);
    expect(refused.body).toMatchObject({ code: 'PERSONAL_DATA_RIGHT_REQUIRED' });

    const shown = await asAdmin(VIEWER.username, `/api/v1/admin/dossiers/${maHoSo}?personalData=show`).expect(200);
    expect(shown.body.personalData).toBe('shown');
    const viewed = (await bus.audit.search({ step: 'admin.personal-data-viewed' }, { limit: 100, cursor: null })).records;
    const record = viewed.find((r) => r.actor === `admin:${VIEWER.username}` && JSON.parse(r.details ?? '{}').action === 'dossier');
    expect(record).toBeDefined();
    expect(JSON.parse(record!.details ?? '{}')).toMatchObject({ action: 'dossier', messageIds: ids, messageCount: 3 });
  });

  test('an unknown MaHoSo is 404 DOSSIER_NOT_FOUND; without an admin the answer is 401, without the admin role 403', async () => {
    const unknown = await asAdmin(PLAIN.username, `/api/v1/admin/dossiers/${dossierCode()}`).expect(404);
    expect(unknown.body).toMatchObject({ code: 'DOSSIER_NOT_FOUND' });
    await request(bus.url()).get(`/api/v1/admin/dossiers/${dossierCode()}`).expect(401);
    // A client without the admin role is refused.
    const notAdmin = await request(bus.url()).get(`/api/v1/admin/dossiers/${dossierCode()}`).set('Authorization', `Bearer ${testToken(STATUS_ONLY_CLIENT, TEST_SIGNING_KEY)}`).expect(403);
    expect(notAdmin.body).toMatchObject({ code: 'ROLE_REQUIRED' });
  });
});
