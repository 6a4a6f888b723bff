// `npm run chaos [-- --quick] [--scenario=<name>[,<name>…]] [--keep-logs]`: runs the built bus as a child process on RabbitMQ with its
// stores and audit on PostgreSQL, against the reference simulators, and injects one fault per scenario while a steady
// load of dossiers and e-documents runs. Counts what became of every request from the upstreams' side, writes
// reports/chaos.json, prints a table, and exits 1 if anything accepted was lost or any upstream effect duplicated.
// It stops and starts the machine's RabbitMQ and PostgreSQL: run it alone (see README, "Chaos suite"). The cluster
// scenarios (full form, or named with --scenario) run a second bus on the three-node test cluster, started by
// scripts/rabbitmq-cluster.sh if it is not up and left running (docs/production-topology.md).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { children } from '../bench/child-process';
import { machineAndVersions } from '../bench/machine-info';
import { evidenceDelta, readBusEvidence } from './bus-metrics';
import { countEffects, progressOutOfOrder, upstreamEffectsOf, type EffectCount } from './effect-count';
import { ensureServicesRunning } from './infrastructure';
import { failed, formatTable, writeReport, type ChaosReport, type ScenarioResult } from './report';
import { CLUSTER_URLS, ensureCluster } from '../testkit/rabbitmq-cluster';
import { SCENARIOS, type FaultFacts, type Scenario } from './scenarios';
import { chaosSettings, type ChaosSettings } from './settings';
import { SteadyLoad, type SentRequest } from './steady-load';
import { dossierJourney, edocJourney, inboundJourney, TrafficFactory } from './traffic';
import { ChaosWorld } from './world';

