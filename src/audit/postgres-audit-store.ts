// PostgreSQL audit store: shared by several bus processes, each writing its own chain, so no lock across writers is needed.
import { Pool, type PoolClient } from 'pg';
import { assertTablePrefix, type AuditStore, type SealCondition, type SealSigner } from './audit-store';
import {
  anchorFromRow,
  auditTables,
  checkpointFromRow,
  encodeCursor,
  headOf,
  leaseFromRow,
  leaseSql,
  RECORD_COLUMNS,
  recordFromRow,
  recordParams,
  sealFromRow,
  sealParams,
  searchQuery,
  activitySql,
  activityFromRow,
  type ActivityRow,
  type AnchorRow,
  type CheckpointRow,
  type LeaseRow,
  type RecordRow,
  type SealRow,
} from './audit-sql';
import { auditSchemaOwner, postgresAuditMigrations } from './audit-migrations';
import type { ChainHead } from './chain';
import { AuditError } from './errors';
import { SchemaNewerThanCodeError } from '../stores/migrations';
import { forgetPostgresMigrations, migratePostgres } from '../stores/postgres/postgres-migrator';
import { inPgTransaction } from '../stores/postgres/pg-transaction';
import type { AuditActivityResult, AuditFilter, AuditPage, AuditPageResult, AuditRecord, ChainLeaseRow, ChainOwner, ExportAnchor, SignedCheckpoint, SignedSeal } from './types';

/** The database clock in ms: one clock for every host's leases, whatever their own clocks say. */
const PG_NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';
const RECORD_COLUMN_NAMES = RECORD_COLUMNS.split(', ');

/**
 * A batch of records as json_populate_recordset reads it: an array of one object per record, keyed by column. The
 * records' text is well-formed (AuditLog makes it so before hashing), so the JSON is valid for PostgreSQL.
 */
function recordsJson(records: AuditRecord[]): string {
  return JSON.stringify(
    records.map((record) => {
      const row: Record<string, string | number | null> = {};
      recordParams(record).forEach((value, j) => (row[RECORD_COLUMN_NAMES[j]!] = value));
      return row;
    }),
  );
}

export interface PostgresAuditStoreOptions {
  databaseUrl: string;
  tablePrefix?: string;
  /** Pool size (default 4). */
  max?: number;
  /** Connection timeout (default 3000 ms): how fast an unreachable database is reported. */
  connectionTimeoutMs?: number;
}

export class PostgresAuditStore implements AuditStore {
  readonly kind = 'postgres' as const;
  private migrated = false;
  private readonly lease: ReturnType<typeof leaseSql>;
  /** Appends a batch of records if the chain's lease is still open ($1 the chain, $2 the records as recordsJson). */
  private readonly appendRecords: string;

  private constructor(
    private readonly pool: Pool,
    private readonly p: string,
  ) {
    this.lease = leaseSql(p, (i) => `$${i}`, PG_NOW_MS);
    this.appendRecords = `WITH lease AS (${this.lease.renew} RETURNING 1)
       INSERT INTO ${p}records (${RECORD_COLUMNS}) SELECT ${RECORD_COLUMNS} FROM json_populate_recordset(null::${p}records, $2::json)
       WHERE EXISTS (SELECT 1 FROM lease) RETURNING 1`;
    // An idle client losing its connection must not crash the process; the next query reports the outage.
    this.pool.on('error', () => undefined);
  }

  /** Opens the pool; creates the tables now if the database answers, else on the first successful use. */
  static async open(options: PostgresAuditStoreOptions): Promise<PostgresAuditStore> {
    const pool = new Pool({ connectionString: options.databaseUrl, max: options.max ?? 4, connectionTimeoutMillis: options.connectionTimeoutMs ?? 3000 });
    const store = new PostgresAuditStore(pool, assertTablePrefix(options.tablePrefix ?? 'audit_'));
    await store.migrate().catch(async (error: unknown) => {
      // An unreachable database is retried on first use; a schema newer than this release never becomes usable.
      if (!(error instanceof SchemaNewerThanCodeError)) return;
      await pool.end().catch(() => undefined);
      throw error;
    });
    return store;
  }

