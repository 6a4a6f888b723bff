// A progress update the bus gave up waiting for is not sent again while DVCQG may still be carrying it out. DVCQG
// takes no idempotency key: after a timed-out CapNhatTienDoHoSoMC the bus asks TraCuuHoSo whether the update is
// there before sending it again. Here DVCQG carries out every change 1.5 s after it arrives while the bus waits
// 0.5 s: a lookup made before DVCQG finished the abandoned call would find nothing and the update would be applied
// twice. The bus asks only once the call must be over (breaker `abandonedCallSettleMs`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { DATABASE_URL, waitFor } from '../../../testkit/env';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const code = () => `000.00.04.H10-261203-${String(Date.now() % 1e6).padStart(6, '0')}`;
const APPLY_DELAY_MS = 1500;

describe.each([
  ['embedded', { transport: 'embedded' as const }],
  ['RabbitMQ and PostgreSQL', { transport: 'amqp' as const, databaseUrl: DATABASE_URL }],
])('DVCQG carries out a progress update after the bus stopped waiting (%s)', (_name, transport) => {
  let world: DossierWorld;
  beforeAll(async () => {
    world = await startDossierWorld({
      ...transport,
      breaker: { timeoutMs: 500, consecutiveFailures: 100, volumeThreshold: 100, abandonedCallSettleMs: APPLY_DELAY_MS * 3 },
      retry: { initialDelayMs: 100, maxDelayMs: 200 },
    });
  });
  afterAll(async () => world?.dispose());

  test('the update is sent once and applied once', async () => {
    const bus = world.buses[0]!;
    const maHoSo = code();
    await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo }).expect(202);
    await waitFor(() => world.dvcqg.store.dossier(maHoSo), 20_000, 'dossier at DVCQG');
    // The dossier's own sync done first: on a busy machine its call can outlast the 500 ms timeout too, and that
    // delivery is then in doubt and looked up as well; only the progress update's lookups are counted below.
    const delivered = async () => (await bus.metrics.delivered.get()).values.reduce((n, v) => n + v.value, 0);
    await waitFor(async () => (await delivered()) >= 1, 20_000, 'the dossier delivered');
    const foundUpstream = async () => (await bus.metrics.effectsFoundUpstream.get()).values.reduce((n, v) => n + v.value, 0);
    const foundBefore = await foundUpstream();

    world.dvcqg.control.setFault({ mode: 'apply-late', delayMs: APPLY_DELAY_MS, durationMs: 600_000 });
    await request(bus.url())
      .post(`/api/v1/dossiers/${maHoSo}/progress`)
      .set('Authorization', `Bearer ${world.token}`)
      .send({ MaHoSo: maHoSo, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Trần Văn Bình', NoiDungXuLy: 'Bước 1', ThoiGianXuLy: '2026-12-03T10:00:00+07:00' })
      .expect(202);
    await waitFor(() => (world.dvcqg.store.dossier(maHoSo)?.progress.length ?? 0) >= 1, 20_000, 'the abandoned update carried out late');
    world.dvcqg.control.setFault({ mode: 'none' });
    await waitFor(async () => (await delivered()) >= 2, 60_000, 'the update delivered');
    await waitFor(() => world.dvcqg.control.pendingChanges() === 0, 20_000, 'DVCQG done with every change it took');

    expect(world.dvcqg.control.received('CapNhatTienDoHoSoMC')).toHaveLength(1);
    expect(world.dvcqg.store.dossier(maHoSo)!.progress.map((p) => p.item.NoiDungXuLy)).toEqual(['Bước 1']);
    expect((await foundUpstream()) - foundBefore).toBe(1);
    expect(await bus.transport.listDeadLetters({})).toEqual([]);
  });
});
