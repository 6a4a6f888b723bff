// A progress update reaches DVCQG once even when DVCQG's answer is lost. DVCQG takes no idempotency key, so when the
// answer to CapNhatTienDoHoSoMC is lost (the connection cut, a timeout, the bus killed before its effect record) the
// bus cannot tell from its own records whether DVCQG applied it: a delivery in that doubt asks TraCuuHoSo first. Here
// the DVCQG simulator applies every call but cuts the connection before answering (chaos: upstream-answer-lost).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { DATABASE_URL, waitFor } from '../../../testkit/env';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const code = (n: number) => `000.00.04.H10-261127-${Date.now() % 1e6}${String(n).padStart(4, '0')}`;
const STEPS = 3;

describe.each([
  ['embedded', { transport: 'embedded' as const }],
  ['RabbitMQ and PostgreSQL', { transport: 'amqp' as const, databaseUrl: DATABASE_URL }],
])('DVCQG applies progress updates but their answers are lost (%s)', (_name, transport) => {
  let world: DossierWorld;
  beforeAll(async () => {
    world = await startDossierWorld({ ...transport, breakerResetMs: 500 });
  });
  afterAll(async () => world?.dispose());

  test('each update is at DVCQG once, in order, after the answers come back', async () => {
    const bus = world.buses[0]!;
    const maHoSo = code(1);
    // The dossier first, with clean answers: the session and the procedure catalogue are then cached, so the
    // progress calls reach DVCQG during the fault.
    await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo }).expect(202);
    await waitFor(() => world.dvcqg.store.dossier(maHoSo), 20_000, 'dossier at DVCQG');

    // Answers lost until the test restores them: until the first update is applied at DVCQG and the bus, in doubt
    // about it, has asked TraCuuHoSo and lost that answer too; a fixed fault length would end before that on a slow
    // machine and prove nothing.
    world.dvcqg.control.setFault({ mode: 'lose-answer', durationMs: 600_000 });
    const lookupsBefore = world.dvcqg.control.received('TraCuuHoSo').length;
    for (let step = 1; step <= STEPS; step++) {
      await request(bus.url())
        .post(`/api/v1/dossiers/${maHoSo}/progress`)
        .set('Authorization', `Bearer ${world.token}`)
        .send({ MaHoSo: maHoSo, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Trần Văn Bình', NoiDungXuLy: `Bước ${step}`, ThoiGianXuLy: '2026-11-27T10:00:00+07:00' })
        .expect(202);
    }
    // The first update is applied while its answer is lost, so the bus is in doubt about it and looks it up.
    await waitFor(() => (world.dvcqg.store.dossier(maHoSo)?.progress.length ?? 0) >= 1, 10_000, 'first update applied during the fault');
    await waitFor(() => world.dvcqg.control.received('TraCuuHoSo').length > lookupsBefore, 20_000, 'the bus looking the update up during the fault');
    expect(world.dvcqg.store.dossier(maHoSo)!.progress.map((p) => p.item.NoiDungXuLy)).toEqual(['Bước 1']);
    world.dvcqg.control.setFault({ mode: 'none' });
    await waitFor(async () => {
      const delivered = (await bus.metrics.delivered.get()).values.reduce((n, v) => n + v.value, 0);
      return delivered >= STEPS + 1;
    }, 60_000, 'every update delivered after the fault');

    const stored = world.dvcqg.store.dossier(maHoSo)!;
    expect(stored.progress.map((p) => p.item.NoiDungXuLy)).toEqual(Array.from({ length: STEPS }, (_, i) => `Bước ${i + 1}`));
    expect(stored.syncCount).toBe(1);
    const found = (await bus.metrics.effectsFoundUpstream.get()).values.reduce((n, v) => n + v.value, 0);
    expect(found).toBeGreaterThanOrEqual(1);
    expect(await bus.transport.listDeadLetters({})).toEqual([]);
  });
});
