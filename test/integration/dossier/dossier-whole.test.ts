// GET /api/v1/dossiers/{MaHoSo} on both transports and both stores: a dossier's submission and progress updates together, in order,
// what DVCQG last acknowledged and what is pending while it is down; an unknown or another client's dossier is 404.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Bus } from '../../../src/bus';
import type { components } from '../../../contracts/generated/bus-api';
import { DATABASE_URL, waitFor } from '../../../testkit/env';
import { OTHER_ONE_STOP_CLIENT, STATUS_ONLY_CLIENT, startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';
import { TEST_SIGNING_KEY } from '../../../testkit/bus-process';
import { testToken } from '../../../testkit/intake';

type DossierWhole = components['schemas']['DossierWhole'];

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
let counter = 0;
const dossierCode = () => `000.00.04.H10-261204-${String(++counter + Math.floor(Math.random() * 1e6)).padStart(7, '0')}`;

// The store read by subject is SQLite's on the embedded transport and PostgreSQL's beside RabbitMQ.
describe.each([
  ['embedded, SQLite', { transport: 'embedded' as const }],
  ['RabbitMQ, PostgreSQL', { transport: 'amqp' as const, databaseUrl: DATABASE_URL }],
])('a dossier seen whole (%s)', (_name, transport) => {
  let world: DossierWorld;
  let bus: Bus;
  beforeAll(async () => {
    // Retries enough to outlast the outage the test makes: the update waits for DVCQG instead of dead-lettering.
    world = await startDossierWorld({ ...transport, breakerResetMs: 500, retry: { maxAttempts: 100, maxDelayMs: 500 } });
    bus = world.buses[0]!;
  });
  afterAll(async () => world?.dispose());

  const auth = () => `Bearer ${world.token}`;
  const progress = (maHoSo: string, step: number) =>
    request(bus.url())
      .post(`/api/v1/dossiers/${maHoSo}/progress`)
      .set('Authorization', auth())
      .send({ MaHoSo: maHoSo, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Nguyễn Thị Hoà', NoiDungXuLy: `Bước ${step}`, ThoiGianXuLy: '2026-12-04T10:00:00+07:00' })
      .expect(202);
  const whole = async (maHoSo: string): Promise<DossierWhole> =>
    (await request(bus.url()).get(`/api/v1/dossiers/${encodeURIComponent(maHoSo)}`).set('Authorization', auth()).expect(200)).body as DossierWhole;
  const settledWhole = (maHoSo: string, count: number) =>
    waitFor(async () => {
      const dossier = await whole(maHoSo);
      return dossier.messages.length === count && dossier.pending.length === 0 ? dossier : null;
    }, 30_000, `dossier ${maHoSo} settled`);

  /** A dossier with a submission and two progress updates, all delivered; its code and message ids in acceptance order. */
  async function deliveredDossier(): Promise<{ maHoSo: string; ids: string[] }> {
    const maHoSo = dossierCode();
    const submitted = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', auth()).send({ ...sample, MaHoSo: maHoSo }).expect(202);
    const first = await progress(maHoSo, 1);
    const second = await progress(maHoSo, 2);
    const ids = [submitted.body.messageId as string, first.body.messageId as string, second.body.messageId as string];
    await settledWhole(maHoSo, 3);
    return { maHoSo, ids };
  }

  test('a submission and two progress updates show together in order, all delivered, the last acknowledged', async () => {
    const { maHoSo, ids } = await deliveredDossier();
    const dossier = await whole(maHoSo);
    expect(dossier.maHoSo).toBe(maHoSo);
    expect(dossier.messages.map((m) => [m.messageId, m.kind, m.state, m.code])).toEqual([
      [ids[0], 'submission', 'delivered', null],
      [ids[1], 'progress', 'delivered', null],
      [ids[2], 'progress', 'delivered', null],
    ]);
    const accepted = dossier.messages.map((m) => m.acceptedAt);
    expect([...accepted].sort()).toEqual(accepted);
    expect(dossier.lastAcknowledged).toEqual({ messageId: ids[2], at: dossier.messages[2]!.updatedAt });
    expect(dossier.pending).toEqual([]);
  });

  test('with DVCQG failing a new progress update is pending, the last acknowledged stays; once DVCQG is back it is acknowledged', async () => {
    const { maHoSo, ids } = await deliveredDossier();
    world.dvcqg.control.setFault({ mode: 'fail', status: 503, durationMs: 600_000 });
    try {
      const third = (await progress(maHoSo, 3)).body.messageId as string;
      // Pending after it has failed against DVCQG at least once (a code), not merely before its first try.
      const during = await waitFor(async () => {
        const dossier = await whole(maHoSo);
        return dossier.pending.some((m) => m.messageId === third && m.code !== null) ? dossier : null;
      }, 30_000, 'the update failing against DVCQG');
      expect(during.messages.map((m) => m.messageId)).toEqual([...ids, third]);
      expect(during.pending.map((m) => [m.messageId, m.kind, m.state])).toEqual([[third, 'progress', 'in-progress']]);
      expect(during.lastAcknowledged?.messageId).toBe(ids[2]);

      world.dvcqg.control.setFault({ mode: 'none' });
      const after = await settledWhole(maHoSo, 4);
      expect(after.messages.map((m) => m.state)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
      expect(after.lastAcknowledged?.messageId).toBe(third);
    } finally {
      world.dvcqg.control.setFault({ mode: 'none' });
    }
  });

  test('an unknown MaHoSo is 404 DOSSIER_NOT_FOUND; so is a dossier to another one-stop system that sent none of its messages', async () => {
    const unknown = await request(bus.url()).get(`/api/v1/dossiers/${dossierCode()}`).set('Authorization', auth()).expect(404);
    expect(unknown.body).toMatchObject({ code: 'DOSSIER_NOT_FOUND' });

    const { maHoSo } = await deliveredDossier();
    const other = `Bearer ${testToken(OTHER_ONE_STOP_CLIENT, TEST_SIGNING_KEY)}`;
    const foreign = await request(bus.url()).get(`/api/v1/dossiers/${maHoSo}`).set('Authorization', other).expect(404);
    expect(foreign.body).toMatchObject({ code: 'DOSSIER_NOT_FOUND' });
  });

  test('a client without dossier.submit is refused 403 RIGHT_REQUIRED', async () => {
    const statusOnly = `Bearer ${testToken(STATUS_ONLY_CLIENT, TEST_SIGNING_KEY)}`;
    const res = await request(bus.url()).get(`/api/v1/dossiers/${dossierCode()}`).set('Authorization', statusOnly).expect(403);
    expect(res.body).toMatchObject({ code: 'RIGHT_REQUIRED', message: expect.stringContaining('dossier.submit') });
  });
});