const ROOT = path.resolve(__dirname, '../..');
const REPORT_FILE = path.join(ROOT, 'reports/chaos.json');
const log = (line: string) => process.stdout.write(`[chaos ${((performance.now() / 1000) | 0).toString().padStart(4)}s] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Restarts the bus if it died without the scenario killing it; answers whether it had to. */
async function reviveBus(world: ChaosWorld): Promise<boolean> {
  if (world.busAlive()) return false;
  log(`the bus process is not running; starting it again. Last log lines:\n${world.busLogTail(1500)}`);
  await world.startBus();
  return true;
}

async function countNow(world: ChaosWorld, requests: readonly SentRequest[]): Promise<EffectCount | null> {
  const letters = await world.deadLetters().catch(() => null);
  return letters ? countEffects(requests, upstreamEffectsOf(world.simulators), letters) : null;
}

async function runScenario(scenario: Scenario, world: ChaosWorld, traffic: TrafficFactory, settings: ChaosSettings): Promise<ScenarioResult> {
  const started = performance.now();
  let unexpectedBusRestarts = 0;
  let error: string | null = null;
  let fault: FaultFacts | null = null;
  log(`${scenario.name}: ${scenario.description(settings)}`);
  const evidenceBefore = await readBusEvidence(world.busUrl);
  const startsBefore = world.busStarts;
  const load = new SteadyLoad({
    baseUrl: world.busUrl,
    journeys: [
      { name: 'dossier', perSec: settings.dossiersPerSec, run: (send) => dossierJourney(traffic, send) },
      { name: 'edoc', perSec: settings.edocsPerSec, run: (send) => edocJourney(traffic, send) },
      { name: 'inbound', perSec: settings.inboundPerSec, run: (send) => inboundJourney(traffic, world.simulators.axis, send) },
    ],
    requestTimeoutMs: settings.requestTimeoutMs,
    resendForMs: settings.resendForMs,
  });
  load.start();
  await sleep(settings.beforeFaultMs);
  try {
    fault = (await scenario.inject({ world, settings, log })) ?? null;
    if (fault) log(`${scenario.name}: ${JSON.stringify(fault)}`);
  } catch (e) {
    error = `fault injection failed: ${errorText(e)}`;
    log(`${scenario.name}: ${error}`);
    await ensureServicesRunning(log);
  }
  if (await reviveBus(world).catch(() => false)) unexpectedBusRestarts++;
  await sleep(settings.afterFaultMs);
  const requests = await load.stop();
  const loadEnded = performance.now();
  log(`${scenario.name}: load stopped, ${requests.length} sent, ${requests.filter((r) => r.status === 202).length} accepted; waiting for the drain`);

  let count: EffectCount | null = null;
  let drainMs: number | null = null;
  for (;;) {
    if (await reviveBus(world).catch(() => false)) unexpectedBusRestarts++;
    count = (await countNow(world, requests)) ?? count;
    if (count && count.lost === 0) {
      drainMs = performance.now() - loadEnded;
      break;
    }
    if (performance.now() - loadEnded > settings.drainDeadlineMs) break;
    await sleep(1000);
  }
  // Settled; a moment more so that a late repeat of an effect (a retry of a call that timed out) is counted too.
  await sleep(2000);
  count = (await countNow(world, requests)) ?? count ?? countEffects(requests, upstreamEffectsOf(world.simulators), []);
  const busEvidence = evidenceDelta(evidenceBefore, await readBusEvidence(world.busUrl), world.busStarts !== startsBefore);
  const result = {
    name: scenario.name,
    description: scenario.description(settings),
    ...count,
    durationMs: Math.round(performance.now() - started),
    drainMs: drainMs === null ? null : Math.round(drainMs),
    loadSkipped: load.skipped,
    error,
    fault,
    unexpectedBusRestarts,
    busEvidence,
    progressOutOfOrder: progressOutOfOrder(requests, upstreamEffectsOf(world.simulators)),
  };
  log(`${scenario.name}: sent ${result.sent} accepted ${result.accepted} delivered ${result.delivered} duplicates ${result.duplicates} dead-lettered ${result.deadLettered} lost ${result.lost}` + (drainMs === null ? ' (drain deadline reached)' : ` (drained in ${(drainMs / 1000).toFixed(1)} s)`));
  return result;
}

async function main(): Promise<number> {
  const settings = chaosSettings(process.argv);
  // --scenario=a,b: those scenarios only, in the suite's order.
  const only = process.argv.find((a) => a.startsWith('--scenario='))?.slice('--scenario='.length).split(',');
  // The quick form (CI) leaves the cluster scenarios out: starting a cluster costs a minute or more on a small machine,
  // and the node-killed failover already runs in the jest suite (test/integration/cluster).
  const scenarios = SCENARIOS.filter((s) => (only ? only.includes(s.name) : settings.mode === 'full' || s.broker !== 'cluster'));
  if (scenarios.length === 0) throw new Error(`no scenario named ${only?.join(', ')}; there are ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const startedAt = new Date().toISOString();
  log(`${settings.mode} run ${runId}: ${scenarios.map((s) => s.name).join(', ')}`);
  await ensureServicesRunning(log);
  const machine = await machineAndVersions(ROOT);
  const results: ScenarioResult[] = [];
  let keepDir = process.argv.includes('--keep-logs');
  let busStarts = 0;
  const onSignal = () => {
    log('interrupted: putting RabbitMQ and PostgreSQL back up');
    for (const child of children) child.kill('SIGKILL');
    void ensureServicesRunning(log).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const groups = [
    { suffix: '', brokerUrls: undefined, scenarios: scenarios.filter((s) => s.broker !== 'cluster') },
    { suffix: 'c', brokerUrls: CLUSTER_URLS, scenarios: scenarios.filter((s) => s.broker === 'cluster') },
  ].filter((g) => g.scenarios.length > 0);
  for (const group of groups) {
    if (group.brokerUrls) log(await ensureCluster());
    const world = await ChaosWorld.create(`${runId}${group.suffix}`, settings, group.brokerUrls);
    try {
      await world.startBus();
      log(`bus ready at ${world.busUrl} on ${world.brokerUrls.length} broker address(es) (log ${world.busLogFile})`);
      const traffic = new TrafficFactory(`${runId}${group.suffix}`, world.tokens());
      for (const scenario of group.scenarios) {
        const result = await runScenario(scenario, world, traffic, settings);
        results.push(result);
        if (failed(result)) keepDir = true;
      }
    } finally {
      await ensureServicesRunning(log);
      if (group.brokerUrls) log(await ensureCluster().catch((e: Error) => `cluster restart: ${e.message}`));
      if (keepDir) log(`the bus log stays at ${world.busLogFile}`);
      busStarts += world.busStarts;
      await world.dispose(log, keepDir);
    }
  }
  const report: ChaosReport = {
    mode: settings.mode,
    startedAt,
    finishedAt: new Date().toISOString(),
    settings,
    ...machine,
    busStarts,
    scenarios: results,
    passed: !results.some(failed),
  };
  writeReport(REPORT_FILE, report);
  process.stdout.write(`\n${formatTable(report)}\n`);
  log(`wrote ${path.relative(process.cwd(), REPORT_FILE)}${report.passed ? '' : ' — FAILED: something accepted was lost or an upstream effect was duplicated'}`);
  return report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    for (const child of children) child.kill('SIGKILL');
    void ensureServicesRunning(log).finally(() => process.exit(2));
  },
);
