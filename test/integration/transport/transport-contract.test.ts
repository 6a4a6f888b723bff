// One contract, two transports: the same behaviour on the real RabbitMQ and on the embedded SQLite store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEnvelope, type Envelope } from '../../../src/core/envelope';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';
import { AmqpTransport } from '../../../src/transport/amqp/amqp-transport';
import { EmbeddedTransport } from '../../../src/transport/embedded/embedded-transport';
import type { Delivery, HandlerResult, RouteTopology, Transport } from '../../../src/transport/transport';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { AMQP_URL, uniqueName, waitFor } from '../../../testkit/env';

const ROUTE: RouteTopology = {
  name: 'contract',
  prefetch: 50,
  retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 },
};

interface Harness {
  transport: Transport;
  reopen(): Promise<Transport>;
  dispose(): Promise<void>;
}

async function amqpHarness(): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-amqp-'));
  const prefix = uniqueName('t').toLowerCase();
  const stores = new SqliteStores(openSqlite(path.join(dir, 'stores.db')));
  const make = async () => {
    const t = new AmqpTransport({ url: AMQP_URL, namePrefix: prefix, deliveryLimit: 20, deadLetters: stores.deadLetters });
    await t.start([ROUTE]);
    return t;
  };
  const harness: Harness = {
    transport: await make(),
    async reopen() {
      await harness.transport.close();
      harness.transport = await make();
      return harness.transport;
    },
    async dispose() {
      await harness.transport.close();
      await stores.close();
      await deleteTopology(prefix, [ROUTE]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

async function embeddedHarness(): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-embedded-'));
  const file = path.join(dir, 'queue.db');
  let db = openSqlite(file);
  const make = async () => {
    const t = new EmbeddedTransport({ db, deliveryLimit: 20 });
    await t.start([ROUTE]);
    return t;
  };
  const harness: Harness = {
    transport: await make(),
    async reopen() {
      await harness.transport.close();
      db.close();
      db = openSqlite(file);
      harness.transport = await make();
      return harness.transport;
    },
    async dispose() {
      await harness.transport.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

function ping(n: number): Envelope {
  return createEnvelope({ type: 'test.ping', source: 'contract-test', subject: `S-${n}`, payload: { n, text: 'Sở Tư pháp' } });
}

describe.each([
  ['amqp', amqpHarness],
  ['embedded', embeddedHarness],
])('transport contract: %s', (_kind, makeHarness) => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await makeHarness();
  });
  afterEach(async () => {
    await harness.dispose();
  });

  test('publish → consume → ack: the envelope arrives intact and leaves the queue', async () => {
    const received: Delivery[] = [];
    await harness.transport.consume(ROUTE.name, async (d) => {
      received.push(d);
      return { outcome: 'ack' };
    });
    const sent = ping(1);
    await harness.transport.publish(ROUTE.name, sent);
    await waitFor(() => received.length === 1, 10_000, 'delivery');
    expect(received[0]!.envelope).toEqual(sent);
    expect(received[0]!.history).toEqual([]);
    await waitFor(async () => (await harness.transport.stats()).queueDepth[ROUTE.name] === 0, 10_000, 'empty queue');
  });

  test('retry then success: attempts rise, history is carried, the broker-side delay is honoured', async () => {
    const attempts: { attempt: number; at: number; history: number }[] = [];
    await harness.transport.consume(ROUTE.name, async (d): Promise<HandlerResult> => {
      attempts.push({ attempt: d.envelope.attempt, at: Date.now(), history: d.history.length });
      if (d.envelope.attempt < 3) return { outcome: 'retry', code: 'UPSTREAM_DOWN', reason: 'upstream answered 503' };
      return { outcome: 'ack' };
    });
    await harness.transport.publish(ROUTE.name, ping(2));
    await waitFor(() => attempts.length === 3, 10_000, 'three attempts');
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(attempts.map((a) => a.history)).toEqual([0, 1, 2]);
    // First backoff step is 50 ms with at most 20% jitter off: never sooner than 40 ms.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(35);
    await new Promise((r) => setTimeout(r, 300));
    expect(attempts).toHaveLength(3);
    expect(await harness.transport.listDeadLetters({})).toEqual([]);
  });

  test('a throwing handler is retried like a transient failure', async () => {
    let calls = 0;
    await harness.transport.consume(ROUTE.name, async () => {
      calls++;
      if (calls === 1) throw new Error('socket hang up');
      return { outcome: 'ack' };
    });
    await harness.transport.publish(ROUTE.name, ping(3));
    await waitFor(() => calls === 2, 10_000, 'second call');
  });

  test('retries exhausted → dead letter with reason and history; replay → delivered with a fresh attempt count', async () => {
    let healthy = false;
    const delivered: Delivery[] = [];
    const attempts: number[] = [];
    await harness.transport.consume(ROUTE.name, async (d) => {
      attempts.push(d.envelope.attempt);
      if (!healthy) return { outcome: 'retry', code: 'UPSTREAM_DOWN', reason: 'connect ECONNREFUSED' };
      delivered.push(d);
      return { outcome: 'ack' };
    });
    const sent = ping(4);
    await harness.transport.publish(ROUTE.name, sent);
    const letters = await waitFor(async () => {
      const list = await harness.transport.listDeadLetters({ messageId: sent.id });
      return list.length === 1 ? list : null;
    }, 15_000, 'dead letter');
    expect(attempts).toEqual([1, 2, 3]);
    const letter = letters[0]!;
    expect(letter.route).toBe(ROUTE.name);
    expect(letter.code).toBe('RETRIES_EXHAUSTED');
    expect(letter.reason).toContain('connect ECONNREFUSED');
    expect(letter.history.map((h) => h.attempt)).toEqual([1, 2, 3]);
    expect(letter.history.every((h) => h.code === 'UPSTREAM_DOWN')).toBe(true);
    expect(letter.envelope.payload).toEqual(sent.payload);
    expect(letter.envelope.payloadDigest).toBe(sent.payloadDigest);

    healthy = true;
    const result = await harness.transport.replay({ messageId: sent.id });
    expect(result.replayed).toEqual([{ deadLetterId: letter.id, messageId: sent.id, route: ROUTE.name }]);
    await waitFor(() => delivered.length === 1, 10_000, 'replayed delivery');
    expect(delivered[0]!.envelope.id).toBe(sent.id);
    expect(delivered[0]!.envelope.attempt).toBe(1);
    expect(await harness.transport.listDeadLetters({ messageId: sent.id })).toEqual([]);
    const all = await harness.transport.listDeadLetters({ messageId: sent.id, includeReplayed: true });
    expect(all[0]!.replayedAt).not.toBeNull();
    // Replaying again finds nothing to replay.
    expect((await harness.transport.replay({ messageId: sent.id })).replayed).toEqual([]);
  });

  test('a permanent failure is dead-lettered at once; replay by filter takes every match', async () => {
    const seen: string[] = [];
    let accept = false;
    await harness.transport.consume(ROUTE.name, async (d) => {
      seen.push(d.envelope.id);
      return accept ? { outcome: 'ack' } : { outcome: 'dead-letter', code: 'UPSTREAM_REJECTED', reason: 'upstream answered 422' };
    });
    const sent = [ping(5), ping(6), ping(7)];
    await Promise.all(sent.map((e) => harness.transport.publish(ROUTE.name, e)));
    await waitFor(async () => (await harness.transport.listDeadLetters({ code: 'UPSTREAM_REJECTED' })).length === 3, 10_000, '3 letters');
    expect(seen).toHaveLength(3);
    accept = true;
    const replay = await harness.transport.replay({ route: ROUTE.name });
    expect(replay.replayed).toHaveLength(3);
    await waitFor(() => seen.length === 6, 10_000, 'replayed deliveries');
  });

  test('an open breaker waits without using up attempts', async () => {
    const attempts: number[] = [];
    await harness.transport.consume(ROUTE.name, async (d) => {
      attempts.push(d.envelope.attempt);
      if (attempts.length <= 4) return { outcome: 'retry', code: 'EOPENBREAKER', reason: 'breaker open', countAttempt: false };
      return { outcome: 'ack' };
    });
    await harness.transport.publish(ROUTE.name, ping(8));
    await waitFor(() => attempts.length === 5, 15_000, 'five deliveries');
    expect(attempts).toEqual([1, 1, 1, 1, 1]);
    expect(await harness.transport.listDeadLetters({})).toEqual([]);
  });

  test('settled retries are outcomes: many of them never trip the crash-loop delivery limit', async () => {
    let calls = 0;
    await harness.transport.consume(ROUTE.name, async () => {
      calls++;
      if (calls <= 25) return { outcome: 'retry', code: 'EOPENBREAKER', reason: 'breaker open', countAttempt: false };
      return { outcome: 'ack' };
    });
    await harness.transport.publish(ROUTE.name, ping(14));
    await waitFor(() => calls === 26, 20_000, '26 deliveries');
    expect(await harness.transport.listDeadLetters({})).toEqual([]);
  });

  test('messages published and not yet consumed survive a restart of the transport', async () => {
    const sent = [ping(9), ping(10)];
    for (const e of sent) await harness.transport.publish(ROUTE.name, e);
    const transport = await harness.reopen();
    const got: string[] = [];
    await transport.consume(ROUTE.name, async (d) => {
      got.push(d.envelope.id);
      return { outcome: 'ack' };
    });
    await waitFor(() => got.length === 2, 10_000, 'both messages');
    expect(got.sort()).toEqual(sent.map((e) => e.id).sort());
  });

  test('stopConsuming waits for the deliveries in flight to settle', async () => {
    let finished = 0;
    let started = 0;
    await harness.transport.consume(ROUTE.name, async () => {
      started++;
      await new Promise((r) => setTimeout(r, 200));
      finished++;
      return { outcome: 'ack' };
    });
    await Promise.all([ping(11), ping(12), ping(13)].map((e) => harness.transport.publish(ROUTE.name, e)));
    await waitFor(() => started === 3, 10_000, 'three started');
    await harness.transport.stopConsuming();
    expect(finished).toBe(3);
  });
});
