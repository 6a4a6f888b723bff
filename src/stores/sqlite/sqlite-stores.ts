// SQLite (better-sqlite3, WAL) implementation of the bus's stores, for the embedded default and single-process use.
import Database from 'better-sqlite3';
import type {
  AuditOutboxStore,
  CatalogueRefreshRecord,
  EffectLog,
  IdempotencyKeyStore,
  IdempotencyRecord,
  OutboxEntry,
  OutboxOwner,
  ProcedureCatalogueStore,
  RevokedSessionStore,
  StoredProcedure,
  StoreRetention,
  Stores,
} from '../stores';
import { procedureFromRow, refreshFromRow, type ProcedureRefreshRow, type ProcedureRow } from '../procedure-row';
import { outboxEntryFromRow, outboxOwnerFromRow, outboxSql, type OutboxRow } from '../outbox-row';
import { idempotencyRecordFromRow, type IdempotencyRow } from '../idempotency-row';
import { stateFromParts, UNSETTLED_STATES_SQL } from '../../core/message-state';
import type { MessageStatus, MessageStatusStore, MessageStatusUpdate, PartsSettlement, SubjectFilter, SubjectSequenceStore, WaitingMessage } from '../message-status';
import { failingSinceSql, holdsSettlement, lastFailureSql, messageStatusFromRow, reopensSql, statusMovesSql, waitingMessageFromRow, type MessageStatusRow } from '../message-status-row';
import { prepareSqliteFile } from '../private-files';
import { migrateSqlite } from './sqlite-migrator';
import { SQLITE_STORE_MIGRATIONS, SQLITE_STORES_OWNER } from './sqlite-store-migrations';
import { SqliteGroupCommit } from './sqlite-group-commit';

export type SqliteDatabase = Database.Database;

export function openSqlite(file: string, synchronous: 'FULL' | 'NORMAL' = 'FULL'): SqliteDatabase {
  prepareSqliteFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  return db;
}

export function migrateSqliteStores(db: SqliteDatabase): void {
  migrateSqlite(db, SQLITE_STORES_OWNER, SQLITE_STORE_MIGRATIONS);
}

