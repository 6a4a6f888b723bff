// Two bus processes (the same code and config) on one RabbitMQ and one PostgreSQL: they share the work, each subject's
// messages are applied in acceptance order, killing one with SIGKILL loses nothing, and each process's audit chain
// verifies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';
import { CheckpointSigner, openAuditStore, verifyAudit } from '../../../src/audit';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { spawnReadyBus, TEST_CLIENT, TEST_SIGNING_KEY, writeBusConfig, type BusProcess } from '../../../testkit/bus-process';
import { AMQP_URL, DATABASE_URL, uniqueName, waitFor } from '../../../testkit/env';
import { testToken } from '../../../testkit/intake';

const SUBJECTS = 12;
const PER_SUBJECT = 25;
const PREFETCH = 20;

interface Applied {
  subject: string;
  step: number;
}

describe('scale-out: two bus processes on RabbitMQ and PostgreSQL', () => {
  let receiver: ReceiverSimulator;
  let dir: string;
  const buses: BusProcess[] = [];
  const prefix = uniqueName('scale').toLowerCase();
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });

  beforeAll(async () => {
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-scale-'));
  });

  afterAll(async () => {
    for (const bus of buses) bus.child.kill('SIGKILL');
    await receiver.close();
    await pool.end();
    await deleteTopology(prefix, [{ name: 'chaos', prefetch: PREFETCH, retry: { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 } }]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('share the work, keep each subject in order, lose nothing when one is killed, and each chain verifies', async () => {

    const configDir = writeBusConfig({ dir, amqpUrl: AMQP_URL, namePrefix: prefix, receiverUrl: receiver.url, port: 0, prefetch: PREFETCH, databaseUrl: DATABASE_URL, ordered: true });
    // One after the other: the second finds the audit signing key the first made in the shared data dir.
    buses.push(await spawnReadyBus(configDir));
    buses.push(await spawnReadyBus(configDir));
    const [a, b] = buses as [BusProcess, BusProcess];
    receiver.control.setFault({ mode: 'slow', delayMs: 20, durationMs: 120_000 });
    const token = testToken(TEST_CLIENT, TEST_SIGNING_KEY);
    const runId = uniqueName('s');
    const accepted: string[] = [];
    let killed = false;
    // Sends that got no 202 (connection cut by the kill): the bus may have accepted such a message all the same, and
    // the client sends it again, so that step can reach the receiver twice under two message ids.
    let unanswered = 0;

    // Each subject's messages are sent one after another (that is their acceptance order), alternating between the
    // two processes; a process that is down gets the message sent again to the other, as a load balancer would.
    const sendSubject = async (s: number) => {
      for (let step = 1; step <= PER_SUBJECT; step++) {
        for (let turn = 0; ; turn++) {
          const bus = killed ? b : buses[(step + turn) % 2]!;
          const res = await fetch(`${bus.url}/api/v1/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ type: 'test.ping', subject: `${runId}-${s}`, payload: { step, note: `Bước xử lý ${step}` } }),
          }).catch(() => null);
          if (res?.status === 202) {
            accepted.push(((await res.json()) as { messageId: string }).messageId);
            break;
          }
          unanswered++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const sending = Promise.all(Array.from({ length: SUBJECTS }, (_, s) => sendSubject(s)));
    await waitFor(() => receiver.applied().length >= (SUBJECTS * PER_SUBJECT) / 3, 60_000, 'a third applied');
    a.child.kill('SIGKILL');
    killed = true;
    await a.exited;
    await sending;
    const total = SUBJECTS * PER_SUBJECT;
    expect(accepted).toHaveLength(total);
    const appliedKeys = () => new Set(receiver.applied().map((e) => e.key));
    await waitFor(() => accepted.every((id) => appliedKeys().has(id)), 60_000, 'every accepted message applied').catch((e: Error) => {
      const steps = new Map<string, number>();
      for (const effect of receiver.applied()) {
        const body = effect.body as unknown as { subject: string; payload: Applied };
        steps.set(body.subject, Math.max(steps.get(body.subject) ?? 0, body.payload.step));
      }
      throw new Error(`${e.message}: ${receiver.applied().length}/${total} applied; last step per subject ${JSON.stringify([...steps])}`);
    });
    receiver.control.setFault({ mode: 'none' });

    // Nothing lost; each message applied once (the receiver counts one effect per Idempotency-Key); the only extra
    // effects are of sends the client never saw answered.
    const applied = receiver.applied();
    const extra = applied.filter((e) => !accepted.includes(e.key));
    expect(extra.length).toBeLessThanOrEqual(unanswered);
    expect(applied).toHaveLength(total + extra.length);
    // Each subject in acceptance order: every step, ascending (a step sent again after a cut answer may follow itself).
    const bySubject = new Map<string, number[]>();
    for (const effect of applied) {
      const body = effect.body as unknown as { subject: string; payload: Applied };
      bySubject.set(body.subject, [...(bySubject.get(body.subject) ?? []), body.payload.step]);
    }
    expect(bySubject.size).toBe(SUBJECTS);
    for (const steps of bySubject.values()) {
      expect([...new Set(steps)]).toEqual(Array.from({ length: PER_SUBJECT }, (_, i) => i + 1));
      expect(steps).toEqual([...steps].sort((x, y) => x - y));
    }

    // Both processes delivered: each has its own audit chain with "delivered" records of these messages.
    const chains = await pool.query<{ chain_id: string; n: string }>(
      `SELECT chain_id, count(*)::text AS n FROM audit_records WHERE step = 'delivered' AND message_id = ANY($1) GROUP BY chain_id`,
      [accepted],
    );
    expect(chains.rows.length).toBeGreaterThanOrEqual(2);
    for (const row of chains.rows) expect(Number(row.n)).toBeGreaterThan(0);
    const received = await pool.query<{ chain_id: string }>(`SELECT DISTINCT chain_id FROM audit_records WHERE step = 'received' AND message_id = ANY($1)`, [accepted]);
    expect(received.rows.length).toBe(2);

    // The survivor stops cleanly; then every chain of both processes verifies against the shared signing key.
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    buses.length = 0;
    const chainIds = [...new Set([...chains.rows, ...received.rows].map((r) => r.chain_id))];
    const store = await openAuditStore({ store: { kind: 'postgres', databaseUrl: DATABASE_URL } });
    try {
      const signer = CheckpointSigner.fromFile(path.join(dir, 'data', 'audit-signing.pem'));
      const report = await verifyAudit(store, { publicKeys: [signer.publicKey], chainIds });
      expect(report.failure).toBeNull();
      expect(report.chains.map((c) => c.records).every((n) => n > 0)).toBe(true);
    } finally {
      await store.close();
    }
  }, 240_000);
});
