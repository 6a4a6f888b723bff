// PostgreSQL implementation of the bus's stores, shared by several bus processes.
import { Pool, type PoolClient } from 'pg';
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
import { stateFromParts, UNSETTLED_STATES_SQL } from '../../core/message-state';
import type { MessageStatus, MessageStatusStore, MessageStatusUpdate, PartsSettlement, SubjectFilter, SubjectSequenceStore, WaitingMessage } from '../message-status';
import { failingSinceSql, holdsSettlement, lastFailureSql, messageStatusFromRow, reopensSql, statusMovesSql, waitingMessageFromRow, type MessageStatusRow } from '../message-status-row';
import { PgGroupCommit, type BatchParam } from './pg-group-commit';
import { idempotencyRecordFromRow, type IdempotencyRow } from '../idempotency-row';
import { openMigratedPool } from './postgres-migrator';
import { inPgTransaction } from './pg-transaction';
import { POSTGRES_STORE_MIGRATIONS, POSTGRES_STORES_OWNER } from './postgres-store-migrations';

const UPDATE_STATUS_SQL = `UPDATE bus_message_status SET state = $2, ${lastFailureSql('$2::text', '$3::text', '$4::text')}, attempts = GREATEST(attempts, $5), updated_at = $6,
    failing_since = ${failingSinceSql('$2::text', '$3::text', '$6::text')}
  WHERE message_id = $1 AND ${statusMovesSql('$2')}`;

function updateParams(messageId: string, update: MessageStatusUpdate): BatchParam[] {
  return [messageId, update.state, update.code ?? null, update.reason ?? null, update.attempts ?? 0, new Date().toISOString()];
}

