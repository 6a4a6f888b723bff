// Settlement records (retried, dead-lettered, replayed) while the audit store is away: kept in the outbox of the bus's
// other store, written once the store is back in the order the settlements happened, never lost and never twice —
// also when the process that kept them died and another takes them over. The audit store is SQLite held locked by
// another connection (as a backup would); the outbox is in the stores' own SQLite file, or in PostgreSQL while the
// audit store's connection to PostgreSQL is cut at a TCP relay.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import type { AuditLog } from '../../../src/audit';
import { PostgresAuditStore } from '../../../src/audit/postgres-audit-store';
import type { AuditRecord } from '../../../src/audit/types';
import { createEnvelope, type Envelope } from '../../../src/core/envelope';
import { createLogger } from '../../../src/observability/logger';
import { BusMetrics } from '../../../src/observability/metrics';
import { Resequencer } from '../../../src/messaging/resequencer';
import { MessageLedger } from '../../../src/messaging/ledger';
import { createSettlementObserver } from '../../../src/messaging/settlement-observer';
import { SettlementRecorder } from '../../../src/messaging/settlement-recorder';
import { PostgresStores } from '../../../src/stores/postgres/postgres-stores';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';
import type { Stores } from '../../../src/stores/stores';
import type { DeadLetter, DeliveryFailure, TransportObserver } from '../../../src/transport/transport';
import { waitFor } from '../../../testkit/env';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';
import { freePort, tcpRelay } from '../../../testkit/tcp-relay';
import { newSigner, openWriter, sqliteHarness } from '../../../testkit/audit-harness';

const logger = createLogger('silent');
const ROUTE = 'dossier-sync';

/** Settlements write through the recorder only: a direct audit write here would be a defect. */
const NO_DIRECT_RECORDS = { append: () => Promise.reject(new Error('settlements write through the recorder')) };

function observerFor(recorder: SettlementRecorder, stores: Stores): TransportObserver {
  const ledger = new MessageLedger({ recorder, audit: NO_DIRECT_RECORDS, messages: stores.messages, resequencer: new Resequencer(stores.sequences), orderedRoutes: new Set(), metrics: new BusMetrics(), logger });
  return createSettlementObserver(ledger, logger);
}

const envelope = (n: number): Envelope => createEnvelope({ type: 'dossier.sync', source: 'motcua', subject: `H10-${n}`, payload: { n } });
const failure = (attempt: number): DeliveryFailure => ({ attempt, at: new Date().toISOString(), code: 'UPSTREAM_5XX', reason: 'DVCQG answered 503' });
const letter = (e: Envelope): DeadLetter => ({ id: randomUUID(), route: ROUTE, envelope: e, code: 'RETRIES_EXHAUSTED', reason: 'gave up', history: [failure(3)], deadAt: new Date().toISOString(), replayedAt: null });

/** Five settlements of three messages, in this order; what each must leave in the audit log. */
async function settle(observer: TransportObserver, m: Envelope[]): Promise<string[]> {
  const d = (e: Envelope) => ({ envelope: e, route: ROUTE, redelivered: false, history: [] });
  await observer.onRetry!(ROUTE, d(m[0]!), failure(1), 100);
  await observer.onRetry!(ROUTE, d(m[1]!), failure(1), 100);
  await observer.onDeadLetter!(ROUTE, d(m[0]!), failure(2), letter(m[0]!));
  await observer.onReplay!(ROUTE, m[0]!, new Date().toISOString());
  await observer.onRetry!(ROUTE, d(m[2]!), failure(1), 100);
  return [`${m[0]!.id}:retried`, `${m[1]!.id}:retried`, `${m[0]!.id}:dead-lettered`, `${m[0]!.id}:replayed`, `${m[2]!.id}:retried`];
}

async function chainRecords(audit: AuditLog, chainId = audit.chainId): Promise<AuditRecord[]> {
  return (await audit.search({ chainId }, { limit: 1000 })).records.sort((a, b) => a.seq - b.seq);
}

const settlementIds = (records: AuditRecord[]) => records.map((r) => (JSON.parse(r.details ?? '{}') as { settlementId?: string }).settlementId).filter((id) => id !== undefined);

/** The pid of a process that has ended on this host: a bus killed before its kept records were written. */
const endedPid = () => Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());

