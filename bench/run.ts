// `npm run bench [-- --quick]`: drives the real bus (child process: RabbitMQ transport, PostgreSQL stores and audit)
// against the upstream stand-ins (a child process answering from prepared bytes), next to a raw baseline (bare
// express + quorum queue + publisher confirm, also a child process), then the same intake on the embedded default, and
// a short end-to-end phase against the reference simulators for comparison. Writes bench/results/latest.json, appends
// a full run to bench/results/history.json, and prints the figures against the targets of issue #16. See
// bench/README.md.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client as PgClient } from 'pg';
import { startDvcqgSimulator } from '../testkit/simulators/dvcqg';
import { startPopulationSimulator } from '../testkit/simulators/population';
import { documentPackage } from '../testkit/worlds/edoc/packages';
import { startQlvbPushSimulator } from '../testkit/simulators/qlvb-push/simulator';
import { cpuMsPerCall, startStandIns } from './stand-ins';
import { evaluateTargets, printTargetTable } from './targets';
import { appendHistory, lastFullRunP99s } from './history';
import { DEMO_DVCQG_CREDENTIALS, DEMO_POPULATION_CREDENTIALS } from '../testkit/simulators/reference';
import { loadBusConfig } from '../src/bus-config';
import { deleteTopology } from '../testkit/amqp-cleanup';
import { TEST_SIGNING_KEY } from '../testkit/bus-process';
import { PRODUCTION_SECRET_ENV, writeAuditSigningKey } from '../testkit/production-secrets';
import { AMQP_URL, DATABASE_URL } from '../testkit/env';
import { allShippedRoutes, writeConfigDir, type BusDocument } from '../testkit/config/bus-documents';
import { dossierFlowConfig } from '../testkit/config/dossier-flow-config';
import { createSchema, dropSchema, schemaUrl } from '../testkit/pg-schema';
import { testToken } from '../testkit/intake';
import { BUS_NODE_FLAGS } from '../src/cli/bus-node-flags';
import { machineAndVersions } from './machine-info';
import { children, freePort, spawnChild, stopChild, waitReady, type Child } from './child-process';
import { closedLoop, createClient, openLoop, percentile, type LoadResult, type PostSpec } from './load';
import { largeEdocOnEmbeddedBus, type LargeEdocFigures } from './large-edoc';
import { measureWakeCost } from './wake-cost';
import { startTimeline, type TimelineSample } from './timeline';
import { parseGcLog, traceTail, type TailTrace } from './tail-trace';
import { groupCpu, groupCpuUsed, machineTicks, pidsByComm, procStatusKb, runQueueWaitMs, type GroupCpu } from './proc-stats';

const ROOT = path.resolve(__dirname, '../..');
const quick = process.argv.includes('--quick');
/** The word after `name` on the command line (`--rounds 8`), if `name` is there. */
function optionValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}
const P = quick
  ? { warmMs: 1500, intakeMs: 6000, drainCapMs: 30_000, latencyMs: 6000, lightLoadMs: 4000, edocDocs: 40, edocWarmDocs: 20, edocConcurrency: 4, connections: 50 }
  : { warmMs: 5000, intakeMs: 30_000, drainCapMs: 180_000, latencyMs: 30_000, lightLoadMs: 12_000, edocDocs: 120, edocWarmDocs: 40, edocConcurrency: 4, connections: 50 };
