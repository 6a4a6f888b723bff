// SQLite audit store (better-sqlite3, WAL, synchronous=FULL): the embedded default, one file, several writers allowed by chain id.
import Database from 'better-sqlite3';
import { assertTablePrefix, type AuditStore, type SealCondition, type SealSigner } from './audit-store';
import {
  anchorFromRow,
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
import { auditSchemaOwner, sqliteAuditMigrations } from './audit-migrations';
import type { ChainHead } from './chain';
import { AuditError } from './errors';
import { prepareSqliteFile } from '../stores/private-files';
import { migrateSqlite } from '../stores/sqlite/sqlite-migrator';
import type { AuditActivityResult, AuditFilter, AuditPage, AuditPageResult, AuditRecord, ChainLeaseRow, ChainOwner, ExportAnchor, SignedCheckpoint, SignedSeal } from './types';

export interface SqliteAuditStoreOptions {
  file: string;
  tablePrefix?: string;
  /** How long a write waits for another connection's lock before failing (default 2000 ms). */
  busyTimeoutMs?: number;
}

/** The database clock in ms since the epoch (julianday is in days from noon of 4714 BC). */
const SQLITE_NOW_MS = `CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)`;

export class SqliteAuditStore implements AuditStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly p: string;
  private readonly insertRecord: Database.Statement;
  private readonly insertMany: (records: AuditRecord[]) => void;
  private readonly lease: ReturnType<typeof leaseSql>;

  constructor(options: SqliteAuditStoreOptions) {
    this.p = assertTablePrefix(options.tablePrefix ?? 'audit_');
    prepareSqliteFile(options.file);
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 100))}`);
    migrateSqlite(this.db, auditSchemaOwner(this.p), sqliteAuditMigrations(this.p));
    this.insertRecord = this.db.prepare(`INSERT INTO ${this.p}records (${RECORD_COLUMNS}) VALUES (${Array(22).fill('?').join(', ')})`);
    this.lease = leaseSql(this.p, () => '?', SQLITE_NOW_MS);
    const renew = this.db.prepare(this.lease.renew);
    const fenced = this.db.transaction((records: AuditRecord[]) => {
      const chainId = records[0]?.chainId;
      if (chainId === undefined) return;
      if (renew.run(chainId).changes === 0) throw this.chainEnded(chainId);
      for (const record of records) this.insertRecord.run(...recordParams(record));
    });
    // IMMEDIATE: the lease check and the inserts hold the write lock together, so a seal cannot fall between them.
    this.insertMany = (records) => fenced.immediate(records);
  }

  private chainEnded(chainId: string): AuditError {
    const row = this.db.prepare(this.lease.state).get(chainId) as { state: string } | undefined;
    return new AuditError(`audit chain ${chainId} is ${row?.state ?? 'not claimed'}: it takes no more records`, 'AUDIT_CHAIN_ENDED');
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
    return this.headNow(chainId);
  }

  private headNow(chainId: string): ChainHead | null {
    const record = this.db.prepare(this.lease.lastRecord).get(chainId) as { seq: number; hash: string } | undefined;
    const checkpoint = this.db.prepare(this.lease.lastCheckpoint).get(chainId) as { seq: number; head_hash: string } | undefined;
    return headOf(record, checkpoint);
  }

  async seal(chainId: string): Promise<SignedSeal | null> {
    const row = this.db.prepare(this.lease.seal).get(chainId) as SealRow | undefined;
    return row ? sealFromRow(row) : null;
  }

  async claimChain(chainId: string, owner: ChainOwner, leaseMs: number): Promise<'open' | 'sealed'> {
    const row = this.db.prepare(this.lease.claim).get(chainId, owner.host, owner.pid, owner.token, leaseMs) as { state: string } | undefined;
    return row ? 'open' : 'sealed';
  }

  async renewChain(chainId: string): Promise<boolean> {
    return this.db.prepare(this.lease.renew).run(chainId).changes > 0;
  }

  async releaseChain(chainId: string): Promise<void> {
    this.db.prepare(this.lease.release).run(chainId);
  }

  async openLeases(): Promise<ChainLeaseRow[]> {
    return (this.db.prepare(this.lease.open).all() as LeaseRow[]).map(leaseFromRow);
  }

  async unleasedChains(): Promise<string[]> {
    return (this.db.prepare(this.lease.unleased).all() as { chain_id: string }[]).map((r) => r.chain_id);
  }

  async sealChain(chainId: string, condition: SealCondition, sign: SealSigner): Promise<SignedSeal | null> {
    const sealNow = this.db.transaction((): SignedSeal | null => {
      const ended = this.endLease(chainId, condition);
      if (ended === undefined) return null;
      const head = this.headNow(chainId);
      if (!head) return null;
      const seal = sign(head, ended.renewed_at_ms);
      this.db.prepare(this.lease.insertSeal).run(...sealParams(seal));
      return seal;
    });
    return sealNow.immediate();
  }

  private endLease(chainId: string, condition: SealCondition): { renewed_at_ms: number | null } | undefined {
    if (condition.kind === 'lease-expired') return this.db.prepare(this.lease.sealExpired).get(chainId) as { renewed_at_ms: number } | undefined;
    if (condition.kind === 'no-lease') {
      const row = this.db.prepare(this.lease.sealUnleased).get(chainId) as { renewed_at_ms: number } | undefined;
      return row ? { renewed_at_ms: null } : undefined;
    }
    const { host, pid, token } = condition.owner;
    return this.db.prepare(this.lease.sealOwnerGone).get(chainId, host, pid, token) as { renewed_at_ms: number } | undefined;
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

  async activity(since: string, until: string, limit: number): Promise<AuditActivityResult> {
    const rows = this.db.prepare(activitySql(this.p, () => '?', limit)).all(since, until) as ActivityRow[];
    return { records: rows.slice(0, limit).map(activityFromRow), truncated: rows.length > limit };
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
