// SQLite audit store (better-sqlite3, WAL, synchronous=FULL): the embedded default, one file, several writers allowed by chain id.
import Database from 'better-sqlite3';
import { assertTablePrefix, type AuditStore } from './audit-store';
import { anchorFromRow, auditSchema, checkpointFromRow, encodeCursor, RECORD_COLUMNS, recordFromRow, recordParams, searchQuery, type AnchorRow, type CheckpointRow, type RecordRow } from './audit-sql';
import type { ChainHead } from './chain';
import { prepareSqliteFile } from '../stores/private-files';
import type { AuditFilter, AuditPage, AuditPageResult, AuditRecord, ExportAnchor, SignedCheckpoint } from './types';

export interface SqliteAuditStoreOptions {
  file: string;
  tablePrefix?: string;
  /** How long a write waits for another connection's lock before failing (default 2000 ms). */
  busyTimeoutMs?: number;
}

export class SqliteAuditStore implements AuditStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly p: string;
  private readonly insertRecord: Database.Statement;
  private readonly insertMany: (records: AuditRecord[]) => void;

  constructor(options: SqliteAuditStoreOptions) {
    this.p = assertTablePrefix(options.tablePrefix ?? 'audit_');
    prepareSqliteFile(options.file);
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 100))}`);
    this.db.exec(auditSchema(this.p, 'INTEGER'));
    this.insertRecord = this.db.prepare(`INSERT INTO ${this.p}records (${RECORD_COLUMNS}) VALUES (${Array(22).fill('?').join(', ')})`);
    this.insertMany = this.db.transaction((records: AuditRecord[]) => {
      for (const record of records) this.insertRecord.run(...recordParams(record));
    });
  }

  async chainIds(): Promise<string[]> {
    const rows = this.db
      .prepare(`SELECT chain_id FROM ${this.p}records UNION SELECT chain_id FROM ${this.p}checkpoints ORDER BY chain_id`)
      .all() as { chain_id: string }[];
    return rows.map((r) => r.chain_id);
  }

  async records(chainId: string, afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = this.db
      .prepare(`SELECT ${RECORD_COLUMNS} FROM ${this.p}records WHERE chain_id = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .all(chainId, afterSeq, limit) as RecordRow[];
    return rows.map(recordFromRow);
  }

  async checkpoints(chainId: string): Promise<SignedCheckpoint[]> {
    const rows = this.db.prepare(`SELECT * FROM ${this.p}checkpoints WHERE chain_id = ? ORDER BY seq`).all(chainId) as CheckpointRow[];
    return rows.map(checkpointFromRow);
  }

  async head(chainId: string): Promise<ChainHead | null> {
    const record = this.db.prepare(`SELECT seq, hash FROM ${this.p}records WHERE chain_id = ? ORDER BY seq DESC LIMIT 1`).get(chainId) as
      | { seq: number; hash: string }
      | undefined;
    const checkpoint = this.db.prepare(`SELECT seq, head_hash FROM ${this.p}checkpoints WHERE chain_id = ? ORDER BY seq DESC LIMIT 1`).get(chainId) as
      | { seq: number; head_hash: string }
      | undefined;
    if (record && (!checkpoint || record.seq >= checkpoint.seq)) return { seq: record.seq, hash: record.hash };
    if (checkpoint) return { seq: checkpoint.seq, hash: checkpoint.head_hash };
    return null;
  }

  async appendBatch(records: AuditRecord[]): Promise<void> {
    this.insertMany(records);
  }

  async saveCheckpoint(c: SignedCheckpoint): Promise<void> {
    this.db
      .prepare(`INSERT INTO ${this.p}checkpoints (chain_id, seq, head_hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
      .run(c.chainId, c.seq, c.headHash, c.at, c.keyId, c.signature);
  }

  async search(filter: AuditFilter, page: AuditPage): Promise<AuditPageResult> {
    const q = searchQuery(this.p, filter, page, () => '?');
    const rows = (this.db.prepare(q.sql).all(...q.params) as RecordRow[]).map(recordFromRow);
    const records = rows.slice(0, q.limit);
    return { records, next: rows.length > q.limit ? encodeCursor(records[records.length - 1] as AuditRecord) : null };
  }

  async timeline(id: string): Promise<AuditRecord[]> {
    const rows = this.db
      .prepare(`SELECT ${RECORD_COLUMNS} FROM ${this.p}records WHERE message_id = ? OR correlation_id = ? ORDER BY at, chain_id, seq`)
      .all(id, id) as RecordRow[];
    return rows.map(recordFromRow);
  }

  async lastSeqBefore(chainId: string, before: string): Promise<number | null> {
    const row = this.db.prepare(`SELECT MAX(seq) AS seq FROM ${this.p}records WHERE chain_id = ? AND at < ?`).get(chainId, before) as { seq: number | null };
    return row.seq;
  }

  async prune(a: ExportAnchor): Promise<number> {
    return this.db.transaction(() => {
      const deleted = this.db.prepare(`DELETE FROM ${this.p}records WHERE chain_id = ? AND seq <= ?`).run(a.chainId, a.throughSeq).changes;
      this.db.prepare(`DELETE FROM ${this.p}checkpoints WHERE chain_id = ? AND seq < ?`).run(a.chainId, a.throughSeq);
      this.db
        .prepare(`INSERT INTO ${this.p}anchors (chain_id, through_seq, head_hash, bundle_name, bundle_digest, exported_at) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(a.chainId, a.throughSeq, a.headHash, a.bundleName, a.bundleDigest, a.exportedAt);
      return deleted;
    })();
  }

  async anchors(chainId: string): Promise<ExportAnchor[]> {
    const rows = this.db.prepare(`SELECT * FROM ${this.p}anchors WHERE chain_id = ? ORDER BY through_seq`).all(chainId) as AnchorRow[];
    return rows.map(anchorFromRow);
  }

  async ping(): Promise<void> {
    this.db.exec('BEGIN IMMEDIATE');
    this.db.exec('ROLLBACK');
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
