// One in-process bus (embedded transport, SQLite stores and audit) with every intake endpoint a hostile caller can reach:
// the generic intake (route to an HTTP receiver), the dossier flow (DVCQG and population simulators) and the edoc flow
// (two mailbox organs, REST and SOAP). For the refusal and fuzz tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDvcqgSimulator, type DvcqgSimulator } from '../simulators/dvcqg';
import { startReceiverSimulator, type ReceiverSimulator } from '../simulators/receiver/simulator';
import { startPopulationSimulator } from '../simulators/population';
import { DEMO_DVCQG_CREDENTIALS, DEMO_POPULATION_CREDENTIALS } from '../simulators/reference';
import type { AuditRecord } from '../../src/audit';
import { startBus, type Bus } from '../../src/bus';
import { createLogger } from '../../src/observability/logger';
import { TEST_CLIENT, TEST_SIGNING_KEY } from '../bus-process';
import { loadDocuments, shippedRoutes, type BusDocument, type RouteDocument } from '../config/bus-documents';
import { dossierFlowConfig } from '../config/dossier-flow-config';
import { DEVELOPMENT_PROFILE } from '../env';
import { testToken } from '../intake';

export const SENDER_ORGAN = '000.00.01.H10';
export const RECIPIENT_ORGAN = '000.00.02.H10';
export const EDOC_SENDER = 'qlvb-a';
export const EDOC_RECIPIENT = 'qlvb-b';
/** Authenticates, may do nothing: its calls are refused RIGHT_REQUIRED. */
export const RIGHTLESS_CLIENT = 'no-rights';
export const JSON_CAP_BYTES = 64 * 1024;
export const EDXML_CAP_BYTES = 256 * 1024;

export interface HostileWorld {
  bus: Bus;
  dvcqg: DvcqgSimulator;
  receiver: ReceiverSimulator;
  url: string;
  /** The bus's data directory (stores.dataDir). */
  dataDir: string;
  token(client: string): string;
  /** Audit records of refused requests (no message id): `rejected`, or `admin.denied` on the admin API. */
  refusalRecords(): Promise<AuditRecord[]>;
  dispose(): Promise<void>;
}

export interface HostileWorldOptions {
  /** Runs before the bus starts, with the data directory it will use (not yet there). */
  beforeStart?(dataDir: string): void;
}

export async function startHostileWorld(options: HostileWorldOptions = {}): Promise<HostileWorld> {
  const dvcqg = await startDvcqgSimulator({ credentials: { ...DEMO_DVCQG_CREDENTIALS } });
  const population = await startPopulationSimulator({ credentials: { ...DEMO_POPULATION_CREDENTIALS } });
  const receiver = await startReceiverSimulator();
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-hostile-'));
  const dataDir = path.join(dir, 'data');
  const breaker = { timeoutMs: 3000, volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 1000 };
  const busDocument: BusDocument = {
    // Small caps so the oversize tests need no large bodies.
    http: { host: '127.0.0.1', port: 0, bodyLimitBytes: JSON_CAP_BYTES },
    transport: { amqpUrl: null, namePrefix: 'hostile', prefetch: 50 },
    stores: { dataDir, databaseUrl: null },
    retry: { maxAttempts: 6, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2 },
    auth: { developmentSigningKey: TEST_SIGNING_KEY },
    clients: [
      { id: TEST_CLIENT, name: 'Một cửa thử nghiệm', roles: ['intake', 'admin'], rights: ['dossier.*', 'citizen.verify', 'message.*'] },
      { id: EDOC_SENDER, name: 'QLVB A', roles: ['intake'], rights: ['edoc.*', 'message.status'] },
      { id: EDOC_RECIPIENT, name: 'QLVB B', roles: ['intake'], rights: ['edoc.*', 'message.status'] },
      { id: RIGHTLESS_CLIENT, name: 'Không có quyền', roles: ['intake'] },
    ],
    adapters: { receiver: { kind: 'http-push', url: `${receiver.url}/inbox`, breaker: { timeoutMs: 5000, volumeThreshold: 20 } } },
    flows: {
      dossier: dossierFlowConfig({ dvcqg: dvcqg.url, population: population.url }, 'LGSP-TEST', { dvcqg: breaker, population: breaker }),
      edoc: {
        busOrganId: '000.00.00.H10',
        maxPackageBytes: EDXML_CAP_BYTES,
        unknownOrgans: 'reject',
        organs: {
          [SENDER_ORGAN]: { name: 'UBND huyện A', delivery: 'mailbox', clientIds: [EDOC_SENDER] },
          [RECIPIENT_ORGAN]: { name: 'UBND huyện B', delivery: 'mailbox', clientIds: [EDOC_RECIPIENT] },
        },
      },
    },
    logging: { level: 'silent' },
  };
  const edocRoutes: RouteDocument[] = [
    { name: 'edoc-fanout', types: ['edoc.send'], pipeline: 'edoc-fanout' },
    { name: 'edoc-mailbox', types: ['edoc.deliver', 'edoc.status'], when: [{ field: 'payload.delivery', equals: 'mailbox' }], pipeline: 'edoc-mailbox' },
  ];
  const generic: RouteDocument = { name: 'generic', types: ['test.ping'], steps: [{ kind: 'deliver', adapter: 'receiver' }] };
  const routes = { routes: [...shippedRoutes('dossier-', [TEST_CLIENT]), ...edocRoutes, generic] };

  options.beforeStart?.(dataDir);
  const config = loadDocuments({ bus: busDocument, routes }, { configDir: path.join(dir, 'config'), env: DEVELOPMENT_PROFILE });
  const bus = await startBus(config, { logger: createLogger('silent') });
  return {
    bus,
    dvcqg,
    receiver,
    url: bus.url(),
    dataDir,
    token: (client) => testToken(client, TEST_SIGNING_KEY),
    async refusalRecords() {
      const found: AuditRecord[] = [];
      for (const step of ['rejected', 'admin.denied']) {
        let cursor: string | null = null;
        do {
          const page = await bus.audit.search({ step }, { limit: 1000, cursor });
          found.push(...page.records.filter((r) => r.messageId === null));
          cursor = page.next;
        } while (cursor);
      }
      return found;
    },
    async dispose() {
      await bus.stop();
      await Promise.all([dvcqg.close(), population.close(), receiver.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
