// A full or read-only data directory on the embedded default (SQLite stores, audit log and queue.db on one small
// tmpfs of the test's own): intake answers 503 with a code and Retry-After, nothing answered 202 is lost, the process
// lives on, and once space is back the bus accepts and delivers again by itself; every message answered 202 is
// delivered exactly once.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBus, type Bus } from '../../../src/bus';
import { createLogger } from '../../../src/observability/logger';
import { TEST_CLIENT, TEST_SIGNING_KEY } from '../../../testkit/bus-process';
import { loadDocuments, type BusDocuments } from '../../../testkit/config/bus-documents';
import { DEVELOPMENT_PROFILE, waitFor } from '../../../testkit/env';
import { testToken } from '../../../testkit/intake';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';

const root = mkdtempSync(path.join(tmpdir(), 'lgsp-disk-'));
const volume = path.join(root, 'volume');
mkdirSync(volume);

/** A file system of its own, small enough to fill in a moment; null when this machine does not let the test mount. */
function mountSmallVolume(): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m,mode=0700', 'tmpfs', volume], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
const mountFailure = mountSmallVolume();
if (mountFailure !== null) {
  console.warn(`disk-full tests skipped: a tmpfs cannot be mounted here (they need root): ${mountFailure}`);
}
const whenMounted = mountFailure === null ? describe : describe.skip;

/** The refusals a client may meet while the disk takes nothing: each says "not accepted, send again later". */
const NOT_NOW = ['STORE_UNAVAILABLE', 'AUDIT_UNAVAILABLE', 'TRANSPORT_UNAVAILABLE'];

