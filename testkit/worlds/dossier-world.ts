// A bus with the dossier flow against reference simulators on free ports, in this process, on either transport.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { startDvcqgSimulator, type DvcqgSimulator } from '../simulators/dvcqg';
import { startPopulationSimulator, type RunningPopulationSimulator } from '../simulators/population';
import { DEMO_DVCQG_CREDENTIALS, DEMO_POPULATION_CREDENTIALS } from '../simulators/reference';
import { startBus, type Bus } from '../../src/bus';
import { loadDocuments, shippedRoutes, type BusDocument } from '../config/bus-documents';
import { createLogger } from '../../src/observability/logger';
import { deleteTopology } from '../amqp-cleanup';
import { TEST_CLIENT, TEST_SIGNING_KEY } from '../bus-process';

/** A client of the dossier world with message.status only. */
export const STATUS_ONLY_CLIENT = 'status-only';
/** A second one-stop system (dossier rights, on no route): what it may read of TEST_CLIENT's dossiers. */
export const OTHER_ONE_STOP_CLIENT = 'motcua-khac';
import { AMQP_URL, DEVELOPMENT_PROFILE, uniqueName } from '../env';
import { dossierFlowConfig } from '../config/dossier-flow-config';
import { testToken } from '../intake';
import { hashPassword } from '../../src/core/password-hash';

/** The member id of TEST_CLIENT in the dossier world. */
export const TEST_CLIENT_MEMBER = 'VN/GOV/000.00.04.H10/MOTCUA';

export const TEST_ADMIN = { username: 'quantri', password: 'mật-khẩu-thử-nghiệm' } as const;

type DossierSection = NonNullable<NonNullable<BusDocument['flows']>['dossier']>;
type BreakerSettings = NonNullable<DossierSection['dvcqg']['breaker']>;
type RetrySettings = Partial<NonNullable<BusDocument['retry']>>;

export interface DossierWorld {
  dvcqg: DvcqgSimulator;
  population: RunningPopulationSimulator;
  buses: Bus[];
  token: string;
  dataDir: string;
  /** Stops bus `index` and starts it again on the same config and data (its stores kept); resolves once it listens. */
  restart(index: number): Promise<Bus>;
  dispose(): Promise<void>;
}

export interface DossierWorldOptions {
  transport: 'amqp' | 'embedded';
  /** Bus instances sharing the broker and PostgreSQL (amqp only); default 1. */
  instances?: number;
  databaseUrl?: string | null;
  prefetch?: number;
  breakerResetMs?: number;
  /** Overrides of the upstreams' breaker settings and of the retry policy (time compressed by configuration). */
  breaker?: BreakerSettings;
  retry?: RetrySettings;
  /** People who may sign in to the admin console (bus.yaml `admins`). */
  admins?: { username: string; passwordHash: string; canViewPersonalData: boolean }[];
  /** Extra keys of bus.yaml's audit section. */
  audit?: BusDocument['audit'];
  /** Keys added to bus.yaml's flows.dossier (the DVCQG-compatible face, the catalogue; `dvcqg` settings merged). */
  dossier?: Partial<Pick<DossierSection, 'dvcqgCompat' | 'catalogue'>> & { dvcqg?: Partial<DossierSection['dvcqg']> };
  /** bus.yaml's observability section (tracing). */
  observability?: BusDocument['observability'];
  /** DVCQG refuses connections from before the buses start until a test lifts the fault (a bus that never heard it). */
  dvcqgDown?: boolean;
  /** Where the buses log, at which level; default: nowhere. */
  log?: { level: string; sink: Writable };
}

