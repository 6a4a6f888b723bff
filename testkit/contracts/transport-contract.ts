// The transport contract: publish, retry with broker-side delay, dead letters (the transport's own: listed, filtered,
// replayed, kept across restarts) and replay, breaker waits, restart durability and draining; every Transport runs it by one call naming how to make it.
import { createEnvelope, type Envelope } from '../../src/core/envelope';
import type { Delivery, HandlerResult, RouteTopology, Transport } from '../../src/transport/transport';
import { waitFor } from '../env';

/** The route every contract test uses: three attempts with short backoff, so dead-lettering takes well under a second. */
export const CONTRACT_ROUTE: RouteTopology = {
  name: 'contract',
  prefetch: 50,
  retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 },
};

/** A transport under test, started on CONTRACT_ROUTE; reopen closes it and opens a new one on the same storage. */
export interface TransportUnderTest {
  transport: Transport;
  reopen(): Promise<Transport>;
  dispose(): Promise<void>;
}

function ping(n: number): Envelope {
  return createEnvelope({ type: 'test.ping', source: 'contract-test', subject: `S-${n}`, payload: { n, text: 'Sở Tư pháp' } });
}

/** Declares the transport contract's tests for one transport; `make` opens a fresh one started on CONTRACT_ROUTE per test. */
export function transportContract(name: string, make: () => Promise<TransportUnderTest>): void {
  describe(`transport contract: ${name}`, () => {
    let harness: TransportUnderTest;
    beforeEach(async () => {
      harness = await make();
    });
    afterEach(async () => {
      await harness.dispose();
    });

    test('publish → consume → ack: the envelope arrives intact and leaves the queue', async () => {
      const received: Delivery[] = [];
      await harness.transport.consume(CONTRACT_ROUTE.name, async (d) => {
        received.push(d);
        return { outcome: 'ack' };
      });
      const sent = ping(1);
      await harness.transport.publish(CONTRACT_ROUTE.name, sent);
      await waitFor(() => received.length === 1, 10_000, 'delivery');
      expect(received[0]!.envelope).toEqual(sent);
      expect(received[0]!.history).toEqual([]);
      await waitFor(async () => (await harness.transport.stats()).queueDepth[CONTRACT_ROUTE.name] === 0, 10_000, 'empty queue');
    });

    test('retry then success: attempts rise, history is carried, the broker-side delay is honoured', async () => {
      const attempts: { attempt: number; at: number; history: number }[] = [];
      await harness.transport.consume(CONTRACT_ROUTE.name, async (d): Promise<HandlerResult> => {
        attempts.push({ attempt: d.envelope.attempt, at: Date.now(), history: d.history.length });
        if (d.envelope.attempt < 3) return { outcome: 'retry', code: 'UPSTREAM_DOWN', reason: 'upstream answered 503' };
        return { outcome: 'ack' };
      });
      await harness.transport.publish(CONTRACT_ROUTE.name, ping(2));
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
      await harness.transport.consume(CONTRACT_ROUTE.name, async () => {
        calls++;
        if (calls === 1) throw new Error('socket hang up');
        return { outcome: 'ack' };
      });
      await harness.transport.publish(CONTRACT_ROUTE.name, ping(3));
      await waitFor(() => calls === 2, 10_000, 'second call');
    });

    test('retries exhausted → dead letter with reason and history; replay → delivered with a fresh attempt count', async () => {
      let healthy = false;
      const delivered: Delivery[] = [];
      const attempts: number[] = [];
      await harness.transport.consume(CONTRACT_ROUTE.name, async (d) => {
        attempts.push(d.envelope.attempt);
        if (!healthy) return { outcome: 'retry', code: 'UPSTREAM_DOWN', reason: 'connect ECONNREFUSED' };
        delivered.push(d);
        return { outcome: 'ack' };
      });
      const sent = ping(4);
      await harness.transport.publish(CONTRACT_ROUTE.name, sent);
      const letters = await waitFor(async () => {
        const list = await harness.transport.listDeadLetters({ messageId: sent.id });
        return list.length === 1 ? list : null;
      }, 15_000, 'dead letter');
      expect(attempts).toEqual([1, 2, 3]);
      const letter = letters[0]!;
      expect(letter.route).toBe(CONTRACT_ROUTE.name);
      expect(letter.code).toBe('RETRIES_EXHAUSTED');
      expect(letter.reason).toContain('connect ECONNREFUSED');
      expect(letter.history.map((h) => h.attempt)).toEqual([1, 2, 3]);
      expect(letter.history.every((h) => h.code === 'UPSTREAM_DOWN')).toBe(true);
      expect(letter.envelope.payload).toEqual(sent.payload);
      expect(letter.envelope.payloadDigest).toBe(sent.payloadDigest);

      healthy = true;
      const result = await harness.transport.replay({ messageId: sent.id });
      expect(result.replayed).toEqual([{ deadLetterId: letter.id, messageId: sent.id, route: CONTRACT_ROUTE.name }]);
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
      await harness.transport.consume(CONTRACT_ROUTE.name, async (d) => {
        seen.push(d.envelope.id);
        return accept ? { outcome: 'ack' } : { outcome: 'dead-letter', code: 'UPSTREAM_REJECTED', reason: 'upstream answered 422' };
      });
      const sent = [ping(5), ping(6), ping(7)];
      await Promise.all(sent.map((e) => harness.transport.publish(CONTRACT_ROUTE.name, e)));
      await waitFor(async () => (await harness.transport.listDeadLetters({ code: 'UPSTREAM_REJECTED' })).length === 3, 10_000, '3 letters');
      expect(seen).toHaveLength(3);
      accept = true;
      const replay = await harness.transport.replay({ route: CONTRACT_ROUTE.name });
      expect(replay.replayed).toHaveLength(3);
      await waitFor(() => seen.length === 6, 10_000, 'replayed deliveries');
    });

    test('dead letters are the transport\'s own: they outlive a restart, filter by id, subject and code, and replay by id', async () => {
      await harness.transport.consume(CONTRACT_ROUTE.name, async () => ({ outcome: 'dead-letter', code: 'UPSTREAM_REJECTED', reason: 'upstream answered 422' }));
      const sent = [ping(15), ping(16)];
      for (const e of sent) await harness.transport.publish(CONTRACT_ROUTE.name, e);
      await waitFor(async () => (await harness.transport.listDeadLetters({ route: CONTRACT_ROUTE.name })).length === 2, 10_000, '2 letters');
      const transport = await harness.reopen();
      const letters = await transport.listDeadLetters({ route: CONTRACT_ROUTE.name });
      expect(letters.map((l) => l.envelope.id).sort()).toEqual(sent.map((e) => e.id).sort());
      const second = letters.find((l) => l.envelope.id === sent[1]!.id)!;
      expect(await transport.listDeadLetters({ ids: [second.id] })).toEqual([second]);
      expect((await transport.listDeadLetters({ subject: 'S-16' })).map((l) => l.id)).toEqual([second.id]);
      expect(await transport.listDeadLetters({ code: 'OTHER_CODE' })).toEqual([]);
      expect(await transport.listDeadLetters({ ids: [] })).toEqual([]);

      const got: string[] = [];
      await transport.consume(CONTRACT_ROUTE.name, async (d) => {
        got.push(d.envelope.id);
        return { outcome: 'ack' };
      });
      expect((await transport.replay({ ids: [second.id] })).replayed).toEqual([{ deadLetterId: second.id, messageId: sent[1]!.id, route: CONTRACT_ROUTE.name }]);
      await waitFor(() => got.length === 1, 10_000, 'the replayed letter delivered');
      expect(got).toEqual([sent[1]!.id]);
      // The other letter is still there, unreplayed; the replayed one only with includeReplayed.
      expect((await transport.listDeadLetters({ route: CONTRACT_ROUTE.name })).map((l) => l.envelope.id)).toEqual([sent[0]!.id]);
      const replayed = await transport.listDeadLetters({ ids: [second.id], includeReplayed: true });
      expect(replayed[0]!.replayedAt).not.toBeNull();
    });

    test('a replay cut short by a restart of the transport loses nothing: each letter is delivered or still listed to replay', async () => {
      await harness.transport.consume(CONTRACT_ROUTE.name, async () => ({ outcome: 'dead-letter', code: 'UPSTREAM_REJECTED', reason: 'upstream answered 422' }));
      const sent = Array.from({ length: 20 }, (_, i) => ping(100 + i));
      await Promise.all(sent.map((e) => harness.transport.publish(CONTRACT_ROUTE.name, e)));
      await waitFor(async () => (await harness.transport.listDeadLetters({ route: CONTRACT_ROUTE.name })).length === sent.length, 15_000, '20 letters');
      await harness.transport.stopConsuming();
      // The replay and the restart race: the replay may finish, stop part-way or fail.
      const replaying = harness.transport.replay({ route: CONTRACT_ROUTE.name }).catch(() => null);
      const transport = await harness.reopen();
      await replaying;

      const got = new Set<string>();
      await transport.consume(CONTRACT_ROUTE.name, async (d) => {
        got.add(d.envelope.id);
        return { outcome: 'ack' };
      });
      // Whatever the replay left undone is still a letter to replay; replaying it delivers the rest.
      await waitFor(async () => {
        const left = await transport.listDeadLetters({ route: CONTRACT_ROUTE.name });
        return sent.every((e) => got.has(e.id) || left.some((l) => l.envelope.id === e.id));
      }, 15_000, 'every message delivered or still a letter');
      await transport.replay({ route: CONTRACT_ROUTE.name });
      await waitFor(() => sent.every((e) => got.has(e.id)), 15_000, 'every message delivered');
      expect(await transport.listDeadLetters({ route: CONTRACT_ROUTE.name })).toEqual([]);
    });

    test('an open breaker waits without using up attempts', async () => {
      const attempts: number[] = [];
      await harness.transport.consume(CONTRACT_ROUTE.name, async (d) => {
        attempts.push(d.envelope.attempt);
        if (attempts.length <= 4) return { outcome: 'retry', code: 'EOPENBREAKER', reason: 'breaker open', countAttempt: false };
        return { outcome: 'ack' };
      });
      await harness.transport.publish(CONTRACT_ROUTE.name, ping(8));
      await waitFor(() => attempts.length === 5, 15_000, 'five deliveries');
      expect(attempts).toEqual([1, 1, 1, 1, 1]);
      expect(await harness.transport.listDeadLetters({})).toEqual([]);
    });

    test('settled retries are outcomes: many of them never trip the crash-loop delivery limit', async () => {
      let calls = 0;
      await harness.transport.consume(CONTRACT_ROUTE.name, async () => {
        calls++;
        if (calls <= 25) return { outcome: 'retry', code: 'EOPENBREAKER', reason: 'breaker open', countAttempt: false };
        return { outcome: 'ack' };
      });
      await harness.transport.publish(CONTRACT_ROUTE.name, ping(14));
      await waitFor(() => calls === 26, 20_000, '26 deliveries');
      expect(await harness.transport.listDeadLetters({})).toEqual([]);
    });

    test('messages published and not yet consumed survive a restart of the transport', async () => {
      const sent = [ping(9), ping(10)];
      for (const e of sent) await harness.transport.publish(CONTRACT_ROUTE.name, e);
      const transport = await harness.reopen();
      const got: string[] = [];
      await transport.consume(CONTRACT_ROUTE.name, async (d) => {
        got.push(d.envelope.id);
        return { outcome: 'ack' };
      });
      await waitFor(() => got.length === 2, 10_000, 'both messages');
      expect(got.sort()).toEqual(sent.map((e) => e.id).sort());
    });

    test('stopConsuming waits for the deliveries in flight to settle', async () => {
      let finished = 0;
      let started = 0;
      await harness.transport.consume(CONTRACT_ROUTE.name, async () => {
        started++;
        await new Promise((r) => setTimeout(r, 200));
        finished++;
        return { outcome: 'ack' };
      });
      await Promise.all([ping(11), ping(12), ping(13)].map((e) => harness.transport.publish(CONTRACT_ROUTE.name, e)));
      await waitFor(() => started === 3, 10_000, 'three started');
      await harness.transport.stopConsuming();
      expect(finished).toBe(3);
    });
  });
}