export class SqliteMessageStatusStore implements MessageStatusStore {
  private readonly stmts;
  private readonly settleParent;
  constructor(
    db: SqliteDatabase,
    private readonly group: SqliteGroupCommit,
  ) {
    this.stmts = {
      accepted: db.prepare(`INSERT OR IGNORE INTO message_status
        (message_id, correlation_id, causation_id, type, source, subject, destination, route, state, attempts, accepted_at, updated_at)
        VALUES (@messageId, @correlationId, @causationId, @type, @source, @subject, @destination, @route, 'accepted', 0, @acceptedAt, @acceptedAt)`),
      update: db.prepare(`UPDATE message_status SET state = @state, ${lastFailureSql('@state', '@code', '@reason')},
        attempts = max(attempts, @attempts), updated_at = @now, failing_since = ${failingSinceSql('@state', '@code', '@now')}
        WHERE message_id = @messageId AND ${statusMovesSql('@state')}`),
      reopen: db.prepare(`UPDATE message_status SET state = 'accepted', code = NULL, reason = NULL, failing_since = NULL, updated_at = ? WHERE message_id = ? AND ${reopensSql('?')}`),
      waiting: db.prepare<[string | null, string | null, number], MessageStatusRow>(`SELECT * FROM message_status
        WHERE state = 'in-progress' AND failing_since IS NOT NULL AND (? IS NULL OR route = ?) ORDER BY failing_since, message_id LIMIT ?`),
      oldestUnsettled: db.prepare<[], { route: string; oldest: string }>(`SELECT route, min(accepted_at) AS oldest FROM message_status
        WHERE state IN (${UNSETTLED_STATES_SQL}) GROUP BY route`),
      get: db.prepare<[string], MessageStatusRow>('SELECT * FROM message_status WHERE message_id = ?'),
      children: db.prepare<[string], MessageStatusRow>('SELECT * FROM message_status WHERE causation_id = ? ORDER BY accepted_at, message_id'),
      bySubject: db.prepare<[string, string | null, string | null, string, number], MessageStatusRow>(`SELECT * FROM message_status
        WHERE subject = ? AND (? IS NULL OR source = ?) AND route IN (SELECT value FROM json_each(?)) ORDER BY accepted_at, message_id LIMIT ?`),
      fannedOut: db.prepare('UPDATE message_status SET fanned_out_at = COALESCE(fanned_out_at, ?) WHERE message_id = ?'),
    };
    // Run as a write of the group commit, whose transaction is IMMEDIATE: the write lock is taken before the parts are
    // read, so another process settling a sibling waits.
    this.settleParent = db.transaction((messageId: string): PartsSettlement | null => {
      const parent = this.stmts.get.get(messageId);
      if (!parent?.fanned_out_at) return null;
      const settled = stateFromParts(this.stmts.children.all(messageId).map(messageStatusFromRow));
      if (!settled || holdsSettlement(parent, settled)) return null;
      this.write(messageId, { ...settled, attempts: 0 });
      return settled;
    });
  }
  async accepted(status: Parameters<MessageStatusStore['accepted']>[0]): Promise<void> {
    await this.group.write(() => this.stmts.accepted.run(status));
  }
  async update(messageId: string, update: MessageStatusUpdate): Promise<void> {
    await this.group.write(() => this.write(messageId, update));
  }
  private write(messageId: string, update: MessageStatusUpdate): void {
    this.stmts.update.run({
      messageId,
      state: update.state,
      code: update.code ?? null,
      reason: update.reason ?? null,
      attempts: update.attempts ?? 0,
      now: new Date().toISOString(),
    });
  }
  async reopen(messageId: string, replayedAt: string): Promise<void> {
    const now = new Date().toISOString();
    await this.group.write(() => this.stmts.reopen.run(now, messageId, replayedAt));
  }
  async get(messageId: string): Promise<MessageStatus | null> {
    const row = this.stmts.get.get(messageId);
    return row ? messageStatusFromRow(row) : null;
  }
  async children(messageId: string): Promise<MessageStatus[]> {
    return this.stmts.children.all(messageId).map(messageStatusFromRow);
  }
  async bySubject(subject: string, filter: SubjectFilter): Promise<MessageStatus[]> {
    const source = filter.source ?? null;
    return this.stmts.bySubject.all(subject, source, source, JSON.stringify(filter.routes), filter.limit).map(messageStatusFromRow);
  }
  async waiting(filter: { route?: string; limit: number }): Promise<WaitingMessage[]> {
    const route = filter.route ?? null;
    return this.stmts.waiting.all(route, route, filter.limit).map(waitingMessageFromRow);
  }
  async fannedOut(messageId: string): Promise<void> {
    const now = new Date().toISOString();
    await this.group.write(() => this.stmts.fannedOut.run(now, messageId));
  }
  async settleFromParts(messageId: string): Promise<PartsSettlement | null> {
    return this.group.write(() => this.settleParent(messageId));
  }
  async oldestUnsettled(): Promise<Record<string, string>> {
    return Object.fromEntries(this.stmts.oldestUnsettled.all().map((row) => [row.route, row.oldest]));
  }
}