const PAYLOAD_BYTES = 2048;
const DOSSIER_CLIENT = 'motcua-bench';
const ORGAN_A = '000.00.01.H10';
const EDOC_RECIPIENTS = ['000.00.02.H10', '000.00.03.H10', '000.00.04.H10'];
const EDOC_CLIENTS: Record<string, string> = { [ORGAN_A]: 'qlvb-a', '000.00.02.H10': 'qlvb-b', '000.00.03.H10': 'qlvb-c', '000.00.04.H10': 'qlvb-d' };
const PUSH_TOKEN = 'bench-push-token';
const EDOC_ATTACHMENT_BYTES = 1024 * 1024;
const EDOC_SMALL_ATTACHMENT_BYTES = 1024;
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
/** The run's own PostgreSQL schema: every run starts on empty tables, as the first did, and leaves none behind. */
const SCHEMA = `bench_${runId}`;
const log = (line: string) => process.stdout.write(`[bench ${((performance.now() / 1000) | 0).toString().padStart(3)}s] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : null);

// ---------------------------------------------------------------------------------------------------------------------
// Payloads: the dossier fixture with a unique MaHoSo, padded (more TaiLieuNop entries) to 2 KiB; the same bytes go to
// the raw baseline.
const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
// The sequence part of MaHoSo has at most 10 digits: 4 for this run, 6 for the counter (a full run sends ~200,000).
const codeBase = `${Math.floor(Date.now() / 1000) % 10_000}`.padStart(4, '0');
let codeCounter = 0;
const nextCode = () => `000.00.04.H10-261127-${codeBase}${String(codeCounter++ % 1_000_000).padStart(6, '0')}`;
function dossierBody(code: string): Buffer {
  const files = [...(fixture.TaiLieuNop as unknown[])];
  let body = Buffer.from(JSON.stringify({ ...fixture, MaHoSo: code, TaiLieuNop: files }));
  for (let i = 2; body.length < PAYLOAD_BYTES; i++) {
    files.push({ TepDinhKemId: `f-${i}`, TenTepDinhKem: `Giấy tờ kèm theo số ${i} của hồ sơ đăng ký khai sinh.pdf` });
    body = Buffer.from(JSON.stringify({ ...fixture, MaHoSo: code, TaiLieuNop: files }));
  }
  return body;
}

// ---------------------------------------------------------------------------------------------------------------------
// Processes.
/** BENCH_CPU_PROF=<dir>: the bus processes write V8 CPU profiles there (on a graceful stop). */
const CPU_PROFILE_ARGS = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
const BUS_NODE_ARGS = [...BUS_NODE_FLAGS, ...CPU_PROFILE_ARGS];

/** Committed PostgreSQL transactions of the bench database so far (each autocommit statement counts as one). */
async function pgCommits(): Promise<number> {
  const pg = new PgClient({ connectionString: DATABASE_URL });
  try {
    await pg.connect();
    const row = (await pg.query<{ n: string }>('select xact_commit::text as n from pg_stat_database where datname = current_database()')).rows[0];
    return Number(row?.n ?? NaN);
  } catch {
    return NaN;
  } finally {
    await pg.end().catch(() => undefined);
  }
}

/** Mean time of each step of a route so far, from the bus's own histogram (lgsp_step_duration_seconds). */
async function meanStepMs(busUrl: string, route: string): Promise<Record<string, number | null>> {
  const text = await fetch(`${busUrl}/metrics`).then((r) => r.text()).catch(() => '');
  const sums = new Map<string, { sum: number; count: number }>();
  for (const match of text.matchAll(/^lgsp_step_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (labels.route !== route || !labels.step) continue;
    const entry = sums.get(labels.step) ?? { sum: 0, count: 0 };
    entry[match[1] as 'sum' | 'count'] = Number(match[3]);
    sums.set(labels.step, entry);
  }
  return Object.fromEntries([...sums].map(([step, { sum, count }]) => [step, count > 0 ? round((sum / count) * 1000, 2) : null]));
}

/** Phases during which other processes on the machine used more than 30% of a core (figures are then noisy). */
const noisyPhases: number[] = [];

/** A measured window: the work's result, each group's CPU in % of one core (rounded, for the tables), unrounded in ms. */
interface CpuWindow<T> {
  result: T;
  cpu: Record<string, number>;
  cpuMs: Record<string, number>;
  seconds: number;
}

/** Measures CPU use of the given processes (and the machine) around `work`. */
async function withCpu<T>(pids: Record<string, number>, work: () => Promise<T>): Promise<CpuWindow<T>> {
  // The bench's own processes are fixed; RabbitMQ's and PostgreSQL's are found again at the end (backends start and end).
  const members: Record<string, () => number[]> = {
    ...Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, () => [pid]])),
    rabbitmq: () => pidsByComm(['beam.smp']),
    postgres: () => pidsByComm(['postgres']),
  };
  // Ended children count only where the parent is in the group (the postmaster, RabbitMQ's helpers): the bench's
  // own children are other groups (a bus it stops would otherwise count as the bench's CPU).
  const read = (k: string): GroupCpu => groupCpu(members[k]!(), k === 'rabbitmq' || k === 'postgres');
  const before = Object.fromEntries(Object.keys(members).map((k) => [k, read(k)]));
  const busWait0 = pids.bus === undefined ? null : runQueueWaitMs(pids.bus);
  const sys0 = machineTicks();
  const t0 = performance.now();
  const result = await work();
  const wall = (performance.now() - t0) / 1000;
  const sys1 = machineTicks();
  const cpu: Record<string, number> = {};
  const cpuMs: Record<string, number> = {};
  for (const k of Object.keys(members)) {
    cpuMs[k] = groupCpuUsed(before[k]!, read(k)) * 1000;
    cpu[`${k}Pct`] = round((cpuMs[k] / 1000 / wall) * 100, 0)!;
  }
  cpu.machineBusyPct = round(((sys1.busy - sys0.busy) / (sys1.total - sys0.total)) * 100, 0)!;
  const busWait1 = pids.bus === undefined ? null : runQueueWaitMs(pids.bus);
  if (busWait0 !== null && busWait1 !== null) cpu.busLoopWaitMs = round(busWait1 - busWait0, 0)!;
  // CPU of processes not measured above (another test run on the machine, the kernel): in % of one core, like the rest.
  const measured = Object.keys(members).reduce((sum, k) => sum + cpu[`${k}Pct`]!, 0);
  cpu.otherPct = Math.max(0, round(cpu.machineBusyPct * os.cpus().length - measured, 0)!);
  if (cpu.otherPct > 30) noisyPhases.push(cpu.otherPct);
  return { result, cpu, cpuMs, seconds: wall };
}

/**
 * CPU milliseconds each process spent per item of a phase, and the rates this machine's cores could carry at those
 * costs: with everything as measured, and if the bus itself cost nothing (the rest is the simulators, the load
 * generator, RabbitMQ, PostgreSQL and the kernel's share, which the bus cannot make faster).
 */
function cpuBudget(cpu: Record<string, number>, seconds: number, items: number, busKeys: string[]): Record<string, number | null> {
  const budget: Record<string, number | null> = {};
  let total = 0;
  let bus = 0;
  for (const [key, pct] of Object.entries(cpu)) {
    if (!key.endsWith('Pct') || key === 'machineBusyPct') continue;
    const ms = (pct / 100) * seconds * 1000 / items;
    budget[`${key.slice(0, -3)}Ms`] = round(ms, 2);
    total += ms;
    if (busKeys.includes(key)) bus += ms;
  }
  const cores = os.cpus().length;
  budget.totalMs = round(total, 2);
  budget.ceilingPerSec = round((cores * 1000) / total, 0);
  budget.ceilingWithoutBusPerSec = busKeys.length > 0 ? round((cores * 1000) / (total - bus), 0) : null;
  return budget;
}

/** CPU ms per item of each process over several measured windows taken together (e.g. intake window + drain). */
function cpuMsPerItem(runs: { cpu: Record<string, number>; seconds: number }[], items: number): Record<string, number> {
  const ms: Record<string, number> = {};
  for (const run of runs) {
    for (const [key, pct] of Object.entries(run.cpu)) {
      if (!key.endsWith('Pct') || key === 'machineBusyPct') continue;
      const name = key.slice(0, -3);
      ms[name] = (ms[name] ?? 0) + ((pct / 100) * run.seconds * 1000) / items;
    }
  }
  return ms;
}

/**
 * The large-e-document phase (bench/large-edoc.ts): 8 concurrent 20 MiB attachments, REST then SOAP, on a bus of its
 * own on the embedded default — the bus's peak RSS and its longest event-loop stall. Quick runs send 4.
 */
async function largeEdocRun(): Promise<LargeEdocFigures> {
  return largeEdocOnEmbeddedBus({ documents: quick ? 4 : 8, attachmentMiB: 20, signed: false, log: (line) => log(line) });
}

// ---------------------------------------------------------------------------------------------------------------------
// The bus's config: dossier flow against the simulators, edoc flow with four in-province organs (A sends; B and D
// mailboxes, C pushed to the QLVB push simulator). Defaults everywhere else (retry, audit, logging at info).
function writeBusConfig(dir: string, options: { amqp: boolean; port: number; namePrefix: string; dvcqgUrl: string; populationUrl: string; pushUrl: string }): string {
  const dataDir = path.join(dir, 'data');
  const bus: BusDocument = {
    http: { host: '127.0.0.1', port: options.port },
    transport: { amqpUrl: options.amqp ? AMQP_URL : null, namePrefix: options.namePrefix, ...(process.env.BENCH_PREFETCH ? { prefetch: Number(process.env.BENCH_PREFETCH) } : {}) },
    stores: { dataDir, databaseUrl: options.amqp ? schemaUrl(SCHEMA) : null },
    // The production profile: the client key and the simulators' credentials come from the environment (busEnv).
    clients: [
      { id: DOSSIER_CLIENT, name: 'Một cửa (bench)', roles: ['intake'], rights: ['dossier.*', 'message.status'] },
      ...Object.values(EDOC_CLIENTS).map((id): NonNullable<BusDocument['clients']>[number] => ({ id, name: `QLVB ${id}`, roles: ['intake'], rights: ['edoc.*', 'message.status'] })),
    ],
    flows: {
      dossier: dossierFlowConfig({ dvcqg: options.dvcqgUrl, population: options.populationUrl }, 'LGSP-BENCH', {}, 'env'),
      edoc: {
        busOrganId: '000.00.00.H10',
        unknownOrgans: 'reject',
        organs: {
          [ORGAN_A]: { name: 'UBND Thành phố Đồng Xoài', delivery: 'mailbox', clientIds: [EDOC_CLIENTS[ORGAN_A]] },
          '000.00.02.H10': { name: 'UBND Thị xã Bình Long', delivery: 'mailbox', clientIds: ['qlvb-b'] },
          '000.00.03.H10': { name: 'UBND Huyện Bù Đăng', delivery: 'push', pushUrl: options.pushUrl, pushToken: { env: 'BENCH_PUSH_TOKEN' }, clientIds: ['qlvb-c'] },
          '000.00.04.H10': { name: 'UBND Thị xã Phước Long', delivery: 'mailbox', clientIds: ['qlvb-d'] },
        },
      },
    },
    logging: { level: 'info' },
  };
  const routes = allShippedRoutes()
    .filter((route) => route.name !== 'edoc-axis')
    .map((route) => (route.name.startsWith('dossier-') ? { ...route, clients: [DOSSIER_CLIENT] } : route));
  const configDir = writeConfigDir(dir, { bus, routes: { routes } });
  writeAuditSigningKey(dataDir);
  return configDir;
}

/** Deletes the RabbitMQ queues and exchanges of a bus the bench ran under `namePrefix` with the config in `configDir`. */
async function deleteBusTopology(namePrefix: string, configDir: string): Promise<void> {
  const config = loadBusConfig({ configDir, env: {}, checkSecrets: false });
  await deleteTopology(namePrefix, config.routes.map((r) => ({ name: r.name, retry: r.retry, prefetch: r.prefetch }))).catch((e: Error) => log(`topology cleanup: ${e.message}`));
}

/** The upstream stand-ins (DVCQG, population, QLVB push) with the demo credentials, noting each dossier stored. */
function startBenchStandIns(): ReturnType<typeof startStandIns> {
  return startStandIns({ dvcqg: { ...DEMO_DVCQG_CREDENTIALS }, population: { ...DEMO_POPULATION_CREDENTIALS }, pushToken: PUSH_TOKEN }, noteStored);
}

function busEnv(configDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LGSP_')) env[k] = v;
  return { ...env, ...PRODUCTION_SECRET_ENV, LGSP_CONFIG_DIR: configDir, BENCH_PUSH_TOKEN: PUSH_TOKEN, NODE_ENV: 'production' };
}

// ---------------------------------------------------------------------------------------------------------------------
// Dossier tracking: when each code was sent and when DVCQG (the stand-in, or the simulator in the comparison phase)
// first stored it (DongBoHoSoMC).
const sentAt = new Map<string, number>();
const deliveredAt = new Map<string, number>();
let lastDelivery = 0;
function noteStored(code: string, at: number): void {
  if (!deliveredAt.has(code)) deliveredAt.set(code, at);
  lastDelivery = Math.max(lastDelivery, at);
}

/**
 * The slow dossiers of a phase traced to their causes (bench/tail-trace.ts): the dossiers' times on the epoch's clock,
 * beside the bus's collections (its GC log) and the timeline of its threads and the machine.
 */
function halfLoadTail(phaseStart: number, codes: readonly string[], gcLog: string, timeline: TimelineSample[]): TailTrace {
  const dossiers = codes
    .filter((c) => deliveredAt.has(c))
    .map((c) => ({ sentAt: performance.timeOrigin + sentAt.get(c)!, latencyMs: deliveredAt.get(c)! - sentAt.get(c)! }));
  const gc = existsSync(gcLog) ? parseGcLog(readFileSync(gcLog, 'utf8')) : [];
  return traceTail({ phaseStart, dossiers, gc, timeline });
}

/** Request sent → stored by DVCQG, in ms, of those of `codes` stored so far, sorted. */
function deliveryLatencies(codes: readonly string[]): number[] {
  return codes.filter((c) => deliveredAt.has(c)).map((c) => deliveredAt.get(c)! - sentAt.get(c)!).sort((a, b) => a - b);
}

function dossierSpec(token: string, codes: string[]) {
  return (i: number): PostSpec => {
    const code = nextCode();
    codes[i] = code;
    return { path: '/api/v1/dossiers', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: dossierBody(code) };
  };
}

/** Every SAMPLE_EVERY-th accepted dossier's message id is kept, to read its state from the bus afterwards. */
const SAMPLE_EVERY = 50;

async function intake(baseUrl: string, token: string, durationMs: number, accepted: string[], connections = P.connections, sampledIds?: string[]): Promise<LoadResult> {
  const codes: string[] = [];
  return closedLoop({
    baseUrl,
    connections,
    durationMs,
    next: dossierSpec(token, codes),
    onSent: (i, at) => sentAt.set(codes[i]!, at),
    onAccepted: (i, answer) => {
      accepted.push(codes[i]!);
      if (sampledIds && accepted.length % SAMPLE_EVERY === 0) sampledIds.push((JSON.parse(answer.body) as { messageId: string }).messageId);
    },
  });
}

/** The state the bus reports for each message id, counted by state. */
async function statesOf(baseUrl: string, token: string, ids: string[]): Promise<Record<string, number>> {
  const client = createClient(baseUrl, 4);
  const states: Record<string, number> = {};
  for (const id of ids) {
    const answer = await client.get(`/api/v1/messages/${id}`, { authorization: `Bearer ${token}` }).catch(() => null);
    const state = answer?.status === 200 ? (JSON.parse(answer.body) as { state: string }).state : `http-${answer?.status ?? 'error'}`;
    states[state] = (states[state] ?? 0) + 1;
  }
  client.close();
  return states;
}

async function waitDelivered(codes: string[], capMs: number): Promise<boolean> {
  const deadline = performance.now() + capMs;
  while (performance.now() < deadline) {
    if (codes.every((c) => deliveredAt.has(c))) return true;
    await sleep(50);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lgsp-bench-'));
  const prefix = `bench-${runId}`;
  log(`${quick ? 'quick' : 'full'} run ${runId}, work dir ${dir}`);
  const env = await machineAndVersions(ROOT);

  // The upstreams of every phase but the comparison: stand-ins answering from prepared bytes, in a child process so
  // that their CPU is measured apart (`standInsPct`), as the real upstreams run on other machines.
  const standIns = await startBenchStandIns();
  const upstreams = { dvcqgUrl: standIns.urls.dvcqg, populationUrl: standIns.urls.population, pushUrl: standIns.urls.push };
  const token = testToken(DOSSIER_CLIENT, TEST_SIGNING_KEY);
  const results: Record<string, unknown> = {};
  const detail: Record<string, unknown> = {};
  const wakeCost = await measureWakeCost();
  detail.machineWakeCost = wakeCost;
  log(`this machine's CPU per wake from idle: ${wakeCost.cpuUsAfter1Ms} µs after 1 ms asleep, ${wakeCost.cpuUsAfter25Ms} µs after 25 ms`);

  // 1. Raw baseline.
  const rawQueue = `${prefix}.raw-baseline`;
  const rawPort = await freePort();
  const raw = spawnChild(path.join(__dirname, 'raw-baseline.js'), [AMQP_URL, rawQueue, String(rawPort)], process.env, path.join(dir, 'raw.log'), `http://127.0.0.1:${rawPort}`);
  await waitReady(raw, '/healthz');
  const rawSpec = (): PostSpec => ({ path: '/raw', headers: { 'content-type': 'application/json' }, body: dossierBody(nextCode()) });
  await closedLoop({ baseUrl: raw.url, connections: P.connections, durationMs: P.warmMs, next: rawSpec });
  const rawRun = await withCpu({ raw: raw.proc.pid!, bench: process.pid }, () => closedLoop({ baseUrl: raw.url, connections: P.connections, durationMs: P.intakeMs, next: rawSpec }));
  await stopChild(raw);
  const rawLog = readFileSync(raw.logFile, 'utf8');
  if (rawLog.includes('failed') || rawLog.includes('error')) log(`raw baseline log:\n${rawLog.slice(-2000)}`);
  log(`raw baseline: ${rawRun.result.perSec.toFixed(0)}/s p50 ${rawRun.result.p50Ms.toFixed(1)} ms p99 ${rawRun.result.p99Ms.toFixed(1)} ms ${JSON.stringify(rawRun.cpu)}`);

  // 2. The bus on RabbitMQ + PostgreSQL.
  const busDir = path.join(dir, 'amqp');
  const busPort = await freePort();
  const configDir = writeBusConfig(busDir, { amqp: true, port: busPort, namePrefix: prefix, ...upstreams });
  // Its garbage collections go to a file of the run (bench/bus-gc-probe.ts), for the half-load phase's tail.
  const busGcLog = path.join(dir, 'bus-amqp-gc.log');
  const bus = spawnChild(
    path.join(ROOT, 'dist/src/cli/start.js'),
    [],
    { ...busEnv(configDir), BENCH_GC_LOG: busGcLog },
    path.join(dir, 'bus-amqp.log'),
    `http://127.0.0.1:${busPort}`,
    [...BUS_NODE_ARGS, '--require', path.join(__dirname, 'bus-gc-probe.js')],
  );
  /**
   * The bus's peak RSS so far at the end of each phase: VmHWM is the kernel's own high-water mark, so the last note
   * is the peak of the whole run, and the earlier ones say where it was reached.
   */
  const peakRssMbAfter: Record<string, number | null> = {};
  const notePeak = (phase: string) => {
    peakRssMbAfter[phase] = round(procStatusKb(bus.proc.pid!, 'VmHWM') / 1024);
  };
  try {
    await waitReady(bus, '/readyz');
    notePeak('ready');
    log('bus (RabbitMQ + PostgreSQL) ready');
    const warm: string[] = [];
    await intake(bus.url, token, P.warmMs, warm);
    await waitDelivered(warm, P.drainCapMs);
    const accepted: string[] = [];
    const sampledIds: string[] = [];
    const pids = { bus: bus.proc.pid!, bench: process.pid, standIns: standIns.pid };
    const standIns0 = await standIns.stats();
    const phaseStart = performance.now();
    const commits0 = await pgCommits();
    const intakeRun = await withCpu(pids, () => intake(bus.url, token, P.intakeMs, accepted, P.connections, sampledIds));
    const ir = intakeRun.result;
    notePeak('intake');
    log(`bus intake: ${ir.perSec.toFixed(0)}/s p50 ${ir.p50Ms.toFixed(1)} ms p99 ${ir.p99Ms.toFixed(1)} ms refused ${JSON.stringify(ir.refused)} errors ${ir.errors} ${JSON.stringify(intakeRun.cpu)}`);
    const deliveredDuringIntake = accepted.filter((c) => deliveredAt.has(c)).length;
    const drain = await withCpu(pids, () => waitDelivered(accepted, P.drainCapMs));
    const drained = drain.result;
    const standIns1 = await standIns.stats();
    notePeak('drain');
    const deliveredCount = accepted.filter((c) => deliveredAt.has(c)).length;
    // Statements committed per dossier from intake to DVCQG (pg_stat_database is updated with a short delay).
    await sleep(1000);
    const pgCommitsPerDossier = round(((await pgCommits()) - commits0) / deliveredCount, 1);
    // The drain is delivery alone (no intake load): what one dossier costs from the broker to DVCQG.
    const drainBudget = cpuBudget(drain.cpu, drain.seconds, deliveredCount - deliveredDuringIntake, ['busPct']);
    const e2eEnd = drained ? lastDelivery : performance.now();
    const e2ePerSec = deliveredCount / ((e2eEnd - phaseStart) / 1000);
    log(`end to end: ${deliveredCount}/${accepted.length} delivered (${deliveredDuringIntake} during intake), ${e2ePerSec.toFixed(1)} dossiers/s${drained ? '' : ' (drain cap reached)'}; ${pgCommitsPerDossier} PostgreSQL commits per dossier; drain CPU ${JSON.stringify(drain.cpu)}`);
    log(`delivery CPU per dossier (ms): ${JSON.stringify(drainBudget)}`);
    // The whole end-to-end phase (intake window + drain) over the dossiers delivered: what one dossier costs each
    // process from the one-stop system's request to DVCQG. "The path" is the bus, RabbitMQ, PostgreSQL and the
    // upstreams (the stand-ins, at what they measured); the load generator and other processes are left out of it.
    const e2eCost = cpuMsPerItem([intakeRun, drain], deliveredCount);
    // The stand-ins' own reading (µs) over the same phase is finer than their share of a core in whole percent.
    e2eCost.standIns = (standIns1.cpuUs - standIns0.cpuUs) / 1000 / deliveredCount;
    const pathMs = pathCpuMs(e2eCost);
    const cores = os.cpus().length;
    const standInMsPerCall = cpuMsPerCall(standIns0, standIns1);
    log(`end-to-end CPU per dossier (ms): ${JSON.stringify(Object.fromEntries(Object.entries(e2eCost).map(([k, v]) => [k, round(v, 3)])))}; stand-ins ${standInMsPerCall === null ? 'n/a' : (standInMsPerCall * 1000).toFixed(1)} µs per call`);
    // The bus's intake alone: its CPU in the intake window less the deliveries it made in that window, each at the
    // drain's cost per delivery (the consumers run during intake, as in production; the raw baseline delivers nothing).
    const busIntakeWindowMs = ((intakeRun.cpu.busPct ?? 0) / 100) * intakeRun.seconds * 1000;
    const busIntakeCpuMs = drainBudget.busMs === null ? null : (busIntakeWindowMs - deliveredDuringIntake * drainBudget.busMs) / ir.accepted;
    const stepMs = await meanStepMs(bus.url, 'dossier-sync');
    log(`dossier-sync mean step time so far (ms): ${JSON.stringify(stepMs)}`);
    results.acceptPerSec = round(ir.perSec);
    results.rawBaselinePerSec = round(rawRun.result.perSec);
    results.acceptRatio = round(ir.perSec / rawRun.result.perSec, 3);
    results.acceptP50Ms = round(ir.p50Ms, 2);
    results.acceptP99Ms = round(ir.p99Ms, 2);
    results.e2ePerSec = round(e2ePerSec);
    results.deliveryCpuMsPerDossier = drainBudget.totalMs;
    results.busDeliveryCpuMsPerDossier = drainBudget.busMs;
    results.busDeliveryCpuMs = drainBudget.busMs;
    results.busIntakeCpuMs = busIntakeCpuMs === null ? null : round(busIntakeCpuMs, 3);
    const rawServerMs = ((rawRun.cpu.rawPct ?? 0) / 100) * rawRun.seconds * 1000 / rawRun.result.accepted;
    results.rawBaselineCpuMs = round(rawServerMs, 3);
    results.intakeCpuRatio = busIntakeCpuMs === null || rawServerMs <= 0 ? null : round(busIntakeCpuMs / rawServerMs, 2);
    results.e2eCpuMsPerDossier = round(pathMs, 3);
    results.e2eCeilingPerSec = pathMs > 0 ? round((cores * 1000) / pathMs, 0) : null;
    results.e2eCeilingWithoutBusPerSec = pathMs - (e2eCost.bus ?? 0) > 0 ? round((cores * 1000) / (pathMs - (e2eCost.bus ?? 0)), 0) : null;
    results.standInCpuMsPerCall = standInMsPerCall === null ? null : round(standInMsPerCall, 4);
    detail.raw = { perSec: round(rawRun.result.perSec), p50Ms: round(rawRun.result.p50Ms, 2), p99Ms: round(rawRun.result.p99Ms, 2), refused: rawRun.result.refused, errors: rawRun.result.errors, cpu: rawRun.cpu, cpuPerRequest: cpuBudget(rawRun.cpu, rawRun.seconds, rawRun.result.accepted, ['rawPct']) };
    // The bus's consumers deliver during the intake window too, so its figure per request includes that share.
    detail.intake = { accepted: ir.accepted, durationS: round(ir.durationS, 2), refused: ir.refused, errors: ir.errors, cpu: intakeRun.cpu, cpuPerRequest: cpuBudget(intakeRun.cpu, intakeRun.seconds, ir.accepted, ['busPct']) };
    detail.e2eThroughput = {
      accepted: accepted.length,
      delivered: deliveredCount,
      deliveredDuringIntake,
      drained,
      pgCommitsPerDossier,
      seconds: round((e2eEnd - phaseStart) / 1000, 2),
      drainCpu: drain.cpu,
      drainCpuPerDossier: drainBudget,
      cpuMsPerDossier: Object.fromEntries(Object.entries(e2eCost).map(([k, v]) => [k, round(v, 3)])),
      busIntakeCpuMsGross: round(busIntakeWindowMs / ir.accepted, 3),
      meanStepMs: stepMs,
    };
    detail.standIns = {
      calls: standIns1.calls - standIns0.calls,
      callsPerDossier: round((standIns1.calls - standIns0.calls) / Math.max(1, deliveredCount), 2),
      callsByKind: Object.fromEntries(Object.entries(standIns1.callsByKind).map(([k, n]) => [k, n - (standIns0.callsByKind[k] ?? 0)])),
      cpuMsPerCall: results.standInCpuMsPerCall,
      cpuMsPerDossier: round((standIns1.cpuUs - standIns0.cpuUs) / 1000 / Math.max(1, deliveredCount), 3),
    };

    if (!drained) {
      log('waiting for the backlog before the latency run');
      await waitDelivered(accepted, 10 * 60_000);
    }
    // 3. End-to-end latency at half the end-to-end rate (open loop).
    const rate = Math.max(1, e2ePerSec / 2);
    const latencyCodes: string[] = [];
    const latAccepted: string[] = [];
    const timeline = startTimeline(bus.proc.pid!, { rabbitmq: () => pidsByComm(['beam.smp']), postgres: () => pidsByComm(['postgres']) });
    const latencyStart = performance.timeOrigin + performance.now();
    const latencyRun = await withCpu(pids, () =>
      openLoop({
        baseUrl: bus.url,
        ratePerSec: rate,
        durationMs: P.latencyMs,
        next: dossierSpec(token, latencyCodes),
        onSent: (i, at) => sentAt.set(latencyCodes[i]!, at),
        onAccepted: (i) => latAccepted.push(latencyCodes[i]!),
      }),
    );
    await waitDelivered(latAccepted, 60_000);
    const tail = halfLoadTail(latencyStart, latAccepted, busGcLog, timeline.stop());
    notePeak('latency');
    const e2eLatencies = deliveryLatencies(latAccepted);
    results.e2eP50Ms = round(percentile(e2eLatencies, 50), 1);
    results.e2eP99Ms = round(percentile(e2eLatencies, 99), 1);
    results.e2eSlowDossiers = tail.slow;
    results.e2eSlowDossiersUntraced = tail.slowByCause.untraced;
    results.e2eP99WithoutFullCollectionsMs = tail.p99WithoutFullCollectionsMs;
    detail.e2eLatency = { ratePerSec: round(rate), sent: latencyRun.result.sent, accepted: latAccepted.length, delivered: e2eLatencies.length, intakeP99Ms: round(latencyRun.result.p99Ms, 2), cpu: latencyRun.cpu, tail };
    log(`end-to-end latency at ${rate.toFixed(1)}/s: p50 ${results.e2eP50Ms} ms p99 ${results.e2eP99Ms} ms (${e2eLatencies.length} dossiers) ${JSON.stringify(latencyRun.cpu)}`);
    log(`half-load tail: ${tail.slow} dossiers over ${tail.thresholdMs} ms in ${tail.clusters} clusters, by cause ${JSON.stringify(tail.slowByCause)}; ${tail.fullCollections} full collections of the bus; p99 without their windows ${tail.p99WithoutFullCollectionsMs} ms`);

    // 3b. What a dossier costs at lighter loads (a tenth and a quarter of the end-to-end rate), beside full load and
    //     half load: what batches under load (the group commit, the audit append, the socket writes) goes out one
    //     message at a time, and each process on the path wakes from idle more often per dossier.
    const lightAccepted: string[] = [];
    const costByLoad: CostAtLoad[] = [
      costAtLoad('full', e2ePerSec, e2eCost, null),
      costAtLoad('half', rate, cpuMsPerItem([latencyRun], Math.max(1, latAccepted.length)), e2eLatencies),
    ];
    for (const [load, fraction] of [['quarter', 0.25], ['tenth', 0.1]] as const) {
      const codes: string[] = [];
      const accepted: string[] = [];
      const lightRate = Math.max(1, e2ePerSec * fraction);
      const run = await withCpu(pids, async () => {
        await openLoop({ baseUrl: bus.url, ratePerSec: lightRate, durationMs: P.lightLoadMs, next: dossierSpec(token, codes), onSent: (i, at) => sentAt.set(codes[i]!, at), onAccepted: (i) => accepted.push(codes[i]!) });
        await waitDelivered(accepted, 60_000);
      });
      lightAccepted.push(...accepted);
      const latencies = deliveryLatencies(accepted);
      costByLoad.push(costAtLoad(load, lightRate, cpuMsPerItem([run], Math.max(1, latencies.length)), latencies));
    }
    detail.costByLoad = costByLoad;
    for (const row of costByLoad) log(`cost at ${row.load} load (${row.ratePerSec}/s): bus ${row.busCpuMs} ms, path ${row.pathCpuMs} ms per dossier; p50 ${row.p50Ms ?? '-'} ms p99 ${row.p99Ms ?? '-'} ms`);

    // The stand-ins' answers are taken by the bus as the simulators' are: every dossier accepted so far was stored
    // once by DVCQG's stand-in, and the sampled messages are "delivered" in the bus's own status.
    const standInsNow = await standIns.stats();
    const acceptedSoFar = warm.length + accepted.length + latAccepted.length + lightAccepted.length;
    const states = await statesOf(bus.url, token, sampledIds);
    results.standInsAccepted = standInsNow.dossiersStored === acceptedSoFar && sampledIds.length > 0 && (states.delivered ?? 0) === sampledIds.length;
    detail.standInCheck = { acceptedByBus: acceptedSoFar, storedByStandIn: standInsNow.dossiersStored, resyncs: standInsNow.dossierResyncs, sampledStates: states, sampled: sampledIds.length };
    log(`stand-in check: ${standInsNow.dossiersStored} stored / ${acceptedSoFar} accepted, ${standInsNow.dossierResyncs} re-sent; sampled states ${JSON.stringify(states)}`);

    // 4. E-documents: 1 MiB attachment to 3 in-province organs (2 mailboxes, 1 push), after a round that warms the
    // e-document code as the warm-up above does the dossier's (its figures are kept: the cost of a cold bus).
    const edocWarm = await withCpu(pids, () => edocRun(bus.url, EDOC_ATTACHMENT_BYTES, 'warm', P.edocWarmDocs));
    const warmBusMs = cpuMsPerDocument(edocWarm)?.bus;
    detail.edocWarmUp = { ...edocWarm.result, cpu: edocWarm.cpu, busCpuMsPerDocument: warmBusMs === undefined ? null : round(warmBusMs, 2) };
    log(`e-documents, warm-up: ${edocWarm.result.perSec.toFixed(2)} documents/s (${edocWarm.result.completed}/${edocWarm.result.documents}) ${JSON.stringify(edocWarm.cpu)}`);
    const edoc = await withCpu(pids, () => edocRun(bus.url, EDOC_ATTACHMENT_BYTES, 'mib'));
    results.edocPerSec = round(edoc.result.perSec, 2);
    const edocMiB = (edoc.result.completed * edoc.result.packageBytes) / 2 ** 20;
    results.edocBusCpuMsPerMiB = edocMiB > 0 ? round((edoc.cpuMs.bus ?? 0) / edocMiB, 1) : null;
    // The rate this machine's cores could carry at the path's measured CPU per document (as e2eCeilingPerSec).
    const edocPerDocument = cpuMsPerDocument(edoc);
    const edocPathMs = edocPerDocument === null ? 0 : pathCpuMs(edocPerDocument);
    results.edocPathCpuMsPerDocument = edocPathMs > 0 ? round(edocPathMs, 1) : null;
    results.edocCeilingPerSec = edocPathMs > 0 ? round((os.cpus().length * 1000) / edocPathMs, 0) : null;
    // One recipient of each document is the QLVB push stand-in: it applied one package per completed document.
    const pushesAfterMiB = (await standIns.stats()).pushesApplied;
    detail.standInCheck = { ...(detail.standInCheck as object), edocPushesApplied: pushesAfterMiB, edocCompleted: edocWarm.result.completed + edoc.result.completed };
    detail.edoc = { ...edoc.result, cpu: edoc.cpu };
    log(`e-documents: ${edoc.result.perSec.toFixed(2)} documents/s (${edoc.result.completed}/${edoc.result.documents}, package ${edoc.result.packageBytes} bytes, intake p50 ${edoc.result.intakeP50Ms} ms) ${JSON.stringify(edoc.cpu)}`);
    // The same documents with a 1 KiB attachment: what a document costs whatever its size (its six messages: the
    // package, a part per recipient, the two mailboxes' "01 đã đến"), and so what each MiB adds to it.
    const small = await withCpu(pids, () => edocRun(bus.url, EDOC_SMALL_ATTACHMENT_BYTES, 'kib'));
    const split = edocCostSplit(edoc, small);
    results.edocBusCpuMsPerDocument = split.perDocumentMs;
    results.edocSmallBusCpuMsPerDocument = split.smallPerDocumentMs;
    results.edocBusCpuMsPerMiBBeyondSmall = split.perMiBBeyondSmallMs;
    results.edocSmallPerSec = round(small.result.perSec, 2);
    detail.edocSmall = { ...small.result, cpu: small.cpu, pushesApplied: (await standIns.stats()).pushesApplied - pushesAfterMiB };
    log(`e-documents, 1 KiB attachment: ${small.result.perSec.toFixed(2)} documents/s (${small.result.completed}/${small.result.documents}, package ${small.result.packageBytes} bytes); bus CPU per document ${split.perDocumentMs} ms (1 MiB) / ${split.smallPerDocumentMs} ms (1 KiB): ${split.perMiBBeyondSmallMs} ms per MiB beyond ${JSON.stringify(small.cpu)}`);
    notePeak('edoc');
    detail.peakRssMbAfter = peakRssMbAfter;
    log(`bus peak RSS after each phase (MB): ${JSON.stringify(peakRssMbAfter)}`);
  } finally {
    await stopChild(bus);
    await deleteBusTopology(prefix, configDir);
  }
  results.peakRssMb = peakRssMbAfter.edoc ?? null;

  // 5. Scale-out: two bus processes (the same code and routes) on the one RabbitMQ and PostgreSQL, intake spread
  //    over both, as behind a load balancer.
  const scaleDirs = [0, 1].map((i) => path.join(dir, `scale-${i}`));
  const scaleBuses: Child[] = [];
  try {
    for (const [i, scaleDir] of scaleDirs.entries()) {
      const port = await freePort();
      const cfg = writeBusConfig(scaleDir, { amqp: true, port, namePrefix: `${prefix}-scale`, ...upstreams });
      scaleBuses.push(spawnChild(path.join(ROOT, 'dist/src/cli/start.js'), [], busEnv(cfg), path.join(dir, `bus-scale-${i}.log`), `http://127.0.0.1:${port}`, [...BUS_NODE_FLAGS]));
    }
    await Promise.all(scaleBuses.map((b) => waitReady(b, '/readyz')));
    const scaleWarm: string[] = [];
    await Promise.all(scaleBuses.map((b) => intake(b.url, token, P.warmMs, scaleWarm, P.connections / 2)));
    await waitDelivered(scaleWarm, P.drainCapMs);
    const scaleAccepted: string[] = [];
    const phaseStart = performance.now();
    const pids = Object.fromEntries(scaleBuses.map((b, i) => [`bus${i}`, b.proc.pid!]));
    const runs = await withCpu({ ...pids, bench: process.pid, standIns: standIns.pid }, () => Promise.all(scaleBuses.map((b) => intake(b.url, token, P.intakeMs, scaleAccepted, P.connections / 2))));
    const acceptPerSec = runs.result.reduce((sum, r) => sum + r.perSec, 0);
    const drained = await waitDelivered(scaleAccepted, P.drainCapMs);
    const delivered = scaleAccepted.filter((c) => deliveredAt.has(c)).length;
    const e2ePerSec = delivered / (((drained ? lastDelivery : performance.now()) - phaseStart) / 1000);
    results.scaleOut2AcceptPerSec = round(acceptPerSec);
    results.scaleOut2E2ePerSec = round(e2ePerSec);
    detail.scaleOut = { processes: 2, accepted: scaleAccepted.length, delivered, drained, perProcessAcceptPerSec: runs.result.map((r) => round(r.perSec)), cpu: runs.cpu };
    log(`scale-out, 2 processes: intake ${acceptPerSec.toFixed(0)}/s, end to end ${e2ePerSec.toFixed(1)} dossiers/s (${delivered}/${scaleAccepted.length}) ${JSON.stringify(runs.cpu)}`);
  } finally {
    await Promise.all(scaleBuses.map((b) => stopChild(b)));
    await deleteBusTopology(`${prefix}-scale`, path.join(scaleDirs[0]!, 'config'));
  }

  // 6. The embedded default (SQLite transport and stores): intake only.
  const embDir = path.join(dir, 'embedded');
  const embPort = await freePort();
  const embConfig = writeBusConfig(embDir, { amqp: false, port: embPort, namePrefix: prefix, ...upstreams });
  const emb = spawnChild(path.join(ROOT, 'dist/src/cli/start.js'), [], busEnv(embConfig), path.join(dir, 'bus-embedded.log'), `http://127.0.0.1:${embPort}`, [...BUS_NODE_FLAGS]);
  try {
    await waitReady(emb, '/readyz');
    await intake(emb.url, token, P.warmMs, []);
    const embAccepted: string[] = [];
    const embRun = await withCpu({ bus: emb.proc.pid!, bench: process.pid, standIns: standIns.pid }, () => intake(emb.url, token, P.intakeMs, embAccepted));
    results.embeddedAcceptPerSec = round(embRun.result.perSec);
    results.embeddedAcceptP50Ms = round(embRun.result.p50Ms, 2);
    results.embeddedAcceptP99Ms = round(embRun.result.p99Ms, 2);
    results.embeddedPeakRssMb = round(procStatusKb(emb.proc.pid!, 'VmHWM') / 1024);
    detail.embedded = { accepted: embRun.result.accepted, refused: embRun.result.refused, errors: embRun.result.errors, cpu: embRun.cpu };
    log(`embedded intake: ${embRun.result.perSec.toFixed(0)}/s p50 ${embRun.result.p50Ms.toFixed(1)} ms p99 ${embRun.result.p99Ms.toFixed(1)} ms ${JSON.stringify(embRun.cpu)}`);
  } finally {
    // SIGKILL: the embedded transport keeps the backlog in the throw-away dir; a graceful stop would only drain it.
    emb.proc.kill('SIGKILL');
    await emb.exited;
  }

  await standIns.close();

  // 7. For comparison: the same end to end against the reference simulators (node-soap, express, contract checks) in
  //    this process, a short window: what the figures were measuring before the stand-ins.
  const reference = await referenceComparison(dir, prefix, token);
  detail.referenceSimulators = reference;
  results.e2ePerSecReferenceSimulators = reference.e2ePerSec;
  rmSync(dir, { recursive: true, force: true });

  // 8. Large e-documents on a bus of their own (the embedded default): peak RSS and the longest event-loop stall.
  const largeEdoc = await largeEdocRun();
  results.largeEdocPeakRssMb = largeEdoc.largeEdocPeakRssMb;
  results.largeEdocMaxLoopStallMs = largeEdoc.largeEdocMaxLoopStallMs;
  detail.largeEdoc = largeEdoc;

  // The p99 of the last three full runs: a full run adds itself to the history first.
  const historyFile = path.join(ROOT, 'bench/results/history.json');
  if (!quick) appendHistory(historyFile, { startedAt, commit: env.versions.commit, e2eP99Ms: results.e2eP99Ms as number | null, e2ePerSec: results.e2ePerSec as number | null, intakeCpuRatio: results.intakeCpuRatio as number | null, busDeliveryCpuMs: results.busDeliveryCpuMs as number | null });
  results.e2eP99MsLastThreeRuns = lastFullRunP99s(historyFile, 3);

  const out = {
    ...results,
    mode: quick ? 'quick' : 'full',
    startedAt,
    finishedAt: new Date().toISOString(),
    params: { ...P, payloadBytes: PAYLOAD_BYTES, edocAttachmentBytes: EDOC_ATTACHMENT_BYTES, edocSmallAttachmentBytes: EDOC_SMALL_ATTACHMENT_BYTES, edocRecipients: EDOC_RECIPIENTS.length },
    ...env,
    noisyMachine: noisyPhases.length > 0 ? `other processes used up to ${Math.max(...noisyPhases)}% of a core during ${noisyPhases.length} phase(s)` : null,
    detail,
  };
  const targets = evaluateTargets(out);
  const met = Object.fromEntries(Object.entries(targets).map(([key, check]) => [key, { target: check.target, met: check.met }]));
  const file = path.join(ROOT, 'bench/results/latest.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...out, targets: met }, null, 2)}\n`);
  printTargetTable(out, targets, os.cpus().length);
  log(`wrote ${path.relative(process.cwd(), file)}`);
}

/** What one dossier cost at one load: the bus's CPU and the path's (bus, RabbitMQ, PostgreSQL, stand-ins), in ms. */
interface CostAtLoad {
  load: 'full' | 'half' | 'quarter' | 'tenth';
  ratePerSec: number | null;
  busCpuMs: number | null;
  pathCpuMs: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** CPU ms per dossier of the processes on the path (bus, RabbitMQ, PostgreSQL, stand-ins), from each one's figure. */
function pathCpuMs(msPerDossier: Record<string, number>): number {
  return ['bus', 'rabbitmq', 'postgres', 'standIns'].reduce((sum, k) => sum + (msPerDossier[k] ?? 0), 0);
}

function costAtLoad(load: CostAtLoad['load'], ratePerSec: number, msPerDossier: Record<string, number>, latencies: number[] | null): CostAtLoad {
  const path = pathCpuMs(msPerDossier);
  return {
    load,
    ratePerSec: round(ratePerSec),
    busCpuMs: round(msPerDossier.bus ?? 0, 2),
    pathCpuMs: round(path, 2),
    p50Ms: latencies && latencies.length > 0 ? round(percentile(latencies, 50), 1) : null,
    p99Ms: latencies && latencies.length > 0 ? round(percentile(latencies, 99), 1) : null,
  };
}

interface EdocResult {
  documents: number;
  accepted: number;
  completed: number;
  seconds: number;
  perSec: number;
  packageBytes: number;
  intakeP50Ms: number | null;
  completionP50Ms: number | null;
}

/**
 * `documents` packages with `attachmentBytes` random (incompressible) bytes attached, 4 in flight; `label` keeps the
 * DocumentIds of one round apart from another's (a DocumentId sent again with other bytes is refused).
 */
async function edocRun(baseUrl: string, attachmentBytes: number, label: string, documents = P.edocDocs): Promise<EdocResult> {
  const senderToken = testToken(EDOC_CLIENTS[ORGAN_A]!, TEST_SIGNING_KEY);
  const client = createClient(baseUrl, P.edocConcurrency + 2);
  const attachment = randomBytes(attachmentBytes);
  const makePackage = (n: number) => documentPackage({ from: ORGAN_A, to: EDOC_RECIPIENTS, documentId: `${ORGAN_A},2026/11/27,${n}/BENCH-${runId}-${label}`, attachment });
  const packageBytes = makePackage(0).length;
  const parents = new Map<string, number>();
  const done = new Map<string, number>();
  const intakeLatencies: number[] = [];
  const started = performance.now();
  let next = 0;
  let pollerStop = false;
  const poller = (async () => {
    while (!pollerStop || done.size < parents.size) {
      for (const [id, t0] of parents) {
        if (done.has(id)) continue;
        const answer = await client.get(`/api/v1/messages/${id}`, { authorization: `Bearer ${senderToken}` }).catch(() => null);
        if (!answer || answer.status !== 200) continue;
        const parts = ((JSON.parse(answer.body) as { parts?: { destination?: string; state: string }[] }).parts ?? []).filter((p) => EDOC_RECIPIENTS.includes(p.destination ?? ''));
        if (parts.length === EDOC_RECIPIENTS.length && parts.every((p) => p.state === 'delivered')) done.set(id, performance.now() - t0);
      }
      if (pollerStop && performance.now() - started > 10 * 60_000) break;
      await sleep(100);
    }
  })();
  await Promise.all(
    Array.from({ length: P.edocConcurrency }, async () => {
      while (next < documents) {
        const n = next++;
        const body = makePackage(n + 1);
        const t0 = performance.now();
        const answer = await client.post({ path: '/api/v1/edocs', headers: { 'content-type': 'application/xml', authorization: `Bearer ${senderToken}` }, body });
        if (answer.status !== 202) throw new Error(`edoc intake answered ${answer.status}: ${answer.body.slice(0, 300)}`);
        intakeLatencies.push(performance.now() - t0);
        parents.set((JSON.parse(answer.body) as { messageId: string }).messageId, t0);
      }
    }),
  );
  pollerStop = true;
  await poller;
  const seconds = (Math.max(...[...parents.entries()].map(([id, t0]) => t0 + (done.get(id) ?? 0))) - started) / 1000;
  client.close();
  const completion = [...done.values()].sort((a, b) => a - b);
  return {
    documents,
    accepted: parents.size,
    completed: done.size,
    seconds: round(seconds, 2)!,
    perSec: done.size / seconds,
    packageBytes,
    intakeP50Ms: round(percentile(intakeLatencies.sort((a, b) => a - b), 50), 1),
    completionP50Ms: round(percentile(completion, 50), 1),
  };
}

/**
 * The bus's CPU per completed document in each e-document round, and per MiB of package the larger adds to the
 * smaller: the part of a document's cost its bytes make.
 */
function edocCostSplit(large: CpuWindow<EdocResult>, small: CpuWindow<EdocResult>): { perDocumentMs: number | null; smallPerDocumentMs: number | null; perMiBBeyondSmallMs: number | null } {
  const [l, s] = [cpuMsPerDocument(large)?.bus, cpuMsPerDocument(small)?.bus];
  const extraMiB = (large.result.packageBytes - small.result.packageBytes) / 2 ** 20;
  return {
    perDocumentMs: l === undefined ? null : round(l, 2),
    smallPerDocumentMs: s === undefined ? null : round(s, 2),
    perMiBBeyondSmallMs: l === undefined || s === undefined || extraMiB <= 0 ? null : round((l - s) / extraMiB, 2),
  };
}

/**
 * Each process group's CPU in an e-document round (unrounded milliseconds) ÷ the documents it completed (all three
 * parts delivered); null when none did.
 */
function cpuMsPerDocument(run: CpuWindow<EdocResult>): Record<string, number> | null {
  const documents = run.result.completed;
  return documents > 0 ? Object.fromEntries(Object.entries(run.cpuMs).map(([group, ms]) => [group, ms / documents])) : null;
}

/**
 * The end-to-end phase, shorter, against the reference simulators in this process (their CPU is in `benchPct`): the
 * rate and the delivery cost they allow, next to the stand-ins' figures of the same run.
 */
async function referenceComparison(dir: string, prefix: string, token: string): Promise<{ e2ePerSec: number | null; acceptPerSec: number | null; accepted: number; delivered: number; drained: boolean; drainCpuPerDossier: Record<string, number | null> }> {
  const dvcqg = await startDvcqgSimulator({ credentials: { ...DEMO_DVCQG_CREDENTIALS } });
  const population = await startPopulationSimulator({ credentials: { ...DEMO_POPULATION_CREDENTIALS } });
  const push = await startQlvbPushSimulator({ token: PUSH_TOKEN, maxBodyBytes: 64 * 1024 * 1024 });
  const upsert = dvcqg.store.upsertDossier.bind(dvcqg.store);
  dvcqg.store.upsertDossier = (item, isUpdating) => {
    noteStored(item.MaHoSo, performance.now());
    return upsert(item, isUpdating);
  };
  const refPrefix = `${prefix}-ref`;
  const refDir = path.join(dir, 'reference');
  const port = await freePort();
  const configDir = writeBusConfig(refDir, { amqp: true, port, namePrefix: refPrefix, dvcqgUrl: dvcqg.url, populationUrl: population.url, pushUrl: push.url });
  const bus = spawnChild(path.join(ROOT, 'dist/src/cli/start.js'), [], busEnv(configDir), path.join(dir, 'bus-reference.log'), `http://127.0.0.1:${port}`, [...BUS_NODE_FLAGS]);
  try {
    await waitReady(bus, '/readyz');
    const warm: string[] = [];
    await intake(bus.url, token, P.warmMs, warm);
    await waitDelivered(warm, P.drainCapMs);
    const accepted: string[] = [];
    const phaseStart = performance.now();
    const run = await intake(bus.url, token, Math.min(P.intakeMs, 10_000), accepted);
    const duringIntake = accepted.filter((c) => deliveredAt.has(c)).length;
    const drain = await withCpu({ bus: bus.proc.pid!, bench: process.pid }, () => waitDelivered(accepted, P.drainCapMs));
    const delivered = accepted.filter((c) => deliveredAt.has(c)).length;
    const e2ePerSec = delivered / (((drain.result ? lastDelivery : performance.now()) - phaseStart) / 1000);
    log(`reference simulators: intake ${run.perSec.toFixed(0)}/s, end to end ${e2ePerSec.toFixed(1)} dossiers/s (${delivered}/${accepted.length}) ${JSON.stringify(drain.cpu)}`);
    return { e2ePerSec: round(e2ePerSec), acceptPerSec: round(run.perSec), accepted: accepted.length, delivered, drained: drain.result, drainCpuPerDossier: cpuBudget(drain.cpu, drain.seconds, Math.max(1, delivered - duringIntake), ['busPct']) };
  } finally {
    await stopChild(bus);
    await deleteBusTopology(refPrefix, configDir);
    await Promise.all([dvcqg.close(), population.close(), push.close()]);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
/** The Node flags a built checkout starts its bus with (they are part of what is compared); this one's if it has none. */
async function busNodeFlagsOf(root: string): Promise<readonly string[]> {
  const file = path.join(root, 'dist/src/cli/bus-node-flags.js');
  if (!existsSync(file)) return BUS_NODE_FLAGS;
  const flags: unknown = ((await import(file)) as { BUS_NODE_FLAGS?: unknown }).BUS_NODE_FLAGS;
  if (!Array.isArray(flags) || !flags.every((flag): flag is string => typeof flag === 'string')) throw new Error(`${file}: BUS_NODE_FLAGS is not a list of strings`);
  return flags;
}

// `--against <checkout>`: this code and another built checkout's, side by side under the same load at the same time.
// On a shared machine the CPU a message costs moves 10–20 % between runs with what else runs; two buses measured in the
// same seconds share that noise, so the ratio of their costs holds where sequential runs cannot resolve a few percent.
// Each round: both take the dossier intake at once (half the connections each), then both drain their own queues; per
// bus, its CPU per accepted dossier (less its deliveries in the window at its drain cost) and per delivered dossier.
// Then both take an open loop at a light rate each (`--light-rate`, default 60 dossiers/s: the two together near the
// half-load phase's rate), where what batches under load goes out a dossier at a time and each process wakes from
// idle more often: per bus, its CPU in that window and until those dossiers are delivered ÷ the dossiers delivered.
// Nothing is written to bench/results; the figures are printed, with the medians over the rounds.
async function pairedRun(against: string): Promise<void> {
  const rounds = Number(optionValue('--rounds')) || 3;
  const lightRate = Number(optionValue('--light-rate')) || 60;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lgsp-bench-pair-'));
  const prefix = `bench-${runId}`;
  const standIns = await startBenchStandIns();
  const upstreams = { dvcqgUrl: standIns.urls.dvcqg, populationUrl: standIns.urls.population, pushUrl: standIns.urls.push };
  const token = testToken(DOSSIER_CLIENT, TEST_SIGNING_KEY);
  // `--this <checkout>` puts another built checkout in this one's place (e.g. to split a series of commits).
  const thisOption = optionValue('--this');
  const thisRoot = thisOption === undefined ? ROOT : path.resolve(thisOption);
  const sides = [
    { name: 'against', root: path.resolve(against) },
    { name: 'this', root: thisRoot },
  ];
  const buses: { name: string; bus: Child; prefix: string; configDir: string }[] = [];
  log(`paired run ${runId}: ${thisRoot} against ${sides[0]!.root}, ${rounds} rounds of ${P.intakeMs / 1000} s`);
  try {
    for (const side of sides) {
      const port = await freePort();
      const sidePrefix = `${prefix}-${side.name}`;
      const configDir = writeBusConfig(path.join(dir, side.name), { amqp: true, port, namePrefix: sidePrefix, ...upstreams });
      const nodeArgs = [...(await busNodeFlagsOf(side.root)), ...CPU_PROFILE_ARGS];
      const bus = spawnChild(path.join(side.root, 'dist/src/cli/start.js'), [], busEnv(configDir), path.join(dir, `bus-${side.name}.log`), `http://127.0.0.1:${port}`, nodeArgs);
      log(`${side.name}: node ${nodeArgs.join(' ')}`);
      buses.push({ name: side.name, bus, prefix: sidePrefix, configDir });
    }
    await Promise.all(buses.map(({ bus }) => waitReady(bus, '/readyz')));
    // A whole round's load first, not counted: the first round's costs run 50–100 % higher (compilation, pools, caches).
    const warm: string[] = [];
    await Promise.all(buses.map(({ bus }) => intake(bus.url, token, P.intakeMs, warm, P.connections / 2)));
    await waitDelivered(warm, P.drainCapMs);
    const figures: Record<string, { intakeMs: number[]; deliveryMs: number[]; lightMs: number[]; lightLatencies: number[]; perSec: number[] }> = Object.fromEntries(
      sides.map((s) => [s.name, { intakeMs: [], deliveryMs: [], lightMs: [], lightLatencies: [], perSec: [] }]),
    );
    const pids = Object.fromEntries(buses.map(({ name, bus }) => [name, bus.proc.pid!]));
    for (let round_ = 1; round_ <= rounds; round_++) {
      const accepted = buses.map((): string[] => []);
      const window = await withCpu(pids, () => Promise.all(buses.map(({ bus }, i) => intake(bus.url, token, P.intakeMs, accepted[i]!, P.connections / 2))));
      const duringIntake = accepted.map((codes) => codes.filter((c) => deliveredAt.has(c)).length);
      const drain = await withCpu(pids, () => waitDelivered(accepted.flat(), P.drainCapMs));
      const lightCodes = buses.map((): string[] => []);
      const lightAccepted = buses.map((): string[] => []);
      const light = await withCpu(pids, async () => {
        await Promise.all(
          buses.map(({ bus }, i) =>
            openLoop({
              baseUrl: bus.url,
              ratePerSec: lightRate,
              durationMs: P.lightLoadMs,
              next: dossierSpec(token, lightCodes[i]!),
              onSent: (k, at) => sentAt.set(lightCodes[i]![k]!, at),
              onAccepted: (k) => lightAccepted[i]!.push(lightCodes[i]![k]!),
            }),
          ),
        );
        await waitDelivered(lightAccepted.flat(), P.drainCapMs);
      });
      const line: string[] = [];
      for (const [i, { name }] of buses.entries()) {
        const cpuMs = (run: CpuWindow<unknown>) => run.cpuMs[name] ?? 0;
        const lightLatencies = deliveryLatencies(lightAccepted[i]!);
        const lightMs = cpuMs(light) / Math.max(1, lightLatencies.length);
        figures[name]!.lightMs.push(lightMs);
        figures[name]!.lightLatencies.push(...lightLatencies);
        const deliveredInDrain = accepted[i]!.filter((c) => deliveredAt.has(c)).length - duringIntake[i]!;
        const deliveryMs = cpuMs(drain) / Math.max(1, deliveredInDrain);
        const intakeMs = (cpuMs(window) - duringIntake[i]! * deliveryMs) / Math.max(1, accepted[i]!.length);
        figures[name]!.intakeMs.push(intakeMs);
        figures[name]!.deliveryMs.push(deliveryMs);
        figures[name]!.perSec.push(window.result[i]!.perSec);
        const p = (q: number) => round(percentile(lightLatencies, q), 1);
        line.push(
          `${name}: intake ${window.result[i]!.perSec.toFixed(0)}/s, ${intakeMs.toFixed(3)} ms per accepted, ${deliveryMs.toFixed(3)} ms per delivered, ${lightMs.toFixed(3)} ms per dossier at ${lightRate}/s (p50 ${p(50)} p99 ${p(99)} ms)`,
        );
      }
      log(`round ${round_}${drain.result ? '' : ' (drain cap reached)'}: ${line.join('; ')} ${JSON.stringify(window.cpu)}`);
    }
    const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
    const summary = Object.fromEntries(
      Object.entries(figures).map(([name, f]) => {
        const latencies = [...f.lightLatencies].sort((a, b) => a - b);
        return [
          name,
          {
            busIntakeCpuMs: round(median(f.intakeMs), 3),
            busDeliveryCpuMs: round(median(f.deliveryMs), 3),
            busLightLoadCpuMs: round(median(f.lightMs), 3),
            // Request sent → stored by DVCQG's stand-in, every round's light-load dossiers together.
            lightLoadP50Ms: round(percentile(latencies, 50), 1),
            lightLoadP99Ms: round(percentile(latencies, 99), 1),
            acceptPerSec: round(median(f.perSec)),
            rounds: { intakeMs: f.intakeMs, deliveryMs: f.deliveryMs, lightMs: f.lightMs, perSec: f.perSec },
          },
        ];
      }),
    );
    // The ratio of each round (both buses measured in the same seconds), then its median and range over the rounds.
    const ratios = (key: 'intakeMs' | 'deliveryMs' | 'lightMs') => {
      const each = figures.this![key].map((v, i) => v / figures.against![key][i]!);
      return { median: round(median(each), 3), min: round(Math.min(...each), 3), max: round(Math.max(...each), 3) };
    };
    const thisOverAgainst = { busIntakeCpuMs: ratios('intakeMs'), busDeliveryCpuMs: ratios('deliveryMs'), busLightLoadCpuMs: ratios('lightMs') };
    const show = (r: ReturnType<typeof ratios>) => `${r.median} (${r.min}–${r.max})`;
    const medians = (name: string) => {
      const { busIntakeCpuMs, busDeliveryCpuMs, busLightLoadCpuMs, lightLoadP50Ms, lightLoadP99Ms } = summary[name]!;
      return JSON.stringify({ busIntakeCpuMs, busDeliveryCpuMs, busLightLoadCpuMs, lightLoadP50Ms, lightLoadP99Ms });
    };
    log(`medians: this ${medians('this')}, against ${medians('against')}`);
    log(`this ÷ against, per round: intake ${show(thisOverAgainst.busIntakeCpuMs)}, delivery ${show(thisOverAgainst.busDeliveryCpuMs)}, at ${lightRate}/s ${show(thisOverAgainst.busLightLoadCpuMs)}`);
    process.stdout.write(`${JSON.stringify({ this: thisRoot, against: sides[0]!.root, rounds, intakeMs: P.intakeMs, lightRatePerSec: lightRate, thisOverAgainst, summary })}\n`);
  } finally {
    await Promise.all(buses.map(({ bus }) => stopChild(bus)));
    for (const { prefix: sidePrefix, configDir } of buses) await deleteBusTopology(sidePrefix, configDir);
    await standIns.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const against = optionValue('--against');

createSchema(SCHEMA)
  .then(() => (against === undefined ? main() : pairedRun(against)))
  .then(
    async () => {
      await dropSchema(SCHEMA).catch((error: Error) => log(`schema cleanup: ${error.message}`));
      process.exit(0);
    },
    async (error: Error) => {
      process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
      for (const child of children) child.kill('SIGKILL');
      await dropSchema(SCHEMA).catch(() => undefined);
      process.exit(1);
    },
  );
