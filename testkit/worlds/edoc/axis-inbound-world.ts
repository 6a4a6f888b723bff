// A bus with the edoc flow run as a child process (so a test can kill it) that polls a document-axis simulator for
// organ B (mailbox) and organ C (push, to a QLVB push simulator), on the embedded transport or on RabbitMQ and
// PostgreSQL; its data directory, queues and schema outlive the process, so a restarted bus finds what it left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client as PgClient } from 'pg';
import { deleteTopology } from '../../amqp-cleanup';
import { spawnReadyBus, TEST_SIGNING_KEY, type BusProcess } from '../../bus-process';
import { writeConfigDir, type BusDocuments } from '../../config/bus-documents';
import { AMQP_URL, uniqueName } from '../../env';
import { testToken } from '../../intake';
import { createSchema, dropSchema, schemaUrl } from '../../pg-schema';
import { startDocumentAxisSimulator, type DocumentAxisSimulator } from '../../simulators/document-axis';
import { startQlvbPushSimulator, type QlvbPushSimulator } from '../../simulators/qlvb-push';
import { AXIS_SECRET, AXIS_SYSTEM, BUS_ORGAN, CLIENT_A, CLIENT_B, CLIENT_C, EDOC_ROUTES, ORGAN_A, ORGAN_B, ORGAN_C, PUSH_TOKEN } from './edoc-bus';

/** A client of the console's admin API (audit search). */
export const AUDITOR = 'auditor';
const RETRY = { maxAttempts: 20, initialDelayMs: 100, maxDelayMs: 500, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 };

export interface AxisInboundWorld {
  axis: DocumentAxisSimulator;
  push: QlvbPushSimulator;
  bus(): BusProcess;
  url(): string;
  token(client: string): string;
  /** Starts the bus (again) on the same config, data directory, queues and schema. */
  start(): Promise<void>;
  /** SIGKILL: no drain, no goodbye. */
  kill(): Promise<void>;
  /** Deletes the bus's register row of one axis document (as if the process had died before writing it); the bus is stopped. */
  forgetFetched(axisDocId: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startAxisInboundWorld(options: { amqpAndPostgres: boolean; pollIntervalMs: number }): Promise<AxisInboundWorld> {
  const push = await startQlvbPushSimulator({ token: PUSH_TOKEN });
  const axis = await startDocumentAxisSimulator({ secrets: { [AXIS_SYSTEM]: AXIS_SECRET }, organsBySystem: { [AXIS_SYSTEM]: [ORGAN_A, ORGAN_B, ORGAN_C, BUS_ORGAN] } });
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-axis-inbound-'));
  const namePrefix = uniqueName('axisin').toLowerCase();
  const schema = namePrefix.replace(/-/g, '_');
  if (options.amqpAndPostgres) await createSchema(schema);
  const documents: BusDocuments = {
    bus: {
      http: { host: '127.0.0.1', port: 0 },
      transport: { amqpUrl: options.amqpAndPostgres ? AMQP_URL : null, prefetch: 20, namePrefix },
      stores: { dataDir: path.join(dir, 'data'), databaseUrl: options.amqpAndPostgres ? schemaUrl(schema) : null },
      retry: RETRY,
      auth: { developmentSigningKey: TEST_SIGNING_KEY },
      clients: [
        ...[CLIENT_A, CLIENT_B, CLIENT_C].map((id) => ({ id, name: `QLVB ${id}`, roles: ['intake' as const], rights: ['edoc.*', 'message.status'] })),
        { id: AUDITOR, name: 'Kiểm toán', roles: ['admin' as const], rights: [] },
      ],
      flows: {
        edoc: {
          busOrganId: BUS_ORGAN,
          organs: {
            [ORGAN_A]: { name: 'UBND huyện A', delivery: 'mailbox', clientIds: [CLIENT_A] },
            [ORGAN_B]: { name: 'UBND huyện B', delivery: 'mailbox', clientIds: [CLIENT_B] },
            [ORGAN_C]: { name: 'UBND huyện C', delivery: 'push', pushUrl: push.url, pushToken: { env: 'EDOC_PUSH_TOKEN_C' }, clientIds: [CLIENT_C] },
          },
          axis: {
            url: axis.url,
            systemId: AXIS_SYSTEM,
            secret: { env: 'EDOC_AXIS_SECRET' },
            breaker: { timeoutMs: 20_000, abandonedCallSettleMs: 1000, volumeThreshold: 1000 },
            inbound: { pollIntervalMs: options.pollIntervalMs },
          },
          push: { breaker: { timeoutMs: 20_000, volumeThreshold: 3, resetTimeoutMs: 500 } },
        },
      },
      logging: { level: 'info' },
      shutdown: { graceMs: 5000 },
    },
    routes: { routes: EDOC_ROUTES },
  };
  const configDir = writeConfigDir(dir, documents);
  // The child takes its secrets from the environment it inherits.
  process.env.EDOC_PUSH_TOKEN_C = PUSH_TOKEN;
  process.env.EDOC_AXIS_SECRET = AXIS_SECRET;
  let bus: BusProcess | null = null;
  const kill = async (): Promise<void> => {
    if (!bus || bus.child.exitCode !== null) return;
    bus.child.kill('SIGKILL');
    await bus.exited;
  };
  const world: AxisInboundWorld = {
    axis,
    push,
    bus: () => bus!,
    url: () => bus!.url,
    token: (client) => testToken(client, TEST_SIGNING_KEY),
    async start() {
      bus = await spawnReadyBus(configDir);
    },
    kill,
    async forgetFetched(axisDocId) {
      if (options.amqpAndPostgres) {
        const pg = new PgClient({ connectionString: schemaUrl(schema) });
        await pg.connect();
        try {
          await pg.query('DELETE FROM bus_edoc_axis_inbound WHERE axis_doc_id = $1', [axisDocId]);
        } finally {
          await pg.end();
        }
        return;
      }
      const db = new Database(path.join(dir, 'data', 'edoc.db'));
      try {
        db.prepare('DELETE FROM edoc_axis_inbound WHERE axis_doc_id = ?').run(axisDocId);
      } finally {
        db.close();
      }
    },
    async stop() {
      await kill();
      await push.close();
      await axis.close();
      if (options.amqpAndPostgres) {
        await deleteTopology(namePrefix, EDOC_ROUTES.map((r) => ({ name: r.name, retry: RETRY, prefetch: 20 })));
        await dropSchema(schema);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await world.start();
  } catch (error) {
    await world.stop();
    throw error;
  }
  return world;
}
