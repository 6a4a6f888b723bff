// A first delivery asks the effect log whether its effect is recorded when it begins, in the same turn as its "in
// progress" status, so the two go to the store together (one round trip on PostgreSQL instead of two). That early
// answer is used only while it still holds: a delivery of the same message that began meanwhile in this process, or a
// redelivery or retry (whose earlier delivery elsewhere may record the effect meanwhile), reads the log when it acts.
import type { ResolvedRoute } from '../../../src/config/load-config';
import { createEnvelope, type Envelope } from '../../../src/core/envelope';
import { createLogger } from '../../../src/observability/logger';
import { BusMetrics } from '../../../src/observability/metrics';
import { MessageLedger } from '../../../src/messaging/ledger';
import { Resequencer } from '../../../src/messaging/resequencer';
import { createRouteHandler, effectKey } from '../../../src/messaging/route-runner';
import { pipeline, type Pipeline } from '../../../src/messaging/pipeline';
import type { MessageStatusStore } from '../../../src/stores/message-status';
import type { EffectLog } from '../../../src/stores/stores';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';
import type { Delivery, DeliveryHandler } from '../../../src/transport/transport';

const ROUTE = { name: 'r', types: ['test.ping'], clients: ['*'], when: [], pipeline: 'p', ordered: false, prefetch: 4, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10, multiplier: 2, jitter: 0 } } as unknown as ResolvedRoute;

/** What the stores and the pipeline were asked, in order. */
type Call = 'in-progress' | 'isDone' | 'stage' | 'deliver';

interface World {
  handler: DeliveryHandler;
  calls: Call[];
  stores: SqliteStores;
  delivered: () => number;
  /** The first call of the delivery waits for `release` before it counts and returns. */
  holdFirstDelivery: (release: Promise<void>) => void;
}

/** Lets `n` turns of the event loop pass. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A route handler over in-memory stores whose status updates, effect reads, stage and delivery are noted in `calls`. */
function world(stage: (n: number) => Promise<void> = async () => undefined): World {
  const stores = new SqliteStores(openSqlite(':memory:'));
  const calls: Call[] = [];
  const messages = Object.create(stores.messages) as MessageStatusStore;
  messages.update = (id, update) => {
    if (update.state === 'in-progress') calls.push('in-progress');
    return stores.messages.update(id, update);
  };
  const effects: EffectLog = {
    isDone: (key) => {
      calls.push('isDone');
      return stores.effects.isDone(key);
    },
    markDone: (key, messageId) => stores.effects.markDone(key, messageId),
  };
  let stages = 0;
  let deliveries = 0;
  let held: Promise<void> | null = null;
  const route: Pipeline = pipeline('p', (payload) => payload)
    .step({
      name: 'look',
      kind: 'enrich',
      run: async (payload) => {
        calls.push('stage');
        await stage(++stages);
        return payload;
      },
    })
    .deliver({
      name: 'target',
      deliver: async () => {
        calls.push('deliver');
        const hold = held;
        held = null;
        if (hold) await hold;
        deliveries += 1;
      },
    });
  const logger = createLogger('silent');
  const resequencer = new Resequencer(stores.sequences);
  const audit = { append: () => Promise.resolve({ chainId: 'c', seq: 1, hash: 'h' }) };
  const ledger = new MessageLedger({ messages, audit, recorder: { record: async () => undefined }, resequencer, orderedRoutes: new Set(), metrics: new BusMetrics(), logger });
  const handler = createRouteHandler(ROUTE, route, { ledger, effects, resequencer, breakers: new Map(), metrics: new BusMetrics(), logger });
  return { handler, calls, stores, delivered: () => deliveries, holdFirstDelivery: (release) => (held = release) };
}

const first = (envelope: Envelope): Delivery => ({ envelope, route: 'r', redelivered: false, history: [] });

test('a first delivery reads the effect log in the same turn as its "in progress" status, before its steps', async () => {
  const w = world();
  expect(await w.handler(first(createEnvelope({ type: 'test.ping', source: 'c', payload: { n: 1 } })))).toEqual({ outcome: 'ack' });
  expect(w.calls).toEqual(['in-progress', 'isDone', 'stage', 'deliver']);
  await w.stores.close();
});

