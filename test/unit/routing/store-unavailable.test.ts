// A store that cannot be reached is not the message's fault: a delivery whose store write fails with ECONNREFUSED while
// PostgreSQL restarts waits without using an attempt, instead of spending its attempts in seconds and being
// dead-lettered RETRIES_EXHAUSTED.
import { Client } from 'pg';
import { AuditError } from '../../../src/audit';
import type { ResolvedRoute } from '../../../src/config/load-config';
import { createEnvelope } from '../../../src/core/envelope';
import { createLogger } from '../../../src/observability/logger';
import { BusMetrics } from '../../../src/observability/metrics';
import { MessageLedger } from '../../../src/messaging/ledger';
import { Resequencer } from '../../../src/messaging/resequencer';
import { createRouteHandler } from '../../../src/messaging/route-runner';
import { pipeline } from '../../../src/messaging/pipeline';
import type { MessageStatusStore } from '../../../src/stores/message-status';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';
import { isStoreUnavailable } from '../../../src/stores/store-unavailable';

/** The error node-postgres really raises when nothing listens where the database should be. */
async function refusedConnectionError(): Promise<Error> {
  const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 2000 });
  return client.connect().then(
    () => new Error('unexpectedly connected'),
    (error: Error) => error,
  );
}

/** A route whose delivery does nothing: these tests are about the stores around it. */
const NOTHING_TO_DELIVER = pipeline('nothing', (payload) => payload).deliver({ name: 'nothing', deliver: async () => undefined });

test('connection failures and an unwritable audit log count as a store away; other errors do not', async () => {
  expect(isStoreUnavailable(await refusedConnectionError())).toBe(true);
  expect(isStoreUnavailable(new AuditError('down', 'AUDIT_UNAVAILABLE'))).toBe(true);
  expect(isStoreUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
  expect(isStoreUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  expect(isStoreUnavailable(new TypeError('cannot read properties of undefined'))).toBe(false);
  expect(isStoreUnavailable(Object.assign(new Error('syntax error'), { code: 'SQLITE_ERROR' }))).toBe(false);
  expect(isStoreUnavailable(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }))).toBe(false);
});

// A full or read-only data directory stopped deliveries as the message's own failure: the effect record that could
// not be written used up an attempt, and a disk full for longer than the retry budget dead-lettered good messages.
test('a data directory that takes no writes (full, read-only, failing) counts as a store away', () => {
  const failing = (code: string) => Object.assign(new Error('database or disk is full'), { code });
  for (const code of ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'ENOSPC', 'EDQUOT', 'EROFS', '53100']) {
    expect([code, isStoreUnavailable(failing(code))]).toEqual([code, true]);
  }
  expect(isStoreUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
});

/** A ledger whose audit log always writes, over the given status store and resequencer. */
function ledgerFor(messages: MessageStatusStore, resequencer: Resequencer): MessageLedger {
  const logger = createLogger('silent');
  const audit = { append: () => Promise.resolve({ chainId: 'c', seq: 1, hash: 'h' }) };
  return new MessageLedger({ messages, audit, recorder: { record: async () => undefined }, resequencer, orderedRoutes: new Set(), metrics: new BusMetrics(), logger });
}

test('a delivery whose status store is unreachable waits without using an attempt', async () => {
  const refused = await refusedConnectionError();
  const stores = new SqliteStores(openSqlite(':memory:'));
  const unreachable: MessageStatusStore = {
    accepted: () => Promise.reject(refused),
    update: () => Promise.reject(refused),
    reopen: () => Promise.reject(refused),
    get: () => Promise.reject(refused),
    children: () => Promise.reject(refused),
    bySubject: () => Promise.reject(refused),
    waiting: () => Promise.reject(refused),
    fannedOut: () => Promise.reject(refused),
    settleFromParts: () => Promise.reject(refused),
    oldestUnsettled: () => Promise.reject(refused),
  };
  const route = { name: 'r', types: ['test.ping'], clients: ['*'], when: [], pipeline: 'nothing', ordered: false, prefetch: 1, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10, multiplier: 2, jitter: 0 } } as unknown as ResolvedRoute;
  const handler = createRouteHandler(route, NOTHING_TO_DELIVER, {
    ledger: ledgerFor(unreachable, new Resequencer(stores.sequences)),
    effects: stores.effects,
    resequencer: new Resequencer(stores.sequences),
    breakers: new Map(),
    metrics: new BusMetrics(),
    logger: createLogger('silent'),
  });
  const envelope = createEnvelope({ type: 'test.ping', source: 'c', payload: { n: 1 } });
  const result = await handler({ envelope, route: 'r', redelivered: false, history: [] });
  expect(result).toMatchObject({ outcome: 'retry', code: 'STORE_UNAVAILABLE', countAttempt: false });
  await stores.close();
});

// Settling an ordered message's sequence number is part of finishing its delivery, not a side effect of the ack: a
// settle lost while PostgreSQL is away would leave the dossier's later progress updates waiting for ever. When it
// fails, the delivery is tried again (chaos: postgres-restart).
test('an ordered delivery whose sequence number cannot be settled is retried, then settles', async () => {
  const refused = await refusedConnectionError();
  const stores = new SqliteStores(openSqlite(':memory:'));
  let away = true;
  const sequences = Object.create(stores.sequences) as typeof stores.sequences;
  sequences.settle = (subject, sequence) => (away ? Promise.reject(refused) : stores.sequences.settle(subject, sequence));
  const route = { name: 'r', types: ['test.ping'], clients: ['*'], when: [], pipeline: 'nothing', ordered: true, prefetch: 1, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10, multiplier: 2, jitter: 0 } } as unknown as ResolvedRoute;
  const handler = createRouteHandler(route, NOTHING_TO_DELIVER, {
    ledger: ledgerFor(stores.messages, new Resequencer(sequences)),
    effects: stores.effects,
    resequencer: new Resequencer(sequences),
    breakers: new Map(),
    metrics: new BusMetrics(),
    logger: createLogger('silent'),
  });
  const subject = 'H10-261127-0001';
  const first = await stores.sequences.next(subject);
  const envelope = { ...createEnvelope({ type: 'test.ping', source: 'c', subject, payload: { n: 1 } }), sequence: first };
  expect(await handler({ envelope, route: 'r', redelivered: false, history: [] })).toMatchObject({ outcome: 'retry', code: 'STORE_UNAVAILABLE', countAttempt: false });
  expect(await stores.sequences.isSettled(subject, first)).toBe(false);
  away = false;
  expect(await handler({ envelope, route: 'r', redelivered: true, history: [] })).toEqual({ outcome: 'ack' });
  expect(await stores.sequences.isSettled(subject, first)).toBe(true);
  await stores.close();
});
