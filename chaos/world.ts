// Everything a chaos run stands on: the reference simulators (in this process, on free ports), a PostgreSQL schema of
// its own (search_path in the connection URL, so the bus's stores and audit tables are the run's alone), a throw-away
// config with the real routes, and the built bus as a child process that can be SIGKILLed and started again on the
// same config and port. Dispose deletes the RabbitMQ topology and drops the schema. The bus runs on the machine's
// RabbitMQ, or on the nodes of the three-node test cluster (scripts/rabbitmq-cluster.sh) for the cluster scenarios.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDocumentAxisSimulator, type DocumentAxisSimulator } from '../testkit/simulators/document-axis';
import { startDvcqgSimulator, type DvcqgSimulator } from '../testkit/simulators/dvcqg';
import { startPopulationSimulator, type RunningPopulationSimulator } from '../testkit/simulators/population';
import { startQlvbPushSimulator, type QlvbPushSimulator } from '../testkit/simulators/qlvb-push';
import { DEMO_DVCQG_CREDENTIALS, DEMO_POPULATION_CREDENTIALS } from '../testkit/simulators/reference';
import { freePort, spawnChild, stopChild, waitReady, type Child } from '../bench/child-process';
import { BUS_NODE_FLAGS } from '../src/cli/bus-node-flags';
import { loadBusConfig } from '../src/bus-config';
import { deleteTopology } from '../testkit/amqp-cleanup';
import { TEST_SIGNING_KEY } from '../testkit/bus-process';
import { PRODUCTION_SECRET_ENV, writeAuditSigningKey } from '../testkit/production-secrets';
import { AMQP_URL } from '../testkit/env';
import { allShippedRoutes, writeConfigDir, type BusDocument } from '../testkit/config/bus-documents';
import { dossierFlowConfig } from '../testkit/config/dossier-flow-config';
import { testToken } from '../testkit/intake';
import { createSchema, dropSchema, schemaUrl } from '../testkit/pg-schema';
import type { ChaosSettings } from './settings';
import { ADMIN_CLIENT, AXIS_ORGAN, BUS_ORGAN, DOSSIER_CLIENT, EDOC_SENDER_CLIENT, PUSH_ORGAN, SENDER_ORGAN } from './traffic';

const ROOT = path.resolve(__dirname, '../..');
const AXIS_SYSTEM = 'lgsp-chaos';
const SECRETS = { CHAOS_PUSH_TOKEN: 'chaos-push-token', CHAOS_AXIS_SECRET: 'chaos-axis-hmac-secret' } as const;

export interface ChaosSimulators {
  dvcqg: DvcqgSimulator;
  population: RunningPopulationSimulator;
  push: QlvbPushSimulator;
  axis: DocumentAxisSimulator;
}

/** A dead letter as the admin API lists it (the fields the count needs). */
export interface ListedDeadLetter {
  messageId: string;
  correlationId: string;
  subject: string | null;
  type: string;
  route: string;
  code: string;
  reason: string;
}

export class ChaosWorld {
  private bus: Child | null = null;
  /** Bus processes started, the first included. */
  busStarts = 0;

  private constructor(
    readonly runId: string,
    readonly simulators: ChaosSimulators,
    private readonly dir: string,
    private readonly configDir: string,
    private readonly queuePrefix: string,
    private readonly schema: string,
    private readonly port: number,
    /** The broker addresses the bus is configured with (one, or the cluster's nodes). */
    readonly brokerUrls: readonly string[],
  ) {}

