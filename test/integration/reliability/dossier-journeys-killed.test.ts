// One-stop journeys (a dossier and its five progress steps, each request with an Idempotency-Key, sent again after a
// lost answer, a 5xx or a 409 as a one-stop system would) while the bus process is killed with SIGKILL every few
// seconds and started again: every step reaches DVCQG once and in order, on the embedded default and on RabbitMQ +
// PostgreSQL, and every request is answered 202 within seconds of the bus being back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDvcqgSimulator, type DvcqgSimulator } from '../../../testkit/simulators/dvcqg';
import { startPopulationSimulator, type RunningPopulationSimulator } from '../../../testkit/simulators/population';
import { DEMO_DVCQG_CREDENTIALS, DEMO_POPULATION_CREDENTIALS } from '../../../testkit/simulators/reference';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { spawnReadyBus, TEST_CLIENT, TEST_SIGNING_KEY, type BusProcess } from '../../../testkit/bus-process';
import { shippedRoutes, writeConfigDir, type BusDocument } from '../../../testkit/config/bus-documents';
import { dossierFlowConfig } from '../../../testkit/config/dossier-flow-config';
import { AMQP_URL, uniqueName, waitFor } from '../../../testkit/env';
import { testToken } from '../../../testkit/intake';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';

const JOURNEYS = 30;
const STEPS = 5;
const CONCURRENT = 10;
const KILLS = 4;
/**
 * No request waits this long for its 202: a resend is answered as accepted once a consumer has the message, and a key
 * whose intake died before its publish is taken over once its lease runs out (6 s, renewed every 2 s while it lives).
 */
const SLOWEST_ANSWER_MS = 25_000;
const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const RETRY = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 };

function writeDossierBusConfig(dir: string, o: { amqpUrl: string | null; databaseUrl: string | null; prefix: string; dvcqg: string; population: string }): string {
  const breaker = { timeoutMs: 3000, volumeThreshold: 5, errorThresholdPercentage: 50, resetTimeoutMs: 1000 };
  const bus: BusDocument = {
    http: { host: '127.0.0.1', port: 0 },
    transport: { amqpUrl: o.amqpUrl, namePrefix: o.prefix, prefetch: 20 },
    stores: { dataDir: path.join(dir, 'data'), databaseUrl: o.databaseUrl },
    retry: RETRY,
    auth: { developmentSigningKey: TEST_SIGNING_KEY },
    clients: [{ id: TEST_CLIENT, name: 'Một cửa thử nghiệm', roles: ['intake', 'admin'], rights: ['dossier.*', 'message.status'] }],
    flows: { dossier: dossierFlowConfig({ dvcqg: o.dvcqg, population: o.population }, 'LGSP-KILL', { dvcqg: breaker, population: breaker }) },
    logging: { level: 'warn' },
    shutdown: { graceMs: 5000 },
  };
  return writeConfigDir(dir, { bus, routes: { routes: shippedRoutes('dossier-', [TEST_CLIENT]) } });
}