  private async migrate(): Promise<void> {
    if (this.migrated) return;
    const client = await this.pool.connect();
    try {
      await migratePostgres(client, auditSchemaOwner(this.p), postgresAuditMigrations(this.p));
      this.migrated = true;
    } finally {
      client.release();
    }
  }

  private async query<R>(sql: string, params: unknown[] = []): Promise<R[]> {
    await this.migrate();
    const result = await this.pool.query(sql, params);
    return result.rows as R[];
  }

  private async inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    await this.migrate();
    return inPgTransaction(this.pool, work);
  }

  async chainIds(): Promise<string[]> {
    const rows = await this.query<{ chain_id: string }>(`SELECT chain_id FROM ${this.p}records UNION SELECT chain_id FROM ${this.p}checkpoints ORDER BY chain_id`);
    return rows.map((r) => r.chain_id);
  }

  async records(chainId: string, afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM ${this.p}records WHERE chain_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [chainId, afterSeq, limit]);
    return rows.map(recordFromRow);
  }

  async checkpoints(chainId: string): Promise<SignedCheckpoint[]> {
    const rows = await this.query<CheckpointRow>(`SELECT * FROM ${this.p}checkpoints WHERE chain_id = $1 ORDER BY seq`, [chainId]);
    return rows.map(checkpointFromRow);
  }

  async head(chainId: string): Promise<ChainHead | null> {
    await this.migrate();
    return this.headWith(this.pool, chainId);
  }

  private async headWith(db: Pool | PoolClient, chainId: string): Promise<ChainHead | null> {
    const [record] = (await db.query<{ seq: string; hash: string }>(this.lease.lastRecord, [chainId])).rows;
    const [checkpoint] = (await db.query<{ seq: string; head_hash: string }>(this.lease.lastCheckpoint, [chainId])).rows;
    return headOf(record, checkpoint);
  }

  async appendBatch(records: AuditRecord[]): Promise<void> {
    const chainId = records[0]?.chainId;
    if (chainId === undefined) return;
    // The batch as one JSON parameter, so one prepared statement for a batch of any size (a VALUES list would be a new
    // text, parsed and planned again, for each size). PostgreSQL reads a JSON array of records in ~2/3 of the CPU it
    // spends on one text array per column, and JSON.stringify writes it for less than node-postgres's array escaping.
    const batch = recordsJson(records);
    await this.migrate();
    // One statement, so one implicit transaction: the lease row's renewal locks it, and a seal (which updates the same
    // row) either committed before, and then nothing is inserted, or waits for this insert to commit.
    const inserted = (await this.pool.query({ name: `${this.p}append_records`, text: this.appendRecords, values: [chainId, batch] })).rows;
    if (inserted.length === 0) {
      const [row] = await this.query<{ state: string }>(this.lease.state, [chainId]);
      throw new AuditError(`audit chain ${chainId} is ${row?.state ?? 'not claimed'}: it takes no more records`, 'AUDIT_CHAIN_ENDED');
    }
  }

  async seal(chainId: string): Promise<SignedSeal | null> {
    const [row] = await this.query<SealRow>(this.lease.seal, [chainId]);
    return row ? sealFromRow(row) : null;
  }

  async claimChain(chainId: string, owner: ChainOwner, leaseMs: number): Promise<'open' | 'sealed'> {
    const rows = await this.query(this.lease.claim, [chainId, owner.host, owner.pid, owner.token, leaseMs]);
    return rows.length > 0 ? 'open' : 'sealed';
  }

  async renewChain(chainId: string): Promise<boolean> {
    await this.migrate();
    return ((await this.pool.query(this.lease.renew, [chainId])).rowCount ?? 0) > 0;
  }

  async releaseChain(chainId: string): Promise<void> {
    await this.query(this.lease.release, [chainId]);
  }

  async openLeases(): Promise<ChainLeaseRow[]> {
    return (await this.query<LeaseRow>(this.lease.open)).map(leaseFromRow);
  }

  async unleasedChains(): Promise<string[]> {
    return (await this.query<{ chain_id: string }>(this.lease.unleased)).map((r) => r.chain_id);
  }

  async sealChain(chainId: string, condition: SealCondition, sign: SealSigner): Promise<SignedSeal | null> {
    return this.inTransaction(async (client) => {
      const ended =
        condition.kind === 'lease-expired'
          ? await client.query<{ renewed_at_ms: string }>(this.lease.sealExpired, [chainId])
          : condition.kind === 'owner-gone'
            ? await client.query<{ renewed_at_ms: string }>(this.lease.sealOwnerGone, [chainId, condition.owner.host, condition.owner.pid, condition.owner.token])
            : await client.query<{ renewed_at_ms: string }>(this.lease.sealUnleased, [chainId]);
      const [row] = ended.rows;
      if (!row) return null;
      // The lease row is locked until commit: the owner's appends wait, and this head is the chain's last.
      const head = await this.headWith(client, chainId);
      if (!head) return null;
      const seal = sign(head, condition.kind === 'no-lease' ? null : Number(row.renewed_at_ms));
      await client.query(this.lease.insertSeal, sealParams(seal));
      return seal;
    });
  }

  async saveCheckpoint(c: SignedCheckpoint): Promise<void> {
    await this.query(
      `INSERT INTO ${this.p}checkpoints (chain_id, seq, head_hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [c.chainId, c.seq, c.headHash, c.at, c.keyId, c.signature],
    );
  }

  async search(filter: AuditFilter, page: AuditPage): Promise<AuditPageResult> {
    const q = searchQuery(this.p, filter, page, (i) => `$${i}`);
    const rows = (await this.query<RecordRow>(q.sql, q.params)).map(recordFromRow);
    const records = rows.slice(0, q.limit);
    return { records, next: rows.length > q.limit ? encodeCursor(records[records.length - 1] as AuditRecord) : null };
  }

  async activity(since: string, until: string, limit: number): Promise<AuditActivityResult> {
    const rows = await this.query<ActivityRow>(activitySql(this.p, (i) => `$${i}`, limit), [since, until]);
    return { records: rows.slice(0, limit).map(activityFromRow), truncated: rows.length > limit };
  }

  async timeline(id: string): Promise<AuditRecord[]> {
    const rows = await this.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM ${this.p}records WHERE message_id = $1 OR correlation_id = $1 ORDER BY at, chain_id, seq`, [id]);
    return rows.map(recordFromRow);
  }

  async lastSeqBefore(chainId: string, before: string): Promise<number | null> {
    const [row] = await this.query<{ seq: string | null }>(`SELECT MAX(seq) AS seq FROM ${this.p}records WHERE chain_id = $1 AND at < $2`, [chainId, before]);
    return row?.seq == null ? null : Number(row.seq);
  }

  async prune(a: ExportAnchor): Promise<number> {
    return this.inTransaction(async (client) => {
      const deleted = await client.query(`DELETE FROM ${this.p}records WHERE chain_id = $1 AND seq <= $2`, [a.chainId, a.throughSeq]);
      await client.query(`DELETE FROM ${this.p}checkpoints WHERE chain_id = $1 AND seq < $2`, [a.chainId, a.throughSeq]);
      await client.query(
        `INSERT INTO ${this.p}anchors (chain_id, through_seq, head_hash, bundle_name, bundle_digest, exported_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [a.chainId, a.throughSeq, a.headHash, a.bundleName, a.bundleDigest, a.exportedAt],
      );
      return deleted.rowCount ?? 0;
    });
  }

  async anchors(chainId: string): Promise<ExportAnchor[]> {
    const rows = await this.query<AnchorRow>(`SELECT * FROM ${this.p}anchors WHERE chain_id = $1 ORDER BY through_seq`, [chainId]);
    return rows.map(anchorFromRow);
  }

  async ping(): Promise<void> {
    await this.inTransaction(async (client) => {
      await client.query(`SELECT 1 FROM ${this.p}records LIMIT 0 FOR UPDATE`);
    });
  }

  /** Drops this prefix's tables (tests and tear-down only). */
  async dropTables(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS ${auditTables(this.p).join(', ')}`);
    await forgetPostgresMigrations(this.pool, auditSchemaOwner(this.p));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