export class PostgresMessageStatusStore implements MessageStatusStore {
  constructor(
    private readonly db: PgGroupCommit,
    /** Settling a parent from its parts is a transaction of its own (a row lock held while the parts are read). */
    private readonly pool: Pool,
  ) {}
  async accepted(status: Parameters<MessageStatusStore['accepted']>[0]): Promise<void> {
    await this.db.query(
      `INSERT INTO bus_message_status
         (message_id, correlation_id, causation_id, type, source, subject, destination, route, state, attempts, accepted_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'accepted', 0, $9, $9) ON CONFLICT (message_id) DO NOTHING`,
      [status.messageId, status.correlationId, status.causationId, status.type, status.source, status.subject, status.destination, status.route, status.acceptedAt],
    );
  }
  async update(messageId: string, update: MessageStatusUpdate): Promise<void> {
    await this.db.query(UPDATE_STATUS_SQL, updateParams(messageId, update));
  }
  async reopen(messageId: string, replayedAt: string): Promise<void> {
    await this.db.query(
      `UPDATE bus_message_status SET state = 'accepted', code = NULL, reason = NULL, failing_since = NULL, updated_at = $2
       WHERE message_id = $1 AND ${reopensSql('$3')}`,
      [messageId, new Date().toISOString(), replayedAt],
    );
  }
  async get(messageId: string): Promise<MessageStatus | null> {
    const result = await this.db.query<MessageStatusRow>('SELECT * FROM bus_message_status WHERE message_id = $1', [messageId]);
    return result.rows[0] ? messageStatusFromRow(result.rows[0]) : null;
  }
  async children(messageId: string): Promise<MessageStatus[]> {
    const result = await this.db.query<MessageStatusRow>(
      'SELECT * FROM bus_message_status WHERE causation_id = $1 ORDER BY accepted_at, message_id',
      [messageId],
    );
    return result.rows.map(messageStatusFromRow);
  }
  async bySubject(subject: string, filter: SubjectFilter): Promise<MessageStatus[]> {
    const result = await this.db.query<MessageStatusRow>(
      `SELECT * FROM bus_message_status WHERE subject = $1 AND ($2::text IS NULL OR source = $2) AND route IN (SELECT jsonb_array_elements_text($3::jsonb))
       ORDER BY accepted_at, message_id LIMIT $4`,
      [subject, filter.source ?? null, JSON.stringify(filter.routes), filter.limit],
    );
    return result.rows.map(messageStatusFromRow);
  }
  async waiting(filter: { route?: string; limit: number }): Promise<WaitingMessage[]> {
    const result = await this.db.query<MessageStatusRow>(
      `SELECT * FROM bus_message_status WHERE state = 'in-progress' AND failing_since IS NOT NULL AND ($1::text IS NULL OR route = $1)
       ORDER BY failing_since, message_id LIMIT $2`,
      [filter.route ?? null, filter.limit],
    );
    return result.rows.map(waitingMessageFromRow);
  }
  async fannedOut(messageId: string): Promise<void> {
    await this.db.query('UPDATE bus_message_status SET fanned_out_at = COALESCE(fanned_out_at, $2) WHERE message_id = $1', [messageId, new Date().toISOString()]);
  }
  async settleFromParts(messageId: string): Promise<PartsSettlement | null> {
    // Most messages with a cause are not parts of a fan-out (status packets, …), and most parts do not end last: no
    // transaction for them. A look at the parent and its parts together, unlocked, tells both. A parent that fans out
    // after this look settles itself then, and reads this part's state, already committed, under its lock. Of parts
    // ending at once, each looks after its own state committed, so the last look sees them all ended and settles.
    const family = (await this.db.query<MessageStatusRow>('SELECT * FROM bus_message_status WHERE message_id = $1 OR causation_id = $1', [messageId])).rows;
    if (!family.find((row) => row.message_id === messageId)?.fanned_out_at) return null;
    if (!stateFromParts(family.filter((row) => row.causation_id === messageId).map(messageStatusFromRow))) return null;
    return inPgTransaction(this.pool, async (client) => {
      const parent = (await client.query<MessageStatusRow>('SELECT * FROM bus_message_status WHERE message_id = $1 FOR UPDATE', [messageId])).rows[0];
      if (!parent) return null;
      const parts = await client.query<MessageStatusRow>('SELECT * FROM bus_message_status WHERE causation_id = $1', [messageId]);
      const settled = stateFromParts(parts.rows.map(messageStatusFromRow));
      if (!settled || holdsSettlement(parent, settled)) return null;
      await client.query(UPDATE_STATUS_SQL, updateParams(messageId, { ...settled, attempts: 0 }));
      return settled;
    });
  }
  async oldestUnsettled(): Promise<Record<string, string>> {
    const result = await this.db.query<{ route: string; oldest: string }>(
      `SELECT route, min(accepted_at) AS oldest FROM bus_message_status WHERE state IN (${UNSETTLED_STATES_SQL}) GROUP BY route`,
    );
    return Object.fromEntries(result.rows.map((row) => [row.route, row.oldest]));
  }
}