export class SqliteSubjectSequenceStore implements SubjectSequenceStore {
  private readonly stmts;
  private readonly issue;
  private readonly abandon;
  private readonly releaseAndSettle;
  private readonly confirmIssued;
  constructor(
    db: SqliteDatabase,
    private readonly group: SqliteGroupCommit,
  ) {
    this.stmts = {
      next: db.prepare<[string], { last_issued: number }>(`INSERT INTO subject_sequences (subject, last_issued) VALUES (?, 1)
        ON CONFLICT (subject) DO UPDATE SET last_issued = last_issued + 1 RETURNING last_issued`),
      pending: db.prepare('INSERT INTO subject_pending (subject, sequence, issued_at) VALUES (?, ?, ?)'),
      release: db.prepare('DELETE FROM subject_pending WHERE subject = ? AND sequence = ?'),
      releaseOld: db.prepare('DELETE FROM subject_pending WHERE subject = ? AND sequence = ? AND issued_at < ?'),
      settled: db.prepare<[string, number], { n: number }>('SELECT 1 AS n FROM subject_settled WHERE subject = ? AND sequence = ?'),
      settle: db.prepare('INSERT OR IGNORE INTO subject_settled (subject, sequence) VALUES (?, ?)'),
      voided: db.prepare<[string, number], { n: number }>('SELECT 1 AS n FROM subject_voided WHERE subject = ? AND sequence = ?'),
      markVoided: db.prepare('INSERT OR IGNORE INTO subject_voided (subject, sequence) VALUES (?, ?)'),
    };
    this.issue = db.transaction((subject: string): number => {
      const sequence = this.stmts.next.get(subject)!.last_issued;
      this.stmts.pending.run(subject, sequence, Date.now());
      return sequence;
    });
    this.confirmIssued = db.transaction((subject: string, sequence: number): boolean => {
      if (this.stmts.release.run(subject, sequence).changes > 0) return true;
      return this.stmts.voided.get(subject, sequence) === undefined;
    });
    this.releaseAndSettle = db.transaction((subject: string, sequence: number) => {
      this.stmts.release.run(subject, sequence);
      this.stmts.settle.run(subject, sequence);
    });
    this.abandon = db.transaction((subject: string, sequence: number, before: number): boolean => {
      if (this.stmts.releaseOld.run(subject, sequence, before).changes === 0) return false;
      this.stmts.markVoided.run(subject, sequence);
      this.stmts.settle.run(subject, sequence);
      return true;
    });
  }
  async next(subject: string): Promise<number> {
    return this.group.write(() => this.issue(subject));
  }
  async confirm(subject: string, sequence: number): Promise<boolean> {
    return this.group.write(() => this.confirmIssued(subject, sequence));
  }
  async isSettled(subject: string, sequence: number): Promise<boolean> {
    return sequence <= 0 || this.stmts.settled.get(subject, sequence) !== undefined;
  }
  async settle(subject: string, sequence: number): Promise<void> {
    await this.group.write(() => this.releaseAndSettle(subject, sequence));
  }
  async voidAbandoned(subject: string, sequence: number, olderThanMs: number): Promise<boolean> {
    const before = Date.now() - olderThanMs;
    return this.group.write(() => this.abandon(subject, sequence, before));
  }
  async isVoided(subject: string, sequence: number): Promise<boolean> {
    return this.stmts.voided.get(subject, sequence) !== undefined;
  }
}

export class SqliteEffectLog implements EffectLog {
  private readonly selectStmt;
  private readonly insertStmt;
  constructor(
    db: SqliteDatabase,
    private readonly group: SqliteGroupCommit,
  ) {
    this.selectStmt = db.prepare<[string], { key: string }>('SELECT key FROM effects WHERE key = ?');
    this.insertStmt = db.prepare('INSERT OR IGNORE INTO effects (key, message_id, done_at) VALUES (?, ?, ?)');
  }
  async isDone(key: string): Promise<boolean> {
    return this.selectStmt.get(key) !== undefined;
  }
  async markDone(key: string, messageId: string): Promise<void> {
    const now = new Date().toISOString();
    await this.group.write(() => this.insertStmt.run(key, messageId, now));
  }
}

export class SqliteIdempotencyKeyStore implements IdempotencyKeyStore {
  private readonly stmts;
  constructor(
    db: SqliteDatabase,
    private readonly group: SqliteGroupCommit,
  ) {
    this.stmts = {
      claim: db.prepare(`INSERT OR IGNORE INTO idempotency_keys (client, key, message_id, correlation_id, payload_digest, state, claimed_at_ms)
        VALUES (?, ?, ?, ?, ?, 'pending', ?)`),
      get: db.prepare<[string, string], IdempotencyRow>('SELECT * FROM idempotency_keys WHERE client = ? AND key = ?'),
      accepted: db.prepare(`UPDATE idempotency_keys SET state = 'accepted' WHERE client = ? AND key = ?`),
      release: db.prepare('DELETE FROM idempotency_keys WHERE client = ? AND key = ? AND message_id = ? AND claimed_at_ms = ?'),
      takeOver: db.prepare(`UPDATE idempotency_keys SET claimed_at_ms = ?, renewed_at_ms = NULL
        WHERE client = ? AND key = ? AND message_id = ? AND state = 'pending' AND COALESCE(renewed_at_ms, claimed_at_ms) < ?`),
      renew: db.prepare(`UPDATE idempotency_keys SET renewed_at_ms = ?
        WHERE client = ? AND key = ? AND message_id = ? AND claimed_at_ms = ? AND state = 'pending'`),
    };
  }
  async claim(client: string, key: string, record: Omit<IdempotencyRecord, 'state'>): Promise<IdempotencyRecord | null> {
    return this.group.write(() => {
      const inserted = this.stmts.claim.run(client, key, record.messageId, record.correlationId, record.payloadDigest, record.claimedAtMs);
      if (inserted.changes > 0) return null;
      const row = this.stmts.get.get(client, key);
      return row ? idempotencyRecordFromRow(row) : null;
    });
  }
  async accepted(client: string, key: string): Promise<void> {
    await this.group.write(() => this.stmts.accepted.run(client, key));
  }
  async release(client: string, key: string, messageId: string, claimedAtMs: number): Promise<void> {
    await this.group.write(() => this.stmts.release.run(client, key, messageId, claimedAtMs));
  }
  async takeOver(client: string, key: string, messageId: string, olderThanMs: number, nowMs: number): Promise<boolean> {
    return this.group.write(() => this.stmts.takeOver.run(nowMs, client, key, messageId, nowMs - olderThanMs).changes > 0);
  }
  async renew(client: string, key: string, messageId: string, claimedAtMs: number, nowMs: number): Promise<void> {
    await this.group.write(() => this.stmts.renew.run(nowMs, client, key, messageId, claimedAtMs));
  }
}