  /** `brokerUrls`: the nodes of a cluster for the cluster scenarios; the machine's RabbitMQ when absent. */
  static async create(runId: string, settings: ChaosSettings, brokerUrls: readonly string[] = [AMQP_URL]): Promise<ChaosWorld> {
    const schema = `chaos_${runId}`;
    const queuePrefix = `chaos-${runId}`;
    await createSchema(schema);
    const simulators: ChaosSimulators = {
      dvcqg: await startDvcqgSimulator({ credentials: { ...DEMO_DVCQG_CREDENTIALS } }),
      population: await startPopulationSimulator({ credentials: { ...DEMO_POPULATION_CREDENTIALS } }),
      push: await startQlvbPushSimulator({ token: SECRETS.CHAOS_PUSH_TOKEN }),
      axis: await startDocumentAxisSimulator({
        secrets: { [AXIS_SYSTEM]: SECRETS.CHAOS_AXIS_SECRET },
        organsBySystem: { [AXIS_SYSTEM]: [BUS_ORGAN, SENDER_ORGAN, PUSH_ORGAN] },
      }),
    };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lgsp-chaos-'));
    const port = await freePort();
    const configDir = writeChaosConfig(dir, { queuePrefix, schema, port, settings, simulators, brokerUrls });
    return new ChaosWorld(runId, simulators, dir, configDir, queuePrefix, schema, port, brokerUrls);
  }

  get busUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get busLogFile(): string {
    return path.join(this.dir, 'bus.log');
  }

  /** The queue of a route, as the bus names it. */
  routeQueue(route: string): string {
    return `${this.queuePrefix}.route.${route}`;
  }

  /** Every "broker connected" line of the bus's log (all its processes), each with the host:port it connected to. */
  brokerConnections(): string[] {
    const connections: string[] = [];
    let text = '';
    try {
      text = readFileSync(this.busLogFile, 'utf8');
    } catch {
      return connections;
    }
    for (const line of text.split('\n')) {
      if (!line.includes('"event":"connected"')) continue;
      try {
        const entry = JSON.parse(line) as { detail?: unknown };
        if (typeof entry.detail === 'string') connections.push(entry.detail);
      } catch {
        // A line cut by a SIGKILL.
      }
    }
    return connections;
  }

  get busPid(): number | null {
    return this.bus?.proc.pid ?? null;
  }

  tokens(): { dossier: string; edoc: string; admin: string } {
    return { dossier: testToken(DOSSIER_CLIENT, TEST_SIGNING_KEY), edoc: testToken(EDOC_SENDER_CLIENT, TEST_SIGNING_KEY), admin: testToken(ADMIN_CLIENT, TEST_SIGNING_KEY) };
  }

  async startBus(): Promise<void> {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LGSP_')) env[k] = v;
    this.bus = spawnChild(path.join(ROOT, 'dist/src/cli/start.js'), [], { ...env, ...SECRETS, ...PRODUCTION_SECRET_ENV, LGSP_CONFIG_DIR: this.configDir, NODE_ENV: 'production' }, this.busLogFile, this.busUrl, [...BUS_NODE_FLAGS]);
    this.busStarts++;
    await waitReady(this.bus, '/readyz', 60_000);
  }

  /** True while the bus child runs (it may also have died on its own: the run notices and says so). */
  busAlive(): boolean {
    return this.bus !== null && this.bus.proc.exitCode === null && this.bus.proc.signalCode === null;
  }

  async killBus(): Promise<void> {
    if (!this.bus || !this.busAlive()) return;
    this.bus.proc.kill('SIGKILL');
    await this.bus.exited;
  }

  async stopBus(): Promise<void> {
    if (this.bus) await stopChild(this.bus);
  }

  async deadLetters(): Promise<ListedDeadLetter[]> {
    const res = await fetch(`${this.busUrl}/api/v1/admin/dead-letters?limit=10000&includeReplayed=true`, { headers: { authorization: `Bearer ${this.tokens().admin}` } });
    if (res.status !== 200) throw new Error(`dead-letter list answered ${res.status}`);
    return ((await res.json()) as { items: ListedDeadLetter[] }).items;
  }

