// The PostgreSQL primary crashes under load and its synchronous standby is promoted: the bus (stores and audit on
// PostgreSQL, RabbitMQ transport) reaches the new primary through the same address (a proxy re-pointed, as a failover
// manager or a virtual IP does), refuses intake with 503 while no primary answers, loses nothing it accepted and
// applies nothing twice. The pair is scripts/postgres-pair.sh (ports 5441/5442, beside the default cluster).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Bus } from '../../../src/bus';
import { waitFor } from '../../../testkit/env';
import { freePort, tcpRelay, type TcpRelay } from '../../../testkit/tcp-relay';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const code = (n: number) => `000.00.04.H10-261203-${Date.now() % 1e5}${String(n).padStart(5, '0')}`;
const pair = (action: 'start' | 'promote' | 'kill-primary' | 'reset') =>
  execFileSync('bash', [path.resolve(__dirname, '../../../scripts/postgres-pair.sh'), action], { stdio: 'pipe', timeout: 120_000 });
const PRIMARY = 'postgres://postgres@127.0.0.1:5441/test';
const STANDBY = 'postgres://postgres@127.0.0.1:5442/test';

describe('PostgreSQL primary killed, synchronous standby promoted (RabbitMQ transport)', () => {
  let world: DossierWorld;
  let bus: Bus;
  let relay: TcpRelay;
  let relayPort: number;
  beforeAll(async () => {
    pair('reset');
    pair('start');
    relayPort = await freePort();
    relay = tcpRelay(relayPort, PRIMARY);
    await relay.start();
    world = await startDossierWorld({ transport: 'amqp', databaseUrl: `postgres://postgres@127.0.0.1:${relayPort}/test` });
    bus = world.buses[0]!;
  });
  afterAll(async () => {
    await world?.dispose();
    await relay?.stop();
    pair('reset');
  });

  test('503 while no primary answers, every accepted dossier delivered once after the promotion', async () => {
    const accepted: string[] = [];
    const refused: { status: number; code: string; at: number }[] = [];
    let stop = false;
    let n = 0;
    const load = (async () => {
      while (!stop) {
        const maHoSo = code(n++);
        const res = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo }).timeout(20_000).catch(() => null);
        if (res?.status === 202) accepted.push(maHoSo);
        else if (res) refused.push({ status: res.status, code: res.body?.code, at: performance.now() });
        // Paced like a one-stop system's steady traffic; the load is not what is under test.
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await waitFor(() => accepted.length >= 30, 30_000, '30 accepted before the crash');

    const crashedAt = performance.now();
    pair('kill-primary');
    // The failover manager's part: the old primary fenced (its connections cut), the standby promoted, the address
    // moved to it.
    await relay.stop();
    pair('promote');
    const promotedAt = performance.now();
    relay = tcpRelay(relayPort, STANDBY);
    await relay.start();
    const acceptedAtPromotion = accepted.length;
    await waitFor(() => accepted.length >= acceptedAtPromotion + 30, 60_000, 'accepting again on the promoted standby');
    const recoveredAt = performance.now();
    stop = true;
    await load;

    expect(refused.every((r) => r.status === 503 && ['AUDIT_UNAVAILABLE', 'STORE_UNAVAILABLE'].includes(r.code))).toBe(true);
    await waitFor(() => accepted.every((c) => world.dvcqg.store.dossier(c)), 120_000, 'every accepted dossier at DVCQG');
    for (const c of accepted) expect(world.dvcqg.store.dossier(c)!.syncCount).toBe(1);
    expect(await bus.transport.listDeadLetters({})).toEqual([]);
    expect((await request(bus.url()).get('/readyz')).status).toBe(200);
    const lastRefusal = refused.length > 0 ? Math.max(...refused.map((r) => r.at)) : crashedAt;
    console.log(
      `postgres failover: ${accepted.length} accepted, ${refused.length} refused 503; promotion took ${Math.round(promotedAt - crashedAt)} ms; ` +
        `last refusal ${Math.round(lastRefusal - crashedAt)} ms after the crash; 30 more accepted ${Math.round(recoveredAt - promotedAt)} ms after the promotion`,
    );
  });
});