whenMounted('a data directory that takes no writes (embedded default)', () => {
  const dataDir = path.join(volume, 'data');
  const configDir = path.join(root, 'config');
  const token = testToken(TEST_CLIENT, TEST_SIGNING_KEY);
  let receiver: ReceiverSimulator;
  let bus: Bus | null = null;
  let documents: BusDocuments;
  /** Errors nobody caught: any is a crash the bus would not have survived as a process. */
  const uncaught: unknown[] = [];
  const noteUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', noteUncaught);
    process.on('unhandledRejection', noteUncaught);
    receiver = await startReceiverSimulator();
    documents = {
      bus: {
        http: { host: '127.0.0.1', port: 0 },
        transport: { amqpUrl: null, namePrefix: 'disk', prefetch: 20 },
        stores: { dataDir, databaseUrl: null },
        // Attempts enough to keep failing deliveries going round for the whole test.
        retry: { maxAttempts: 100, initialDelayMs: 100, maxDelayMs: 500, multiplier: 2, jitter: 0.2 },
        auth: { developmentSigningKey: TEST_SIGNING_KEY },
        clients: [{ id: TEST_CLIENT, name: 'Một cửa thử nghiệm', roles: ['intake', 'admin'], rights: ['message.*'] }],
        adapters: { receiver: { kind: 'http-push', url: `${receiver.url}/inbox`, breaker: { timeoutMs: 5000, volumeThreshold: 1000 } } },
        logging: { level: 'silent' },
      },
      routes: { routes: [{ name: 'generic', types: ['test.ping'], steps: [{ kind: 'deliver', adapter: 'receiver' }] }] },
    };
  });

  afterAll(async () => {
    await bus?.stop();
    await receiver.close();
    process.off('uncaughtException', noteUncaught);
    process.off('unhandledRejection', noteUncaught);
    execFileSync('mount', ['-o', 'remount,rw', volume], { stdio: 'pipe' });
    try {
      execFileSync('umount', [volume], { stdio: 'pipe' });
    } catch {
      // A bus a failed test left running still holds files there: detach the volume; it goes once they are closed.
      execFileSync('umount', ['-l', volume], { stdio: 'pipe' });
    }
    rmSync(root, { recursive: true, force: true });
  });

  const start = () => startBus(loadDocuments(documents, { configDir, env: DEVELOPMENT_PROFILE }), { logger: createLogger('silent') });

  /** One client message under its Idempotency-Key: the key a real client keeps while it sends again after a 503. */
  const send = async (running: Bus, key: string, n: number) => {
    const res = await fetch(`${running.url()}/api/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
      body: JSON.stringify({ type: 'test.ping', subject: `HS-${n}`, payload: { n, note: `Hồ sơ thử nghiệm số ${n}` } }),
    });
    const body = (await res.json()) as { messageId?: string; code?: string };
    return { status: res.status, retryAfter: res.headers.get('retry-after'), messageId: body.messageId, code: body.code };
  };

  /** Delivery attempts the receiver failed, as the bus counts them. */
  const failedAttempts = async (running: Bus) => (await running.metrics.failed.get()).values.reduce((sum, v) => sum + v.value, 0);

  /** Every message answered 202 reached the receiver once, and nothing else did; the queue is empty; the audit chain verifies. */
  const expectEachAcceptedDeliveredOnce = async (running: Bus, accepted: Map<string, string>) => {
    const ids = new Set(accepted.values());
    await waitFor(async () => {
      for (const id of ids) if ((await running.stores.messages.get(id))?.state !== 'delivered') return false;
      return Object.values((await running.transport.stats()).queueDepth).every((depth) => depth === 0);
    }, 30_000, 'every accepted message delivered and the queue empty');
    const applied = receiver.applied().map((a) => a.key);
    expect(applied.length).toBe(new Set(applied).size);
    expect(new Set(applied)).toEqual(ids);
    expect(await running.audit.verify()).toMatchObject({ ok: true });
    expect(uncaught).toEqual([]);
  };

  test('full: intake answers 503 with a code while deliveries meet the full disk; space freed, it accepts again and every 202 is delivered once', async () => {
    bus = await start();
    const running = bus;
    const accepted = new Map<string, string>();
    // The receiver fails: deliveries go round in retries, so the queue's settlement writes meet the disk once it is full.
    receiver.control.setFault({ mode: 'fail', status: 503, durationMs: 120_000 });
    for (let n = 0; n < 60; n++) {
      const answer = await send(running, `full-${n}`, n);
      expect(answer.status).toBe(202);
      accepted.set(`full-${n}`, answer.messageId!);
    }

    const filler = path.join(volume, 'filler');
    const fd = openSync(filler, 'w');
    const block = Buffer.alloc(64 * 1024, 7);
    try {
      for (;;) writeSync(fd, block);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    const failuresAtFull = await failedAttempts(running);
    const refusedKeys: string[] = [];
    for (let n = 60; n < 260 && refusedKeys.length < 20; n++) {
      const key = `full-${n}`;
      const answer = await send(running, key, n);
      if (answer.status === 202) accepted.set(key, answer.messageId!);
      else {
        expect({ status: answer.status, code: NOT_NOW.includes(answer.code ?? '') ? 'NOT_NOW' : answer.code, retryAfter: answer.retryAfter }).toEqual({ status: 503, code: 'NOT_NOW', retryAfter: '5' });
        refusedKeys.push(key);
      }
    }
    expect(refusedKeys.length).toBe(20);
    // Deliveries meet the full disk: they go on failing at the receiver while SQLite reuses its WAL's pages, or their
    // writes (a claim, a retry to schedule, an audit record) are refused. Either shows within two of the retry policy's
    // longest backoffs (500 ms, jitter 0.2), however many happened to be in flight when the disk filled.
    const backoffsOver = Date.now() + 2 * 500 * 1.2 + 1000;
    await waitFor(async () => (await failedAttempts(running)) > failuresAtFull || Date.now() > backoffsOver, 30_000, 'deliveries tried while the disk is full');
    expect((await fetch(`${running.url()}/healthz`)).status).toBe(200);

    unlinkSync(filler);
    receiver.control.setFault({ mode: 'none' });
    // The client sends its refused messages again, under their keys, until they are accepted: no restart in between.
    for (const key of refusedKeys) {
      const answer = await waitFor(async () => {
        const retried = await send(running, key, Number(key.slice('full-'.length)));
        return retried.status === 202 ? retried : null;
      }, 30_000, `${key} accepted once space is back`);
      accepted.set(key, answer.messageId!);
    }
    await expectEachAcceptedDeliveredOnce(running, accepted);
    await running.stop();
    bus = null;
  });

  test('read-only: the bus refuses to start saying so; mounted read-write again, it delivers what it had accepted', async () => {
    receiver.control.setFault({ mode: 'none' });
    const before = new Set(receiver.applied().map((a) => a.key));
    bus = await start();
    const running = bus;
    const accepted = new Map<string, string>();
    // Messages still queued when the bus stops: they wait in queue.db through the read-only time.
    receiver.control.setFault({ mode: 'fail', status: 503, durationMs: 120_000 });
    for (let n = 0; n < 20; n++) {
      const answer = await send(running, `ro-${n}`, 1000 + n);
      expect(answer.status).toBe(202);
      accepted.set(`ro-${n}`, answer.messageId!);
    }
    // The kernel refuses to remount a volume read-only while a process holds files on it open for writing (EBUSY), and
    // the bus holds its SQLite files so for as long as it runs: a data directory is found read-only at a start.
    await running.stop();
    bus = null;
    execFileSync('mount', ['-o', 'remount,ro', volume], { stdio: 'pipe' });
    await expect(start()).rejects.toThrow(/data directory .* is on a read-only file system/);
    expect(uncaught).toEqual([]);

    execFileSync('mount', ['-o', 'remount,rw', volume], { stdio: 'pipe' });
    receiver.control.setFault({ mode: 'none' });
    bus = await start();
    const all = new Map([...accepted, ...[...before].map((id): [string, string] => [`earlier-${id}`, id])]);
    await expectEachAcceptedDeliveredOnce(bus, all);
    await bus.stop();
    bus = null;
  });
});