export class SqliteStoreRetention implements StoreRetention {
  private readonly stmts;
  constructor(db: SqliteDatabase) {
    this.stmts = {
      // done_at is ISO 8601 in UTC: its text order is its time order.
      effects: db.prepare('DELETE FROM effects WHERE key IN (SELECT key FROM effects WHERE done_at < ? ORDER BY done_at LIMIT ?)'),
      keys: db.prepare(`DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys
        WHERE claimed_at_ms < ? AND COALESCE(renewed_at_ms, claimed_at_ms) < ? ORDER BY claimed_at_ms LIMIT ?)`),
    };
  }
  async pruneEffects(before: Date, limit: number): Promise<number> {
    return this.stmts.effects.run(before.toISOString(), limit).changes;
  }
  async pruneIdempotencyKeys(beforeMs: number, limit: number): Promise<number> {
    return this.stmts.keys.run(beforeMs, beforeMs, limit).changes;
  }
}

export class SqliteRevokedSessionStore implements RevokedSessionStore {
  private readonly stmts;
  constructor(
    db: SqliteDatabase,
    private readonly group: SqliteGroupCommit,
  ) {
    this.stmts = {
      revoke: db.prepare('INSERT OR REPLACE INTO revoked_sessions (jti, expires_at_ms) VALUES (?, ?)'),
      prune: db.prepare('DELETE FROM revoked_sessions WHERE expires_at_ms < ?'),
      get: db.prepare<[string], { jti: string }>('SELECT jti FROM revoked_sessions WHERE jti = ?'),
    };
  }
  async revoke(jti: string, expiresAtMs: number): Promise<void> {
    // Sessions past their expiry are refused anyway; their revocations need not be kept.
    const now = Date.now();
    await this.group.write(() => {
      this.stmts.prune.run(now);
      this.stmts.revoke.run(jti, expiresAtMs);
    });
  }
  async isRevoked(jti: string): Promise<boolean> {
    return this.stmts.get.get(jti) !== undefined;
  }
}

export class SqliteAuditOutboxStore implements AuditOutboxStore {
  private readonly sql = outboxSql(() => '?');
  constructor(
    private readonly db: SqliteDatabase,
    private readonly group: SqliteGroupCommit,
  ) {}
  async keep(entries: OutboxEntry[]): Promise<void> {
    const insert = this.db.prepare(this.sql.insert);
    await this.group.write(() => {
      for (const e of entries) insert.run(e.id, e.owner.host, e.owner.pid, e.owner.token, e.keptAt, e.position, e.event);
    });
  }
  async remove(ids: string[]): Promise<void> {
    const remove = this.db.prepare(this.sql.remove);
    await this.group.write(() => {
      for (const id of ids) remove.run(id);
    });
  }
  async owners(): Promise<OutboxOwner[]> {
    return (this.db.prepare(this.sql.owners).all() as OutboxRow[]).map(outboxOwnerFromRow);
  }
  async takeOver(from: OutboxOwner, to: OutboxOwner): Promise<OutboxEntry[]> {
    return this.group.write(() => {
      this.db.prepare(this.sql.takeOver).run(to.host, to.pid, to.token, from.host, from.pid, from.token);
      return (this.db.prepare(this.sql.ofOwner).all(to.host, to.pid, to.token) as OutboxRow[]).map(outboxEntryFromRow);
    });
  }
}

