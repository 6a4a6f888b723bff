// Runs the built bus (dist/) as a child process with a throw-away config, for kill-and-restart tests.
import { repoFile } from '../src/core/repo-files';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { BUS_NODE_FLAGS } from '../src/cli/bus-node-flags';
import { writeConfigDir, type BusDocument, type BusDocuments, type RouteDocument } from './config/bus-documents';
import { DEVELOPMENT_PROFILE, waitFor } from './env';

export interface BusProcessConfig {
  dir: string;
  amqpUrl: string | null;
  /** The nodes of a RabbitMQ cluster, written as transport.amqpUrls instead of amqpUrl. */
  amqpUrls?: readonly string[];
  namePrefix: string;
  receiverUrl: string;
  port: number;
  prefetch?: number;
  databaseUrl?: string | null;
  /** Per-subject order on the test route (resequencer). */
  ordered?: boolean;
  /** audit.chainLeaseMs: how soon a gone bus's chain may be sealed by another. */
  chainLeaseMs?: number;
}

export const TEST_CLIENT = 'test-client';
export const TEST_SIGNING_KEY = 'test-signing-key-0123456789abcdef0123456789';

/** The test bus's bus.yaml and routes.yaml documents: one client, one receiver adapter, one route (test.ping). */
export function busProcessDocuments(cfg: BusProcessConfig): BusDocuments {
  const bus: BusDocument = {
    http: { host: '127.0.0.1', port: cfg.port },
    transport: {
      ...(cfg.amqpUrls ? { amqpUrls: [...cfg.amqpUrls] } : { amqpUrl: cfg.amqpUrl }),
      prefetch: cfg.prefetch ?? 100,
      namePrefix: cfg.namePrefix,
    },
    stores: { dataDir: path.join(cfg.dir, 'data'), databaseUrl: cfg.databaseUrl ?? null },
    retry: { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2 },
    auth: { developmentSigningKey: TEST_SIGNING_KEY },
    clients: [
      { id: TEST_CLIENT, name: 'Hệ thống thử nghiệm', roles: ['intake', 'admin'], rights: ['message.generic', 'message.status'] },
    ],
    adapters: { receiver: { kind: 'http-push', url: `${cfg.receiverUrl}/inbox`, breaker: { timeoutMs: 5000, volumeThreshold: 20 } } },
    ...(cfg.chainLeaseMs === undefined ? {} : { audit: { chainLeaseMs: cfg.chainLeaseMs } }),
    logging: { level: 'warn' },
    shutdown: { graceMs: 5000 },
  };
  const routes: RouteDocument[] = [{ name: 'chaos', types: ['test.ping'], ordered: cfg.ordered ?? false, steps: [{ kind: 'deliver', adapter: 'receiver' }] }];
  return { bus, routes: { routes } };
}

export function writeBusConfig(cfg: BusProcessConfig): string {
  return writeConfigDir(cfg.dir, busProcessDocuments(cfg));
}

export interface BusProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

export function spawnBus(configDir: string, extraEnv: Record<string, string> = {}): BusProcess {
  const main = repoFile('dist', 'src', 'cli', 'start.js');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LGSP_')) env[k] = v;
  const child = spawn(process.execPath, [...BUS_NODE_FLAGS, main], {
    env: { ...env, ...DEVELOPMENT_PROFILE, LGSP_CONFIG_DIR: configDir, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const match = () => /LGSP bus on (http:\/\/[0-9.:]+)/.exec(out)?.[1];
  return { child, get url() { return match() ?? ''; }, output: () => out, exited };
}

export async function spawnReadyBus(configDir: string): Promise<BusProcess> {
  const bus = spawnBus(configDir);
  await waitFor(async () => {
    if (bus.child.exitCode !== null) throw new Error(`bus exited early:\n${bus.output()}`);
    if (!bus.url) return false;
    const res = await fetch(`${bus.url}/readyz`).catch(() => null);
    return res?.status === 200;
  }, 30_000, 'bus ready');
  return bus;
}
