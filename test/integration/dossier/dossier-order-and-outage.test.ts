// Per-dossier order with four competing bus instances (RabbitMQ + PostgreSQL), and a DVCQG outage of 30 s that
// ends with every dossier delivered once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { DATABASE_URL, waitFor } from '../../../testkit/env';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const code = (n: number) => `000.00.04.H10-261128-${Date.now() % 1e6}${String(n).padStart(4, '0')}`;

describe('50 progress updates of one dossier with 4 bus instances competing', () => {
  let world: DossierWorld;
  beforeAll(async () => {
    world = await startDossierWorld({ transport: 'amqp', instances: 4, databaseUrl: DATABASE_URL, prefetch: 20 });
  });
  afterAll(async () => world?.dispose());

  test('arrive at DVCQG in the order the bus accepted them, each once', async () => {
    const maHoSo = code(1);
    const [first] = world.buses;
    await request(first!.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo }).expect(202);
    // Accept through different instances, one after another: that is the acceptance order.
    for (let i = 1; i <= 50; i++) {
      const bus = world.buses[i % world.buses.length]!;
      await request(bus.url())
        .post(`/api/v1/dossiers/${maHoSo}/progress`)
        .set('Authorization', `Bearer ${world.token}`)
        .send({ MaHoSo: maHoSo, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Trần Văn Bình', NoiDungXuLy: `Bước ${i}`, ThoiGianXuLy: '2026-11-27T10:00:00+07:00' })
        .expect(202);
    }
    const stored = await waitFor(() => {
      const d = world.dvcqg.store.dossier(maHoSo);
      return d && d.progress.length >= 50 ? d : null;
    }, 60_000, '50 progress updates at DVCQG');
    expect(stored.syncCount).toBe(1);
    expect(stored.progress.map((p) => p.item.NoiDungXuLy)).toEqual(Array.from({ length: 50 }, (_, i) => `Bước ${i + 1}`));
    // Every instance took part in the delivering.
    const busy = await Promise.all(world.buses.map(async (b) => (await b.metrics.delivered.get()).values.reduce((n, v) => n + v.value, 0)));
    expect(busy.filter((n) => n > 0).length).toBeGreaterThan(1);
  });
});

describe.each(['amqp', 'embedded'] as const)('DVCQG down until every dossier has failed against it (%s transport)', (transport) => {
  let world: DossierWorld;
  beforeAll(async () => {
    world = await startDossierWorld({ transport, breakerResetMs: 2000 });
  });
  afterAll(async () => world?.dispose());

  test('every dossier accepted during the outage is delivered after recovery, once, none rejected', async () => {
    const bus = world.buses[0]!;
    // Down until the test lifts it: the outage lasts until every dossier has been tried and failed, however slowly
    // this machine posts them, not for a fixed time.
    world.dvcqg.control.setFault({ mode: 'fail', status: 503, durationMs: 600_000 });
    const codes = Array.from({ length: 40 }, (_, i) => code(100 + i));
    const ids: string[] = [];
    for (const maHoSo of codes) {
      const res = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo }).expect(202);
      ids.push(res.body.messageId);
    }
    // During the outage: every dossier has failed at least once (against DVCQG or its open breaker), nothing delivered,
    // nothing given up on.
    const failing = async (id: string) => {
      const res = await request(bus.url()).get(`/api/v1/messages/${id}`).set('Authorization', `Bearer ${world.token}`);
      return res.body.state === 'in-progress' && typeof res.body.code === 'string';
    };
    await waitFor(async () => (await Promise.all(ids.map(failing))).every(Boolean), 90_000, 'every dossier failing while DVCQG is down');
    expect(codes.filter((c) => world.dvcqg.store.dossier(c))).toEqual([]);
    expect(await bus.transport.listDeadLetters({})).toEqual([]);
    world.dvcqg.control.setFault({ mode: 'none' });
    await waitFor(async () => {
      const dead = await bus.transport.listDeadLetters({});
      if (dead.length > 0) throw new Error(`dead-lettered during the outage: ${dead.map((d) => `${d.code} ${d.reason}`).join('; ')}`);
      return codes.every((c) => world.dvcqg.store.dossier(c));
    }, 90_000, 'all dossiers at DVCQG');
    for (const c of codes) expect(world.dvcqg.store.dossier(c)!.syncCount).toBe(1);
    const synced = world.dvcqg.control.received('DongBoHoSoMC').map((r) => (r.body as { data: { MaHoSo: string }[] }).data[0]!.MaHoSo);
    expect(synced.filter((c) => codes.includes(c)).sort()).toEqual([...codes].sort());
    for (const id of ids) {
      const status = await waitFor(async () => {
        const res = await request(bus.url()).get(`/api/v1/messages/${id}`).set('Authorization', `Bearer ${world.token}`);
        return res.body.state === 'delivered' ? res.body : null;
      }, 20_000, 'delivered status');
      expect(status.state).toBe('delivered');
    }
    expect(await bus.transport.listDeadLetters({})).toEqual([]);
  });
});