export class SqliteProcedureCatalogueStore implements ProcedureCatalogueStore {
  private readonly stmts;
  private readonly write;
  constructor(
    db: SqliteDatabase,
    private readonly group: SqliteGroupCommit,
  ) {
    this.stmts = {
      procedures: db.prepare<[], ProcedureRow>('SELECT code, name, field_code, field, agency, level, linked, listing_digest, entry FROM procedures ORDER BY code'),
      refresh: db.prepare<[], ProcedureRefreshRow>('SELECT refreshed_at, added, withdrawn, changed FROM procedure_refresh WHERE id = 1'),
      upsert: db.prepare(`INSERT INTO procedures (code, name, field_code, field, agency, level, linked, listing_digest, entry, updated_at)
        VALUES (@code, @name, @fieldCode, @field, @agency, @level, @linked, @listingDigest, @entry, @now)
        ON CONFLICT (code) DO UPDATE SET name = excluded.name, field_code = excluded.field_code, field = excluded.field, agency = excluded.agency,
          level = excluded.level, linked = excluded.linked, listing_digest = excluded.listing_digest, entry = excluded.entry, updated_at = excluded.updated_at`),
      remove: db.prepare('DELETE FROM procedures WHERE code = ?'),
      recordRefresh: db.prepare(`INSERT INTO procedure_refresh (id, refreshed_at, added, withdrawn, changed) VALUES (1, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET refreshed_at = excluded.refreshed_at, added = excluded.added, withdrawn = excluded.withdrawn, changed = excluded.changed`),
    };
    this.write = db.transaction((upserted: StoredProcedure[], withdrawn: string[], refresh: CatalogueRefreshRecord) => {
      const now = new Date().toISOString();
      for (const p of upserted) this.stmts.upsert.run({ ...p, linked: p.linked ? 1 : 0, now });
      for (const code of withdrawn) this.stmts.remove.run(code);
      this.stmts.recordRefresh.run(refresh.refreshedAt, JSON.stringify(refresh.added), JSON.stringify(refresh.withdrawn), JSON.stringify(refresh.changed));
    });
  }
  async load(): Promise<{ procedures: StoredProcedure[]; refresh: CatalogueRefreshRecord } | null> {
    const refresh = this.stmts.refresh.get();
    if (!refresh) return null;
    return { procedures: this.stmts.procedures.all().map(procedureFromRow), refresh: refreshFromRow(refresh) };
  }
  async save(changes: { upserted: StoredProcedure[]; withdrawn: string[]; refresh: CatalogueRefreshRecord }): Promise<void> {
    await this.group.write(() => this.write(changes.upserted, changes.withdrawn, changes.refresh));
  }
}

export class SqliteStores implements Stores {
  readonly kind = 'sqlite' as const;
  readonly effects: SqliteEffectLog;
  readonly messages: SqliteMessageStatusStore;
  readonly sequences: SqliteSubjectSequenceStore;
  readonly idempotency: SqliteIdempotencyKeyStore;
  readonly revokedSessions: SqliteRevokedSessionStore;
  readonly auditOutbox: SqliteAuditOutboxStore;
  readonly retention: SqliteStoreRetention;
  readonly procedures: SqliteProcedureCatalogueStore;
  /** Every write of the stores goes through it: one commit per event-loop turn. */
  private readonly group: SqliteGroupCommit;
  constructor(readonly db: SqliteDatabase, private readonly ownsDb = true) {
    migrateSqliteStores(db);
    this.group = new SqliteGroupCommit(db);
    this.effects = new SqliteEffectLog(db, this.group);
    this.messages = new SqliteMessageStatusStore(db, this.group);
    this.sequences = new SqliteSubjectSequenceStore(db, this.group);
    this.idempotency = new SqliteIdempotencyKeyStore(db, this.group);
    this.revokedSessions = new SqliteRevokedSessionStore(db, this.group);
    this.auditOutbox = new SqliteAuditOutboxStore(db, this.group);
    this.retention = new SqliteStoreRetention(db);
    this.procedures = new SqliteProcedureCatalogueStore(db, this.group);
  }
  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }
  async close(): Promise<void> {
    await this.group.drained();
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
