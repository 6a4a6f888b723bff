// During a DVCQG outage, dossiers wait for DVCQG even once its procedure catalogue is cached: the catalogue has a
// breaker of its own, because its cache hits, counted as successes on the DVCQG breaker, would open it late and close
// it again on a half-open trial that never reached DVCQG, and dossiers would use up their attempts and be
// dead-lettered (RETRIES_EXHAUSTED). The chaos scenario upstream-outage exercises the same under load.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { waitFor } from '../../../testkit/env';
import { longestAttemptsSpanMs } from '../../../testkit/retry-span';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const code = (n: number) => `000.00.04.H10-261129-${Date.now() % 1e6}${String(n).padStart(4, '0')}`;

describe('DVCQG down after its procedure catalogue was cached (embedded transport)', () => {
  let world: DossierWorld;
  beforeAll(async () => {
    world = await startDossierWorld({ transport: 'embedded', breakerResetMs: 1000 });
  });
  afterAll(async () => world?.dispose());

  test('dossiers accepted during the outage wait for DVCQG instead of using up their attempts', async () => {
    const bus = world.buses[0]!;
    const submit = async (maHoSo: string) =>
      request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo }).expect(202);
    // One dossier delivered first: the catalogue (LayThuTuc) is now cached.
    const first = code(0);
    await submit(first);
    await waitFor(() => world.dvcqg.store.dossier(first), 20_000, 'first dossier at DVCQG');

    // Down until the test lifts it: until every dossier has failed (against DVCQG or its open breaker) and has then
    // been failing for longer than the route's retry policy takes to spend a message's attempts, so a dossier whose
    // outage failures counted as attempts would be dead-lettered before the outage ends.
    world.dvcqg.control.setFault({ mode: 'fail', status: 503, durationMs: 600_000 });
    const retrySpanMs = longestAttemptsSpanMs(bus.config.routes);
    const codes = Array.from({ length: 20 }, (_, i) => code(i + 1));
    const ids: string[] = [];
    for (const maHoSo of codes) ids.push(String((await submit(maHoSo)).body.messageId));
    const noDeadLetters = async () => {
      const dead = await bus.transport.listDeadLetters({});
      if (dead.length > 0) throw new Error(`dead-lettered during the outage: ${dead.map((d) => `${d.code} ${d.reason}`).join('; ')}`);
    };
    const failing = async (id: string) => {
      const res = await request(bus.url()).get(`/api/v1/messages/${id}`).set('Authorization', `Bearer ${world.token}`);
      return res.body.state === 'in-progress' && typeof res.body.code === 'string';
    };
    await waitFor(async () => {
      await noDeadLetters();
      return (await Promise.all(ids.map(failing))).every(Boolean);
    }, 60_000, 'every dossier failing while DVCQG is down');
    const allFailingAt = Date.now();
    await waitFor(async () => {
      await noDeadLetters();
      return Date.now() - allFailingAt > 2 * retrySpanMs;
    }, 2 * retrySpanMs + 10_000, 'twice the retry span of failing');
    expect(codes.filter((c) => world.dvcqg.store.dossier(c))).toEqual([]);
    world.dvcqg.control.setFault({ mode: 'none' });
    await waitFor(async () => {
      await noDeadLetters();
      return codes.every((c) => world.dvcqg.store.dossier(c));
    }, 60_000, 'all dossiers at DVCQG after the outage');
    for (const c of codes) expect(world.dvcqg.store.dossier(c)!.syncCount).toBe(1);
    expect(await bus.transport.listDeadLetters({})).toEqual([]);
  });
});
