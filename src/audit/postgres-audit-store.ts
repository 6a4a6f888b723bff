// PostgreSQL audit store: shared by several bus processes, each writing its own chain, so no lock across writers is needed.
import { Pool, type PoolClient } from 'pg';
import { assertTablePrefix, type AuditStore } from './audit-store';
import { anchorFromRow, auditSchema, checkpointFromRow, encodeCursor, RECORD_COLUMNS, recordFromRow, recordParams, searchQuery, type AnchorRow, type CheckpointRow, type RecordRow } from './audit-sql';
import type { ChainHead } from './chain';
import type { AuditFilter, AuditPage, AuditPageResult, AuditRecord, ExportAnchor, SignedCheckpoint } from './types';

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

  private constructor(
    private readonly pool: Pool,
    private readonly p: string,
  ) {
    // An idle client losing its connection must not crash the process; the next query reports the outage.
    this.pool.on('error', () => undefined);
  }

  /** Opens the pool; creates the tables now if the database answers, else on the first successful use. */
  static async open(options: PostgresAuditStoreOptions): Promise<PostgresAuditStore> {
    const pool = new Pool({ connectionString: options.databaseUrl, max: options.max ?? 4, connectionTimeoutMillis: options.connectionTimeoutMs ?? 3000 });
    const store = new PostgresAuditStore(pool, assertTablePrefix(options.tablePrefix ?? 'audit_'));
    await store.migrate().catch(() => undefined);
    return store;
  }

  private async migrate(): Promise<void> {
    if (this.migrated) return;
    const client = await this.pool.connect();
    try {
      // Several processes may start at once: serialise the CREATEs.
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${this.p}schema`]);
      await client.query(auditSchema(this.p, 'BIGINT'));
      await client.query('COMMIT');
      this.migrated = true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
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
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
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
    const [record] = await this.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${this.p}records WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1`, [chainId]);
    const [checkpoint] = await this.query<{ seq: string; head_hash: string }>(
      `SELECT seq, head_hash FROM ${this.p}checkpoints WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1`,
      [chainId],
    );
    if (record && (!checkpoint || Number(record.seq) >= Number(checkpoint.seq))) return { seq: Number(record.seq), hash: record.hash };
    if (checkpoint) return { seq: Number(checkpoint.seq), hash: checkpoint.head_hash };
    return null;
  }

  async appendBatch(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const width = 22;
    const values: string[] = [];
    const params: unknown[] = [];
    records.forEach((record, i) => {
      values.push(`(${Array.from({ length: width }, (_, j) => `$${i * width + j + 1}`).join(', ')})`);
      params.push(...recordParams(record));
    });
    // One multi-row INSERT is one implicit transaction: all or nothing.
    await this.query(`INSERT INTO ${this.p}records (${RECORD_COLUMNS}) VALUES ${values.join(', ')}`, params);
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
    await this.pool.query(`DROP TABLE IF EXISTS ${this.p}records, ${this.p}checkpoints, ${this.p}anchors`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