class PostgresSubjectSequenceStore implements SubjectSequenceStore {
  constructor(private readonly db: PgGroupCommit) {}
  async next(subject: string): Promise<number> {
    const result = await this.db.query<{ sequence: string }>(
      `WITH issued AS (
         INSERT INTO bus_subject_sequences (subject, last_issued) VALUES ($1, 1)
         ON CONFLICT (subject) DO UPDATE SET last_issued = bus_subject_sequences.last_issued + 1 RETURNING last_issued)
       INSERT INTO bus_subject_pending (subject, sequence) SELECT $1, last_issued FROM issued RETURNING sequence`,
      [subject],
    );
    return Number(result.rows[0]!.sequence);
  }
  async confirm(subject: string, sequence: number): Promise<boolean> {
    const result = await this.db.query<{ confirmed: boolean }>(
      `WITH released AS (DELETE FROM bus_subject_pending WHERE subject = $1 AND sequence = $2 RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM released) OR NOT EXISTS (SELECT 1 FROM bus_subject_voided WHERE subject = $1 AND sequence = $2) AS confirmed`,
      [subject, sequence],
    );
    return result.rows[0]?.confirmed === true;
  }
  async isSettled(subject: string, sequence: number): Promise<boolean> {
    if (sequence <= 0) return true;
    const result = await this.db.query('SELECT 1 FROM bus_subject_settled WHERE subject = $1 AND sequence = $2', [subject, sequence]);
    return (result.rowCount ?? 0) > 0;
  }
  async settle(subject: string, sequence: number): Promise<void> {
    await this.db.query(
      `WITH released AS (DELETE FROM bus_subject_pending WHERE subject = $1 AND sequence = $2)
       INSERT INTO bus_subject_settled (subject, sequence) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [subject, sequence],
    );
  }
  async voidAbandoned(subject: string, sequence: number, olderThanMs: number): Promise<boolean> {
    // The DELETE decides between this and a late confirm(): whichever removes the pending row wins.
    const result = await this.db.query(
      `WITH abandoned AS (
         DELETE FROM bus_subject_pending WHERE subject = $1 AND sequence = $2 AND issued_at < now() - make_interval(secs => $3)
         RETURNING subject, sequence),
       voided AS (INSERT INTO bus_subject_voided (subject, sequence) SELECT subject, sequence FROM abandoned ON CONFLICT DO NOTHING)
       INSERT INTO bus_subject_settled (subject, sequence) SELECT subject, sequence FROM abandoned ON CONFLICT DO NOTHING RETURNING 1`,
      [subject, sequence, olderThanMs / 1000],
    );
    return (result.rowCount ?? 0) > 0;
  }
  async isVoided(subject: string, sequence: number): Promise<boolean> {
    const result = await this.db.query('SELECT 1 FROM bus_subject_voided WHERE subject = $1 AND sequence = $2', [subject, sequence]);
    return (result.rowCount ?? 0) > 0;
  }
}

class PostgresEffectLog implements EffectLog {
  constructor(private readonly db: PgGroupCommit) {}
  async isDone(key: string): Promise<boolean> {
    const result = await this.db.query('SELECT 1 FROM bus_effects WHERE key = $1', [key]);
    return (result.rowCount ?? 0) > 0;
  }
  async markDone(key: string, messageId: string): Promise<void> {
    // Grouped like the other writes: a process killed between an upstream's answer and this commit leaves the
    // delivery in doubt, and the route runner asks the upstream before it acts again.
    await this.db.query('INSERT INTO bus_effects (key, message_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, messageId]);
  }
}

class PostgresIdempotencyKeyStore implements IdempotencyKeyStore {
  constructor(private readonly db: PgGroupCommit) {}
  async claim(client: string, key: string, record: Omit<IdempotencyRecord, 'state'>): Promise<IdempotencyRecord | null> {
    const inserted = await this.db.query(
      `INSERT INTO bus_idempotency_keys (client, key, message_id, correlation_id, payload_digest, state, claimed_at_ms)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6) ON CONFLICT (client, key) DO NOTHING`,
      [client, key, record.messageId, record.correlationId, record.payloadDigest, record.claimedAtMs],
    );
    if ((inserted.rowCount ?? 0) > 0) return null;
    const existing = await this.db.query<IdempotencyRow>('SELECT * FROM bus_idempotency_keys WHERE client = $1 AND key = $2', [client, key]);
    const row = existing.rows[0];
    // Released between the two statements: claim again.
    return row ? idempotencyRecordFromRow(row) : this.claim(client, key, record);
  }
  async accepted(client: string, key: string): Promise<void> {
    await this.db.query(`UPDATE bus_idempotency_keys SET state = 'accepted' WHERE client = $1 AND key = $2`, [client, key]);
  }
  async release(client: string, key: string, messageId: string, claimedAtMs: number): Promise<void> {
    await this.db.query('DELETE FROM bus_idempotency_keys WHERE client = $1 AND key = $2 AND message_id = $3 AND claimed_at_ms = $4', [client, key, messageId, claimedAtMs]);
  }
  async takeOver(client: string, key: string, messageId: string, olderThanMs: number, nowMs: number): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE bus_idempotency_keys SET claimed_at_ms = $5, renewed_at_ms = NULL
       WHERE client = $1 AND key = $2 AND message_id = $3 AND state = 'pending' AND COALESCE(renewed_at_ms, claimed_at_ms) < $4`,
      [client, key, messageId, nowMs - olderThanMs, nowMs],
    );
    return (result.rowCount ?? 0) > 0;
  }
  async renew(client: string, key: string, messageId: string, claimedAtMs: number, nowMs: number): Promise<void> {
    await this.db.query(
      `UPDATE bus_idempotency_keys SET renewed_at_ms = $5 WHERE client = $1 AND key = $2 AND message_id = $3 AND claimed_at_ms = $4 AND state = 'pending'`,
      [client, key, messageId, claimedAtMs, nowMs],
    );
  }
}