describe.each([
  ['embedded', null, false],
  ['RabbitMQ and PostgreSQL', AMQP_URL, true],
] as const)('dossier journeys while the bus is killed every few seconds (%s)', (_name, amqpUrl, postgres) => {
  let dvcqg: DvcqgSimulator;
  let population: RunningPopulationSimulator;
  let dir: string;
  let bus: BusProcess | null = null;
  const prefix = uniqueName('journeys').toLowerCase();
  const schema = prefix.replace(/-/g, '_');

  beforeAll(async () => {
    dvcqg = await startDvcqgSimulator({ credentials: { ...DEMO_DVCQG_CREDENTIALS } });
    population = await startPopulationSimulator({ credentials: { ...DEMO_POPULATION_CREDENTIALS } });
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-journeys-'));
    if (postgres) await createSchema(schema);
  });
  afterAll(async () => {
    bus?.child.kill('SIGKILL');
    await bus?.exited;
    await Promise.all([dvcqg?.close(), population?.close()]);
    if (amqpUrl) await deleteTopology(prefix, ['dossier-sync', 'dossier-progress'].map((name) => ({ name, prefetch: 20, retry: RETRY })));
    if (postgres) await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${JOURNEYS} journeys of a dossier and ${STEPS} steps, ${KILLS} kills: every step at DVCQG once and in order`, async () => {
    const configDir = writeDossierBusConfig(dir, { amqpUrl, databaseUrl: postgres ? schemaUrl(schema) : null, prefix, dvcqg: dvcqg.url, population: population.url });
    bus = await spawnReadyBus(configDir);
    const token = testToken(TEST_CLIENT, TEST_SIGNING_KEY);
    const run = Date.now() % 1e6;
    const codes = Array.from({ length: JOURNEYS }, (_, i) => `000.00.04.H10-261203-${run}${String(i).padStart(3, '0')}`);
    let slowest = 0;
    let resends = 0;
    let accepted = 0;

    /** Sends until the bus answers 202, as a one-stop system does: after a lost answer, a 5xx, a 409 or a 429. */
    const sendUntilAccepted = async (url: string, body: object, key: string): Promise<void> => {
      const first = Date.now();
      for (;;) {
        const target = bus?.url;
        let status = 0;
        let retryAfter = 0.2;
        if (target) {
          try {
            const res = await fetch(`${target}${url}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
              body: JSON.stringify(body),
              signal: AbortSignal.timeout(10_000),
            });
            status = res.status;
            retryAfter = Math.min(Number(res.headers.get('retry-after') ?? 0.2) || 0.2, 1);
            await res.arrayBuffer();
          } catch {
            status = 0;
          }
        }
        if (status === 202) {
          accepted++;
          break;
        }
        if (status !== 0 && status !== 409 && status !== 429 && status < 500) throw new Error(`${url} refused ${status}`);
        resends++;
        await new Promise((r) => setTimeout(r, retryAfter * 1000));
      }
      slowest = Math.max(slowest, Date.now() - first);
    };

    const journey = async (maHoSo: string) => {
      await sendUntilAccepted('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo }, `${maHoSo}:dossier`);
      for (let step = 1; step <= STEPS; step++) {
        const update = { MaHoSo: maHoSo, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Trần Văn Bình', NoiDungXuLy: `Bước ${step}`, ThoiGianXuLy: '2026-12-03T10:00:00+07:00' };
        await sendUntilAccepted(`/api/v1/dossiers/${encodeURIComponent(maHoSo)}/progress`, update, `${maHoSo}:${step}`);
      }
    };
    let next = 0;
    const clients = Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        while (next < codes.length) await journey(codes[next++]!);
      }),
    );
    let done = false;
    void clients.finally(() => (done = true));
    // Kills spread over the run: at a fifth, two fifths, … of the requests accepted, wherever each intake then is.
    const total = JOURNEYS * (STEPS + 1);
    let kills = 0;
    while (!done && kills < KILLS) {
      const threshold = Math.floor(((kills + 1) * total) / (KILLS + 1));
      await waitFor(() => done || accepted >= threshold, 120_000, `${threshold} requests accepted`);
      if (done) break;
      const victim = bus!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills++;
      bus = await spawnReadyBus(configDir);
    }
    await clients;

    const stored = await waitFor(() => {
      const all = codes.map((c) => dvcqg.store.dossier(c));
      return all.every((d) => d && d.progress.length >= STEPS) ? all : null;
    }, 120_000, 'every journey at DVCQG');
    // Figures for the report.
    console.log(`journeys: ${kills} kills, ${resends} resends, slowest request answered 202 after ${slowest} ms`);
    expect(kills).toBe(KILLS);
    for (const [i, dossier] of stored.entries()) {
      expect({ maHoSo: codes[i], syncs: dossier!.syncCount, steps: dossier!.progress.map((p) => p.item.NoiDungXuLy) }).toEqual({
        maHoSo: codes[i],
        syncs: 1,
        steps: Array.from({ length: STEPS }, (_, s) => `Bước ${s + 1}`),
      });
    }
    expect(slowest).toBeLessThan(SLOWEST_ANSWER_MS);
    bus!.child.kill('SIGTERM');
    await bus!.exited;
    bus = null;
  }, 300_000);
});
