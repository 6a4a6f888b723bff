// A bus killed with SIGKILL leaves its audit chain with records after its last checkpoint: the next bus to start (or
// another one running) seals that tail with a signed seal and audit:verify says so; a chain whose bus lives is never sealed.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';
import type { AuditStore } from '../../../src/audit/audit-store';
import { loadPublicKey } from '../../../src/audit/checkpoint-signer';
import { openAuditStore } from '../../../src/audit/config';
import { verifyAudit } from '../../../src/audit/verifier';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { spawnReadyBus, TEST_CLIENT, TEST_SIGNING_KEY, writeBusConfig, type BusProcess } from '../../../testkit/bus-process';
import { AMQP_URL, uniqueName, waitFor } from '../../../testkit/env';
import { sendPings, testToken } from '../../../testkit/intake';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';

const run = promisify(execFile);
const VERIFY = path.resolve(__dirname, '../../../dist/src/cli/audit-verify.js');
const MESSAGES = 30;
const LEASE_MS = 6000;

async function auditVerify(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [VERIFY, ...args], { env: { ...process.env, LGSP_DATABASE_URL: '' } });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** The chain the bus process with this pid holds (its lease names it). */
async function chainOf(store: AuditStore, pid: number): Promise<string> {
  const lease = await waitFor(async () => (await store.openLeases()).find((l) => l.owner.pid === pid && l.owner.host === hostname()), 10_000, `lease of pid ${pid}`);
  return lease.chainId;
}

describe.each([
  ['embedded transport, SQLite audit store', null, false],
  ['RabbitMQ transport, PostgreSQL audit store', AMQP_URL, true],
])('a killed bus’s audit tail is sealed (%s)', (_label, amqpUrl, postgres) => {
  let receiver: ReceiverSimulator;
  let dir: string;
  const buses: BusProcess[] = [];
  const prefix = uniqueName('seal').toLowerCase();
  const schema = `seal_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let store: AuditStore;
  let storeArgs: string[];

  beforeAll(async () => {
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-seal-'));
    if (postgres) await createSchema(schema);
  });

  afterAll(async () => {
    for (const bus of buses) bus.child.kill('SIGKILL');
    await Promise.all(buses.map((b) => b.exited));
    await store?.close();
    await receiver.close();
    if (amqpUrl) await deleteTopology(prefix, [{ name: 'chaos', prefetch: 100, retry: { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 } }]);
    if (postgres) await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  test('kill -9, then the killed chain is sealed over its last record, audit:verify says so, and no living chain is sealed', async () => {
    const databaseUrl = postgres ? schemaUrl(schema) : null;
    const configDir = writeBusConfig({ dir, amqpUrl, namePrefix: prefix, receiverUrl: receiver.url, port: 0, databaseUrl, chainLeaseMs: LEASE_MS });
    const token = testToken(TEST_CLIENT, TEST_SIGNING_KEY);
    const dataDir = path.join(dir, 'data');
    // On PostgreSQL a second bus shares the audit store and lives through the test: it must never be sealed, and it
    // may be the one that seals the killed bus's chain.
    const living = postgres ? await spawnReadyBus(configDir) : null;
    if (living) buses.push(living);
    const doomed = await spawnReadyBus(configDir);
    buses.push(doomed);
    store = await openAuditStore({ store: databaseUrl ? { kind: 'postgres', databaseUrl } : { kind: 'sqlite', file: path.join(dataDir, 'audit.db') } });
    const keys = [loadPublicKey(readFileSync(path.join(dataDir, 'audit-signing.pub.pem'), 'utf8'))];
    storeArgs = databaseUrl ? ['--database-url', databaseUrl] : ['--sqlite', path.join(dataDir, 'audit.db')];
    const killedChain = await chainOf(store, doomed.child.pid!);
    const livingChain = living ? await chainOf(store, living.child.pid!) : null;

    const intake = await sendPings(() => doomed.url, token, MESSAGES, 10);
    expect(intake.refused).toEqual([]);
    await waitFor(() => receiver.applied().length >= MESSAGES, 60_000, 'all applied');
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    buses.splice(buses.indexOf(doomed), 1);

    const before = (await verifyAudit(store, { publicKeys: keys, chainIds: [killedChain] })).chains[0]!;
    expect(before).toMatchObject({ failure: null, seal: null });
    // At least the intake record of each message it accepted (deliveries may have gone to the other bus).
    expect(before.lastSeq).toBeGreaterThanOrEqual(MESSAGES);

    // SQLite: the restarted bus seals it at start. PostgreSQL: the living bus sees the killed pid gone at its next sweep.
    const restarted = await spawnReadyBus(configDir);
    buses.push(restarted);
    const seal = await waitFor(() => store.seal(killedChain), 30_000, 'killed chain sealed');
    expect(seal).toMatchObject({ seq: before.lastSeq, reason: 'owner-process-ended' });

    const after = await verifyAudit(store, { publicKeys: keys, chainIds: [killedChain] });
    expect(after).toMatchObject({ ok: true, unsignedTails: 0, chains: [{ lastSeq: before.lastSeq, unsignedTail: 0, seal: { seq: before.lastSeq } }] });
    const cli = await auditVerify([...storeArgs, '--public-key', path.join(dataDir, 'audit-signing.pub.pem'), '--chain', killedChain]);
    expect(cli).toMatchObject({ code: 0, out: expect.stringContaining(`sealed at seq ${before.lastSeq} by `) });
    expect(cli.out).toContain('owner gone (its process had ended)');

    // The buses that live keep their chains open: several sweeps (one per lease renewal) seal nothing of theirs.
    const restartedChain = await chainOf(store, restarted.child.pid!);
    const renewedOnce = (await store.openLeases()).find((l) => l.chainId === restartedChain)!.renewedAtMs;
    await waitFor(async () => ((await store.openLeases()).find((l) => l.chainId === restartedChain)?.renewedAtMs ?? 0) > renewedOnce + LEASE_MS, 30_000, 'several sweeps');
    for (const chainId of [restartedChain, livingChain].filter((c): c is string => c !== null)) {
      expect(await store.seal(chainId)).toBeNull();
      expect((await store.openLeases()).map((l) => l.chainId)).toContain(chainId);
    }
    const more = await sendPings(() => (living ?? restarted).url, token, 5, 5);
    expect(more.refused).toEqual([]);
  });
});