/**
 * Retention deletes on the pool, not through group commit: its batches are no part of a message's hops. SKIP LOCKED
 * lets two bus processes prune at once without waiting on each other's rows.
 */
class PostgresStoreRetention implements StoreRetention {
  constructor(private readonly pool: Pool) {}
  async pruneEffects(before: Date, limit: number): Promise<number> {
    const result = await this.pool.query(
      'DELETE FROM bus_effects WHERE key IN (SELECT key FROM bus_effects WHERE done_at < $1 ORDER BY done_at LIMIT $2 FOR UPDATE SKIP LOCKED)',
      [before, limit],
    );
    return result.rowCount ?? 0;
  }
  async pruneIdempotencyKeys(beforeMs: number, limit: number): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM bus_idempotency_keys WHERE (client, key) IN (SELECT client, key FROM bus_idempotency_keys
         WHERE claimed_at_ms < $1 AND COALESCE(renewed_at_ms, claimed_at_ms) < $1 ORDER BY claimed_at_ms LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [beforeMs, limit],
    );
    return result.rowCount ?? 0;
  }
}

class PostgresRevokedSessionStore implements RevokedSessionStore {
  constructor(private readonly pool: Pool) {}
  async revoke(jti: string, expiresAtMs: number): Promise<void> {
    // Sessions past their expiry are refused anyway; their revocations need not be kept.
    await this.pool.query('DELETE FROM bus_revoked_sessions WHERE expires_at_ms < $1', [Date.now()]);
    await this.pool.query(
      'INSERT INTO bus_revoked_sessions (jti, expires_at_ms) VALUES ($1, $2) ON CONFLICT (jti) DO UPDATE SET expires_at_ms = EXCLUDED.expires_at_ms',
      [jti, expiresAtMs],
    );
  }
  async isRevoked(jti: string): Promise<boolean> {
    const result = await this.pool.query('SELECT 1 FROM bus_revoked_sessions WHERE jti = $1', [jti]);
    return (result.rowCount ?? 0) > 0;
  }
}

class PostgresAuditOutboxStore implements AuditOutboxStore {
  private readonly sql = outboxSql((i) => `$${i}`, 'bus_audit_outbox');
  constructor(private readonly pool: Pool) {}
  async keep(entries: OutboxEntry[]): Promise<void> {
    await this.inTransaction(async (client) => {
      for (const e of entries) await client.query(this.sql.insert, [e.id, e.owner.host, e.owner.pid, e.owner.token, e.keptAt, e.position, e.event]);
    });
  }
  async remove(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.pool.query('DELETE FROM bus_audit_outbox WHERE id = ANY($1)', [ids]);
  }
  async owners(): Promise<OutboxOwner[]> {
    return (await this.pool.query<OutboxRow>(this.sql.owners)).rows.map(outboxOwnerFromRow);
  }
  async takeOver(from: OutboxOwner, to: OutboxOwner): Promise<OutboxEntry[]> {
    return this.inTransaction(async (client) => {
      await client.query(this.sql.takeOver, [to.host, to.pid, to.token, from.host, from.pid, from.token]);
      return (await client.query<OutboxRow>(this.sql.ofOwner, [to.host, to.pid, to.token])).rows.map(outboxEntryFromRow);
    });
  }
  private inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inPgTransaction(this.pool, work);
  }
}

/** Rows written per statement when a refresh stores many procedures (a first refresh stores the whole catalogue). */
const PROCEDURE_BATCH = 200;