  /** Stops the bus, deletes the run's queues and exchanges and its PostgreSQL schema, closes the simulators. */
  async dispose(log: (line: string) => void, keepDir: boolean): Promise<void> {
    await this.stopBus().catch((e: Error) => log(`bus stop: ${e.message}`));
    const config = loadBusConfig({ configDir: this.configDir, env: {}, checkSecrets: false });
    const routes = config.routes.map((r) => ({ name: r.name, retry: r.retry, prefetch: r.prefetch }));
    // Any node of a cluster that answers holds the topology (one may still be down after a failed scenario).
    let cleanupError: string | null = 'no broker address';
    for (const url of this.brokerUrls) {
      cleanupError = await deleteTopology(this.queuePrefix, routes, url).then(() => null, (e: Error) => e.message);
      if (cleanupError === null) break;
    }
    if (cleanupError !== null) log(`topology cleanup: ${cleanupError}`);
    await dropSchema(this.schema).catch((e: Error) => log(`schema cleanup: ${e.message}`));
    for (const sim of Object.values(this.simulators)) await sim.close().catch(() => undefined);
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** The bus log's last lines (for a failed run). */
  busLogTail(chars = 4000): string {
    try {
      return readFileSync(this.busLogFile, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  }
}

function writeChaosConfig(
  dir: string,
  o: { queuePrefix: string; schema: string; port: number; settings: ChaosSettings; simulators: ChaosSimulators; brokerUrls: readonly string[] },
): string {
  const { dvcqg, population, push, axis } = o.simulators;
  // The simulators share the machine with the load: under it they may carry out a call seconds after the bus gave up.
  const dvcqgBreaker = { timeoutMs: o.settings.breakerTimeoutMs, volumeThreshold: 5, errorThresholdPercentage: 50, resetTimeoutMs: 2000, abandonedCallSettleMs: 10_000 };
  const breaker = { timeoutMs: 5000, volumeThreshold: 5, errorThresholdPercentage: 50, resetTimeoutMs: 2000, abandonedCallSettleMs: 10_000 };
  const dataDir = path.join(dir, 'data');
  const bus: BusDocument = {
    http: { host: '127.0.0.1', port: o.port },
    transport: { ...(o.brokerUrls.length === 1 ? { amqpUrl: o.brokerUrls[0] } : { amqpUrls: [...o.brokerUrls] }), namePrefix: o.queuePrefix, prefetch: 100 },
    stores: { dataDir, databaseUrl: schemaUrl(o.schema) },
    retry: { maxAttempts: 10, initialDelayMs: 200, maxDelayMs: 2000, multiplier: 2, jitter: 0.2 },
    // The production profile: the client key and the simulators' credentials come from the environment.
    clients: [
      { id: DOSSIER_CLIENT, name: 'Một cửa (chaos)', roles: ['intake'], rights: ['dossier.submit', 'dossier.progress', 'message.status'] },
      { id: EDOC_SENDER_CLIENT, name: 'QLVB Đồng Xoài (chaos)', roles: ['intake'], rights: ['edoc.*', 'message.status'] },
      { id: ADMIN_CLIENT, name: 'Quản trị (chaos)', roles: ['admin'] },
    ],
    flows: {
      dossier: dossierFlowConfig({ dvcqg: dvcqg.url, population: population.url }, 'LGSP-CHAOS', { dvcqg: dvcqgBreaker, population: breaker }, 'env'),
      edoc: {
        busOrganId: BUS_ORGAN,
        unknownOrgans: 'reject',
        organs: {
          [SENDER_ORGAN]: { name: 'UBND Thành phố Đồng Xoài', delivery: 'mailbox', clientIds: [EDOC_SENDER_CLIENT] },
          [PUSH_ORGAN]: { name: 'UBND Huyện Bù Đăng', delivery: 'push', pushUrl: push.url, pushToken: { env: 'CHAOS_PUSH_TOKEN' } },
          [AXIS_ORGAN]: { name: 'Văn phòng Chính phủ', delivery: 'axis' },
        },
        axis: { url: axis.url, systemId: AXIS_SYSTEM, secret: { env: 'CHAOS_AXIS_SECRET' }, breaker, inbound: { pollIntervalMs: 500 } },
        push: { breaker },
      },
    },
    logging: { level: 'info' },
    shutdown: { graceMs: 10_000 },
  };
  const routes = allShippedRoutes().map((route) => (route.name.startsWith('dossier-') ? { ...route, clients: [DOSSIER_CLIENT] } : route));
  const configDir = writeConfigDir(dir, { bus, routes: { routes } });
  writeAuditSigningKey(dataDir);
  return configDir;
}
