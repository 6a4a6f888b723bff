// Focused load on the stand-in process, as the bus calls it (its own PopulationClient and DvcqgClient on undici
// keep-alive pools): the process's CPU per call for each kind of call back to back (20 in flight, as the bus's
// consumers make them), and for the dossier mix of the bench's end to end (037, TraCuuHoSo, DongBoHoSoMC) started at
// a steady rate, as the bench's end to end calls them: there most calls wake the process on their own, which costs
// more per call than calls arriving back to back. Needs `npm run build`.
//   node dist/bench/stand-ins/measure.js [dossiers per phase, default 3000] [rounds, default 3] [dossiers/s, default 300] [phase name part]
// Run under `node --cpu-prof --cpu-prof-dir=<dir>` for a V8 profile of the stand-in process too (forks inherit it).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { repoFile } from '../../src/core/repo-files';
import { DvcqgClient, toDongBoHoSoItem, type DongBoHoSoMCItem, type DossierIntake } from '../../src/upstreams/dvcqg';
import { PopulationClient } from '../../src/upstreams/population';
import { DEMO_DVCQG_CREDENTIALS, DEMO_POPULATION_CREDENTIALS } from '../../testkit/simulators/reference';
import { SAMPLE_CITIZENS } from '../../testkit/simulators/population';
import { cpuMsPerCall, startStandIns, type RunningStandIns } from './index';

const IN_FLIGHT = 20;
/** The bench's dossier bodies are padded to about 2 KiB; the DVCQG item carries the same attachments list. */
const PADDED_BYTES = 2048;

async function inParallel(n: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await call(i);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** Starts `n` deliveries at `perSecond`, each on its own (an open loop), and waits for them all. */
async function atRate(n: number, perSecond: number, deliver: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  const running: Promise<unknown>[] = [];
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(n, Math.floor(((performance.now() - started) * perSecond) / 1000));
      while (running.length < due) running.push(deliver());
      if (running.length === n) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(running);
}

async function main(): Promise<void> {
  const dossiers = Number(process.argv[2] ?? 3000);
  const rounds = Number(process.argv[3] ?? 3);
  const dossiersPerSecond = Number(process.argv[4] ?? 300);
  const standIns: RunningStandIns = await startStandIns({ dvcqg: { ...DEMO_DVCQG_CREDENTIALS }, population: { ...DEMO_POPULATION_CREDENTIALS }, pushToken: 'measure' }, () => undefined);
  const population = await PopulationClient.create({ endpoint: standIns.urls.population, credentials: { ...DEMO_POPULATION_CREDENTIALS }, requestContext: { maDvc: 'BENCH', maCanBo: '001090000001' }, timeoutMs: 10_000 });
  const dvcqg = new DvcqgClient({ baseUrl: standIns.urls.dvcqg, ...DEMO_DVCQG_CREDENTIALS, madonvi: '000.00.04.H10', timeoutMs: 10_000 });
  const citizen = SAMPLE_CITIZENS.daoVanTai;
  const lookup = { soDinhDanh: citizen.soDinhDanh, hoVaTen: citizen.hoVaTen, ngaySinh: citizen.ngaySinh };
  const intake = JSON.parse(readFileSync(repoFile('test', 'fixtures', 'dvcqg', 'dossier-birth-registration.json'), 'utf8')) as DossierIntake;
  const base: DongBoHoSoMCItem = toDongBoHoSoItem(intake, { procedure: await dvcqg.getProcedure('1.001193') });
  const files = [...(base.TaiLieuNop ?? [])];
  for (let i = 2; JSON.stringify({ ...base, TaiLieuNop: files }).length < PADDED_BYTES; i++) {
    files.push({ ...files[0]!, TepDinhKemId: `f-${i}`, TenTepDinhKem: `Giấy tờ kèm theo số ${i} của hồ sơ đăng ký khai sinh.pdf` });
  }
  let serial = 0;
  const nextItem = (): DongBoHoSoMCItem => ({ ...base, MaHoSo: `${base.MaHoSo.slice(0, -8)}${String(serial++).padStart(8, '0')}`, TaiLieuNop: files });

  const deliver = async () => {
    await population.lookupCitizen(lookup);
    await dvcqg.syncDossier(nextItem());
  };
  const lookupCitizen = () => population.lookupCitizen(lookup);
  const lookupDossier = () => dvcqg.holdsDossier(nextItem());
  // At rate, single calls are started three times as often as dossiers: as many calls a second as the dossier mix.
  const phases: Record<string, (n: number) => Promise<unknown>> = {
    'population 037 back to back': (n) => inParallel(n, lookupCitizen),
    'TraCuuHoSo (not held) back to back': (n) => inParallel(n, lookupDossier),
    'dossier mix back to back': (n) => inParallel(n, deliver),
    [`population 037 at ${3 * dossiersPerSecond}/s`]: (n) => atRate(n, 3 * dossiersPerSecond, lookupCitizen),
    [`TraCuuHoSo (not held) at ${3 * dossiersPerSecond}/s`]: (n) => atRate(n, 3 * dossiersPerSecond, lookupDossier),
    [`dossier mix at ${dossiersPerSecond}/s`]: (n) => atRate(n, dossiersPerSecond, deliver),
  };
  const only = process.argv[5];
  if (only !== undefined) for (const name of Object.keys(phases)) if (!name.includes(only)) delete phases[name];
  // A warm-up of every phase first: the JIT, the pools' sockets and the stand-in's maps.
  for (const run of Object.values(phases)) await run(Math.min(1000, dossiers));
  for (let round = 1; round <= rounds; round++) {
    const figures: string[] = [];
    for (const [name, run] of Object.entries(phases)) {
      const before = await standIns.stats();
      await run(dossiers);
      const after = await standIns.stats();
      figures.push(`${name}: ${((cpuMsPerCall(before, after) ?? NaN) * 1000).toFixed(1)} µs/call (${after.calls - before.calls} calls)`);
    }
    process.stdout.write(`round ${round}:\n  ${figures.join('\n  ')}\n`);
  }
  const stats = await standIns.stats();
  process.stdout.write(`stored ${stats.dossiersStored}, re-sent ${stats.dossierResyncs}\n`);
  await Promise.all([population.close(), dvcqg.close()]);
  await standIns.close();
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