export async function startDossierWorld(options: DossierWorldOptions): Promise<DossierWorld> {
  const dvcqg = await startDvcqgSimulator({ credentials: { ...DEMO_DVCQG_CREDENTIALS } });
  const population = await startPopulationSimulator({ credentials: { ...DEMO_POPULATION_CREDENTIALS } });
  if (options.dvcqgDown) dvcqg.control.setFault({ mode: 'refuse', durationMs: 10 * 60_000 });
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-dossier-'));
  const prefix = uniqueName('dossier').toLowerCase();
  // The simulators carry a call out as it arrives (unless a test holds it back): an abandoned one is over within 1 s.
  const breaker = { timeoutMs: 3000, volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: options.breakerResetMs ?? 1000, abandonedCallSettleMs: 1000, ...options.breaker };
  const retry = { maxAttempts: 6, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2, ...options.retry };
  const bus: BusDocument = {
    http: { host: '127.0.0.1', port: 0 },
    transport: { amqpUrl: options.transport === 'amqp' ? AMQP_URL : null, namePrefix: prefix, prefetch: options.prefetch ?? 50 },
    stores: { dataDir: path.join(dir, 'data'), databaseUrl: options.databaseUrl ?? null },
    retry,
    auth: { developmentSigningKey: TEST_SIGNING_KEY },
    clients: [
      { id: TEST_CLIENT, name: 'Một cửa thử nghiệm', member: TEST_CLIENT_MEMBER, roles: ['intake', 'admin'], rights: ['dossier.*', 'citizen.verify', 'message.status', 'procedure.read'] },
      // Authenticates, but may only ask for message status: the dossier endpoints refuse it (RIGHT_REQUIRED).
      { id: STATUS_ONLY_CLIENT, name: 'Chỉ tra cứu trạng thái', roles: ['intake'], rights: ['message.status'] },
      // Another one-stop system with the same rights: it may read dossiers back, but only those it sent itself.
      { id: OTHER_ONE_STOP_CLIENT, name: 'Một cửa khác', roles: ['intake'], rights: ['dossier.*', 'message.status'] },
    ],
    admins: [{ username: TEST_ADMIN.username, passwordHash: hashPassword(TEST_ADMIN.password), canViewPersonalData: false }],
    flows: {
      dossier: withDossierSettings(dossierFlowConfig({ dvcqg: dvcqg.url, population: population.url }, 'LGSP-TEST', { dvcqg: breaker, population: breaker }), options.dossier),
    },
    ...(options.audit ? { audit: options.audit } : {}),
    ...(options.observability ? { observability: options.observability } : {}),
    logging: { level: 'silent' },
    ...(options.admins ? { admins: options.admins } : {}),
  };
  const config = loadDocuments({ bus, routes: { routes: shippedRoutes('dossier-', [TEST_CLIENT]) } }, { configDir: path.join(dir, 'config'), env: DEVELOPMENT_PROFILE });
  const buses: Bus[] = [];
  const startInstance = (i: number) =>
    startBus({ ...config, stores: { ...config.stores, dataDir: path.join(dir, `data-${i}`) } }, { logger: options.log ? createLogger(options.log.level, options.log.sink) : createLogger('silent') });
  for (let i = 0; i < (options.instances ?? 1); i++) buses.push(await startInstance(i));
  return {
    dvcqg,
    population,
    buses,
    token: testToken(TEST_CLIENT, TEST_SIGNING_KEY),
    dataDir: path.join(dir, 'data-0'),
    async restart(index) {
      await buses[index]!.stop();
      buses[index] = await startInstance(index);
      return buses[index]!;
    },
    async dispose() {
      for (const bus of buses) await bus.stop();
      await dvcqg.close();
      await population.close();
      if (options.transport === 'amqp') {
        const topology = config.routes.map((r) => ({ name: r.name, retry: r.retry, prefetch: r.prefetch }));
        await deleteTopology(prefix, topology);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function withDossierSettings(section: DossierSection, extra: DossierWorldOptions['dossier']): DossierSection {
  if (!extra) return section;
  return {
    ...section,
    dvcqg: { ...section.dvcqg, ...extra.dvcqg },
    ...(extra.dvcqgCompat ? { dvcqgCompat: extra.dvcqgCompat } : {}),
    ...(extra.catalogue ? { catalogue: extra.catalogue } : {}),
  };
}