test('sqlite: kept in the stores’ outbox while the audit store is locked, written in order once it is free, once each', async () => {
  const h = sqliteHarness();
  const stores = new SqliteStores(openSqlite(path.join(h.dir, 'stores.db')));
  const audit = await openWriter(await h.openStore(), newSigner(), { chainId: `outbox-${randomUUID()}` });
  const recorder = new SettlementRecorder({ audit, outbox: stores.auditOutbox, logger, retryMs: 20 });
  await recorder.start();
  const observer = observerFor(recorder, stores);
  const m = [envelope(1), envelope(2), envelope(3)];

  const blocker = new Database(h.sqliteFile);
  blocker.exec('BEGIN EXCLUSIVE');
  const expected = await settle(observer, m);
  // Every settlement returned (the transport went on), nothing reached the audit log, all five are kept durably.
  expect(stores.db.prepare('SELECT count(*) AS n FROM audit_outbox').get()).toEqual({ n: 5 });
  expect(recorder.pending()).toBe(5);
  blocker.exec('ROLLBACK');
  blocker.close();

  // A record leaves the recorder's queue once written, and the outbox after (a second step): wait for both.
  await waitFor(() => recorder.pending() === 0 && (stores.db.prepare('SELECT count(*) AS n FROM audit_outbox').get() as { n: number }).n === 0, 10_000, 'kept records written and taken out of the outbox');
  const records = await chainRecords(audit);
  expect(records.map((r) => `${r.messageId}:${r.step}`)).toEqual(expected);
  expect(new Set(settlementIds(records)).size).toBe(5);
  expect((await audit.verify()).ok).toBe(true);
  await recorder.close();
  await audit.close();
  await stores.close();
  await h.cleanup();
});

test('sqlite: the records a killed bus had kept are written by the next one, in order, and one it had written just before it died is not written again', async () => {
  const h = sqliteHarness();
  const stores = new SqliteStores(openSqlite(path.join(h.dir, 'stores.db')));
  const dead = { host: hostname(), pid: endedPid(), token: 'killed' };
  const first = await openWriter(await h.openStore(), newSigner(), { chainId: `killed-${randomUUID()}` });
  const killedRecorder = new SettlementRecorder({ audit: first, outbox: stores.auditOutbox, logger, retryMs: 20, self: dead });
  const blocker = new Database(h.sqliteFile);
  blocker.exec('BEGIN EXCLUSIVE');
  const expected = await settle(observerFor(killedRecorder, stores), [envelope(4), envelope(5), envelope(6)]);
  // What a kill leaves: the outbox rows (close keeps them and stops, as a process that dies would not write them).
  await killedRecorder.close();
  blocker.exec('ROLLBACK');
  blocker.close();
  const kept = (stores.db.prepare('SELECT event FROM audit_outbox ORDER BY kept_at, position').all() as { event: string }[]).map((r) => JSON.parse(r.event) as Parameters<AuditLog['append']>[0]);
  expect(kept).toHaveLength(5);
  // It had written the first one just before it died, and not yet removed it from the outbox.
  await first.append(kept[0]!);
  await first.close();

  const audit = await openWriter(await h.openStore(), newSigner(), { chainId: `next-${randomUUID()}` });
  const recorder = new SettlementRecorder({ audit, outbox: stores.auditOutbox, logger, retryMs: 20 });
  await recorder.start();
  await waitFor(() => recorder.pending() === 0 && (stores.db.prepare('SELECT count(*) AS n FROM audit_outbox').get() as { n: number }).n === 0, 10_000, 'taken over and written');
  const written = [...(await chainRecords(audit, first.chainId)), ...(await chainRecords(audit))];
  expect(written.map((r) => `${r.messageId}:${r.step}`)).toEqual(expected);
  expect(new Set(settlementIds(written)).size).toBe(5);
  await recorder.close();
  await audit.close();
  await stores.close();
  await h.cleanup();
});

test('postgres: kept in the PostgreSQL stores while the audit store’s connection is cut, written in order once it is back', async () => {
  const schema = `outbox_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  await createSchema(schema);
  const port = await freePort();
  const relay = tcpRelay(port, schemaUrl(schema));
  await relay.start();
  const viaRelay = new URL(schemaUrl(schema));
  viaRelay.hostname = '127.0.0.1';
  viaRelay.port = String(port);
  const stores = await PostgresStores.open(schemaUrl(schema));
  const audit = await openWriter(await PostgresAuditStore.open({ databaseUrl: viaRelay.toString(), connectionTimeoutMs: 1000 }), newSigner(), { chainId: `outbox-${randomUUID()}` });
  const recorder = new SettlementRecorder({ audit, outbox: stores.auditOutbox, logger, retryMs: 20 });
  await recorder.start();
  const observer = observerFor(recorder, stores);
  try {
    await relay.stop();
    const expected = await settle(observer, [envelope(7), envelope(8), envelope(9)]);
    expect(recorder.pending()).toBe(5);
    const direct = await PostgresAuditStore.open({ databaseUrl: schemaUrl(schema) });
    expect(await direct.records(audit.chainId, 0, 10)).toEqual([]);
    await relay.start();
    await waitFor(() => recorder.pending() === 0, 20_000, 'kept records written');
    const records = await direct.records(audit.chainId, 0, 10);
    expect(records.map((r) => `${r.messageId}:${r.step}`)).toEqual(expected);
    expect(new Set(settlementIds(records)).size).toBe(5);
    await direct.close();
  } finally {
    await recorder.close();
    await audit.close();
    await relay.stop();
    await stores.close();
    await dropSchema(schema);
  }
});