test('a first delivery whose effect is recorded does not act again', async () => {
  const w = world();
  const envelope = createEnvelope({ type: 'test.ping', source: 'c', payload: { n: 1 } });
  await w.stores.effects.markDone(effectKey('r', 'target', envelope), envelope.id);
  expect(await w.handler(first(envelope))).toEqual({ outcome: 'ack' });
  expect(w.delivered()).toBe(0);
  await w.stores.close();
});

// Two first deliveries of one message begin one after the other; the step of the one held back waits until the other
// has delivered and recorded its effect. The held-back one then finds no attempt in flight, and its early answer ("not
// recorded") no longer holds: it was not alone when it began (held back: the second), or another began after it (the
// first).
test.each([
  ['a delivery that began while another of the same message was under way', 'second'],
  ['a delivery that another of the same message began after, and finished before it acted,', 'first'],
] as const)('%s reads the effect log again when it acts', async (_, heldBack) => {
  let otherDone!: () => void;
  const otherFinished = new Promise<void>((resolve) => (otherDone = resolve));
  const heldStage = heldBack === 'first' ? 1 : 2;
  const w = world((n) => (n === heldStage ? otherFinished : Promise.resolve()));
  const envelope = createEnvelope({ type: 'test.ping', source: 'c', payload: { n: 1 } });
  const [one, two] = [w.handler(first(envelope)), w.handler(first(envelope))];
  const [held, other] = heldBack === 'first' ? [one, two] : [two, one];
  expect(await other).toEqual({ outcome: 'ack' });
  otherDone();
  expect(await held).toEqual({ outcome: 'ack' });
  expect(w.delivered()).toBe(1);
  await w.stores.close();
});

test('a delivery that reaches its upstream call while another waits for its early answer waits for that attempt', async () => {
  // The first copy's early read is slow; the second copy (not alone, so no early answer) reaches the delivery while
  // the first waits for that read. The first copy's attempt must already be the one in flight, so the second waits for
  // it and then finds the effect recorded, instead of both calling the upstream.
  const w = world();
  let releaseRead!: () => void;
  const readReleased = new Promise<void>((resolve) => (releaseRead = resolve));
  const isDone = w.stores.effects.isDone.bind(w.stores.effects);
  let reads = 0;
  w.stores.effects.isDone = async (key) => {
    if (++reads === 1) await readReleased;
    return isDone(key);
  };
  let releaseDelivery!: () => void;
  const deliveryReleased = new Promise<void>((resolve) => (releaseDelivery = resolve));
  w.holdFirstDelivery(deliveryReleased);
  const envelope = createEnvelope({ type: 'test.ping', source: 'c', payload: { n: 1 } });
  const both = Promise.all([w.handler(first(envelope)), w.handler(first(envelope))]);
  await turns(5);
  releaseRead();
  await turns(5);
  releaseDelivery();
  expect(await both).toEqual([{ outcome: 'ack' }, { outcome: 'ack' }]);
  expect(w.delivered()).toBe(1);
  await w.stores.close();
});

test('a redelivery reads the effect log when it acts: an effect recorded during its steps is not repeated', async () => {
  const envelope = createEnvelope({ type: 'test.ping', source: 'c', payload: { n: 1 } });
  const key = effectKey('r', 'target', envelope);
  // The earlier delivery, elsewhere, records its effect while this one runs its steps.
  const w = world(() => w.stores.effects.markDone(key, envelope.id));
  expect(await w.handler({ envelope, route: 'r', redelivered: true, history: [] })).toEqual({ outcome: 'ack' });
  expect(w.delivered()).toBe(0);
  expect(w.calls).toEqual(['in-progress', 'stage', 'isDone']);
  await w.stores.close();
});

test('an effect log that fails the early read is read again when the delivery acts', async () => {
  const w = world();
  const envelope = createEnvelope({ type: 'test.ping', source: 'c', payload: { n: 1 } });
  const isDone = w.stores.effects.isDone.bind(w.stores.effects);
  let reads = 0;
  w.stores.effects.isDone = (key) => (++reads === 1 ? Promise.reject(new Error('connection reset')) : isDone(key));
  expect(await w.handler(first(envelope))).toEqual({ outcome: 'ack' });
  expect(reads).toBe(2);
  expect(w.delivered()).toBe(1);
  await w.stores.close();
});
