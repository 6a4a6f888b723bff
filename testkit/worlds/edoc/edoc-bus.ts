// Starts a bus in-process with the edoc flow on a throw-away config: organ A (mailbox, sender), organ B (mailbox) and
// organ C (push, to a QLVB push simulator), on the embedded transport or on RabbitMQ with a unique name prefix.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDocumentAxisSimulator, type DocumentAxisSimulator } from '../../simulators/document-axis';
import { startQlvbPushSimulator, type QlvbPushSimulator } from '../../simulators/qlvb-push';
import { startBus, type Bus } from '../../../src/bus';
import { type BusConfig } from '../../../src/config/load-config';
import { loadDocuments, type BusDocument, type RouteDocument } from '../../config/bus-documents';
import { createLogger } from '../../../src/observability/logger';
import { deleteTopology } from '../../amqp-cleanup';
import { TEST_SIGNING_KEY } from '../../bus-process';
import { AMQP_URL, DEVELOPMENT_PROFILE, uniqueName } from '../../env';
import { testToken } from '../../intake';
import { Writable } from 'node:stream';

export const ORGAN_A = '000.00.01.H10';
export const ORGAN_B = '000.00.02.H10';
export const ORGAN_C = '000.00.03.H10';
export const BUS_ORGAN = '000.00.00.H10';
export const CLIENT_A = 'qlvb-a';
export const CLIENT_B = 'qlvb-b';
export const CLIENT_C = 'qlvb-c';
/** Outside the province: reached through the national axis. */
export const ORGAN_G = '000.00.00.G22';
export const AXIS_SYSTEM = 'lgsp-binhphuoc';
export const AXIS_SECRET = 'axis-secret-for-tests';
export const PUSH_TOKEN = 'push-token-for-organ-c';

type EdocSection = NonNullable<NonNullable<BusDocument['flows']>['edoc']>;
type EdocOrganSection = EdocSection['organs'] extends Record<string, infer Organ> | undefined ? Organ : never;

export const EDOC_ROUTES: RouteDocument[] = [
  { name: 'edoc-fanout', types: ['edoc.send'], pipeline: 'edoc-fanout' },
  ...(['mailbox', 'push', 'axis'] as const).map((delivery) => ({
    name: `edoc-${delivery}`,
    types: ['edoc.deliver', 'edoc.status'],
    when: [{ field: 'payload.delivery', equals: delivery }],
    pipeline: `edoc-${delivery}`,
  })),
];

export interface EdocBus {
  bus: Bus;
  /** The bus's data directory (the edoc stores are SQLite: edoc.db in it). */
  dataDir: string;
  push: QlvbPushSimulator;
  axis: DocumentAxisSimulator;
  token(client: string): string;
  logs(): string;
  stop(): Promise<void>;
}

export interface EdocBusOptions {
  amqp: boolean;
  /** Replaces the default rights (edoc.*, message.status) of the named clients. */
  rights?: Record<string, string[]>;
  /** Settings added to bus.yaml's `http` section. */
  http?: Partial<NonNullable<BusDocument['http']>>;
  /** Settings added to the `flows.edoc` section. */
  edoc?: Partial<EdocSection>;
  /** Settings added to organs of the directory (e.g. signaturePolicy), by organ id. */
  organs?: Record<string, Partial<EdocOrganSection>>;
  /** The organs the national axis lets the bus's system send for; default A, B, C and the bus's own. */
  axisSenders?: readonly string[];
  /** bus.yaml's observability section (tracing). */
  observability?: BusDocument['observability'];
}

export async function startEdocBus(options: EdocBusOptions): Promise<EdocBus> {
  const push = await startQlvbPushSimulator({ token: PUSH_TOKEN });
  const axis = await startDocumentAxisSimulator({ secrets: { [AXIS_SYSTEM]: AXIS_SECRET }, organsBySystem: { [AXIS_SYSTEM]: options.axisSenders ?? [ORGAN_A, ORGAN_B, ORGAN_C, BUS_ORGAN] } });
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-edoc-'));
  const configDir = path.join(dir, 'config');
  const namePrefix = uniqueName('edoc');
  const dataDir = path.join(dir, 'data');
  const busDocument: BusDocument = {
    http: { host: '127.0.0.1', port: 0, ...options.http },
    transport: { amqpUrl: options.amqp ? AMQP_URL : null, prefetch: 20, namePrefix },
    stores: { dataDir, databaseUrl: null },
    retry: { maxAttempts: 20, initialDelayMs: 100, maxDelayMs: 500, multiplier: 2, jitter: 0.2 },
    auth: { developmentSigningKey: TEST_SIGNING_KEY },
    clients: [CLIENT_A, CLIENT_B, CLIENT_C].map((id) => ({ id, name: `QLVB ${id}`, roles: ['intake'], rights: options.rights?.[id] ?? ['edoc.*', 'message.status'] })),
    flows: {
      edoc: {
        busOrganId: BUS_ORGAN,
        unknownOrgans: 'reject',
        organs: {
          [ORGAN_A]: { name: 'UBND huyện A', delivery: 'mailbox', clientIds: [CLIENT_A], ...options.organs?.[ORGAN_A] },
          [ORGAN_B]: { name: 'UBND huyện B', delivery: 'mailbox', clientIds: [CLIENT_B], ...options.organs?.[ORGAN_B] },
          [ORGAN_C]: { name: 'UBND huyện C', delivery: 'push', pushUrl: push.url, pushToken: { env: 'EDOC_PUSH_TOKEN_C' }, clientIds: [CLIENT_C], ...options.organs?.[ORGAN_C] },
          [ORGAN_G]: { name: 'Văn phòng Chính phủ', delivery: 'axis', ...options.organs?.[ORGAN_G] },
        },
        axis: { url: axis.url, systemId: AXIS_SYSTEM, secret: { env: 'EDOC_AXIS_SECRET' }, breaker: { timeoutMs: 20_000, abandonedCallSettleMs: 1000 } },
        push: { breaker: { timeoutMs: 20_000, volumeThreshold: 3, resetTimeoutMs: 500 } },
        ...options.edoc,
      },
    },
    ...(options.observability ? { observability: options.observability } : {}),
    logging: { level: 'info' },
    shutdown: { graceMs: 5000 },
  };
  let logs = '';
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logs += chunk.toString()), done()) });
  // Secrets come from the process environment (the config keeps only LGSP_* variables).
  process.env.EDOC_PUSH_TOKEN_C = PUSH_TOKEN;
  process.env.EDOC_AXIS_SECRET = AXIS_SECRET;
  let config: BusConfig;
  let bus: Bus;
  try {
    config = loadDocuments({ bus: busDocument, routes: { routes: EDOC_ROUTES } }, { configDir, env: DEVELOPMENT_PROFILE });
    bus = await startBus(config, { logger: createLogger('info', sink) });
  } catch (error) {
    // A world that did not start leaves no simulator listening (jest would not exit).
    await push.close();
    await axis.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    bus,
    dataDir,
    push,
    axis,
    token: (client) => testToken(client, TEST_SIGNING_KEY),
    logs: () => logs,
    async stop() {
      await bus.stop();
      await push.close();
      await axis.close();
      if (options.amqp) await deleteTopology(namePrefix, EDOC_ROUTES.map((r) => ({ name: r.name, retry: config.retry, prefetch: 20 })));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
