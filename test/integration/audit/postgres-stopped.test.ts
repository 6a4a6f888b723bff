// PostgreSQL (audit log and stores) stopped under load: intake answers 503 with a code instead of carrying
// unaudited traffic, nothing accepted is lost, and the bus recovers by itself when PostgreSQL is back.
import { execFileSync, execSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Bus } from '../../../src/bus';
import { DATABASE_URL, waitFor } from '../../../testkit/env';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const code = (n: number) => `000.00.04.H10-261130-${Date.now() % 1e6}${String(n).padStart(4, '0')}`;
const cluster = () => readdirSync('/etc/postgresql')[0]!;
const pg = (action: 'stop' | 'start') => execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster(), 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: 'ignore' });
const pgAnswers = () => {
  try {
    execSync('pg_isready -h 127.0.0.1 -p 5432', { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('PostgreSQL stopped under load (RabbitMQ transport, PostgreSQL stores and audit)', () => {
  let world: DossierWorld;
  let bus: Bus;
  beforeAll(async () => {
    world = await startDossierWorld({ transport: 'amqp', databaseUrl: DATABASE_URL });
    bus = world.buses[0]!;
  });
  afterAll(async () => {
    if (!pgAnswers()) pg('start');
    await waitFor(() => pgAnswers(), 30_000, 'PostgreSQL back');
    await world?.dispose();
  });

  test('503 while it is down, every accepted dossier delivered once after it is back', async () => {
    const startedAt = new Date().toISOString();
    const accepted: string[] = [];
    const refused: { status: number; code: string }[] = [];
    let stop = false;
    let n = 0;
    const load = (async () => {
      while (!stop) {
        const maHoSo = code(n++);
        const res = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: maHoSo }).timeout(20_000).catch(() => null);
        if (res?.status === 202) accepted.push(maHoSo);
        else if (res) refused.push({ status: res.status, code: res.body?.code });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await waitFor(() => accepted.length >= 20, 20_000, '20 accepted before the stop');
    pg('stop');
    try {
      await waitFor(() => refused.length >= 5, 30_000, 'refusals while PostgreSQL is down');
    } finally {
      pg('start');
    }
    await waitFor(() => pgAnswers(), 30_000, 'PostgreSQL answering');
    const acceptedAfter = accepted.length;
    await waitFor(() => accepted.length >= acceptedAfter + 5, 60_000, 'accepting again after recovery');
    stop = true;
    await load;

    expect(refused.every((r) => r.status === 503 && ['AUDIT_UNAVAILABLE', 'STORE_UNAVAILABLE'].includes(r.code))).toBe(true);
    await waitFor(() => accepted.every((c) => world.dvcqg.store.dossier(c)), 90_000, 'every accepted dossier at DVCQG');
    for (const c of accepted) expect(world.dvcqg.store.dossier(c)!.syncCount).toBe(1);
    // The dead-letter table is shared with earlier runs on this PostgreSQL: only this run's letters count.
    expect(await bus.transport.listDeadLetters({ since: startedAt })).toEqual([]);
    expect((await request(bus.url()).get('/readyz')).status).toBe(200);
  });
});