class PostgresProcedureCatalogueStore implements ProcedureCatalogueStore {
  constructor(private readonly pool: Pool) {}
  async load(): Promise<{ procedures: StoredProcedure[]; refresh: CatalogueRefreshRecord } | null> {
    // One snapshot: the procedures and the refresh that wrote them, though another instance may be saving meanwhile.
    return inPgTransaction(this.pool, async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const refresh = await client.query<ProcedureRefreshRow>(
        'SELECT refreshed_at, added::text AS added, withdrawn::text AS withdrawn, changed::text AS changed FROM bus_procedure_refresh WHERE id = 1',
      );
      if (!refresh.rows[0]) return null;
      const procedures = await client.query<ProcedureRow>(
        'SELECT code, name, field_code, field, agency, level, linked, listing_digest, entry::text AS entry FROM bus_procedures ORDER BY code',
      );
      return { procedures: procedures.rows.map(procedureFromRow), refresh: refreshFromRow(refresh.rows[0]) };
    });
  }
  async save(changes: { upserted: StoredProcedure[]; withdrawn: string[]; refresh: CatalogueRefreshRecord }): Promise<void> {
    const now = new Date().toISOString();
    await inPgTransaction(this.pool, async (client) => {
      for (let start = 0; start < changes.upserted.length; start += PROCEDURE_BATCH) {
        const batch = changes.upserted.slice(start, start + PROCEDURE_BATCH);
        // One row per element of the parallel arrays; the entry is json (not jsonb): its text is kept as DVCQG gave it.
        await client.query(
          `INSERT INTO bus_procedures (code, name, field_code, field, agency, level, linked, listing_digest, entry, updated_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::json[],
             array_fill($10::text, ARRAY[cardinality($1::text[])]))
           ON CONFLICT (code) DO UPDATE SET name = excluded.name, field_code = excluded.field_code, field = excluded.field, agency = excluded.agency,
             level = excluded.level, linked = excluded.linked, listing_digest = excluded.listing_digest, entry = excluded.entry, updated_at = excluded.updated_at`,
          [
            batch.map((p) => p.code),
            batch.map((p) => p.name),
            batch.map((p) => p.fieldCode),
            batch.map((p) => p.field),
            batch.map((p) => p.agency),
            batch.map((p) => p.level),
            batch.map((p) => p.linked),
            batch.map((p) => p.listingDigest),
            batch.map((p) => p.entry),
            now,
          ],
        );
      }
      if (changes.withdrawn.length > 0) await client.query('DELETE FROM bus_procedures WHERE code = ANY($1::text[])', [changes.withdrawn]);
      const r = changes.refresh;
      await client.query(
        `INSERT INTO bus_procedure_refresh (id, refreshed_at, added, withdrawn, changed) VALUES (1, $1, $2::jsonb, $3::jsonb, $4::jsonb)
         ON CONFLICT (id) DO UPDATE SET refreshed_at = excluded.refreshed_at, added = excluded.added, withdrawn = excluded.withdrawn, changed = excluded.changed`,
        [r.refreshedAt, JSON.stringify(r.added), JSON.stringify(r.withdrawn), JSON.stringify(r.changed)],
      );
    });
  }
}

export class PostgresStores implements Stores {
  readonly kind = 'postgres' as const;
  readonly effects: EffectLog;
  readonly messages: MessageStatusStore;
  readonly sequences: SubjectSequenceStore;
  readonly idempotency: IdempotencyKeyStore;
  readonly revokedSessions: RevokedSessionStore;
  readonly auditOutbox: AuditOutboxStore;
  readonly retention: StoreRetention;
  readonly procedures: ProcedureCatalogueStore;
  private constructor(
    private readonly pool: Pool,
    /** The statements of every message's hops go through group commit, on connections of its own. */
    private readonly grouped: PgGroupCommit,
  ) {
    this.effects = new PostgresEffectLog(grouped);
    this.messages = new PostgresMessageStatusStore(grouped, pool);
    this.sequences = new PostgresSubjectSequenceStore(grouped);
    this.idempotency = new PostgresIdempotencyKeyStore(grouped);
    this.revokedSessions = new PostgresRevokedSessionStore(pool);
    this.auditOutbox = new PostgresAuditOutboxStore(pool);
    this.retention = new PostgresStoreRetention(pool);
    this.procedures = new PostgresProcedureCatalogueStore(pool);
  }

  static async open(connectionString: string): Promise<PostgresStores> {
    return new PostgresStores(await openMigratedPool(connectionString, 8, POSTGRES_STORES_OWNER, POSTGRES_STORE_MIGRATIONS), new PgGroupCommit(connectionString));
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
  async close(): Promise<void> {
    await Promise.all([this.grouped.close(), this.pool.end()]);
  }
}
