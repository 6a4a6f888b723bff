// The persistence contract of the audit room, met by SQLite and PostgreSQL: append-only records, checkpoints, export anchors.
import type { AuditFilter, AuditPage, AuditPageResult, AuditRecord, ExportAnchor, SignedCheckpoint } from './types';
import type { ChainHead } from './chain';

/** Read side used by the verifier and the exporter; a bundle file offers the same. */
export interface AuditSource {
  chainIds(): Promise<string[]>;
  /** Records of a chain with seq > afterSeq, in seq order, at most `limit`. */
  records(chainId: string, afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** All checkpoints of a chain, in seq order. */
  checkpoints(chainId: string): Promise<SignedCheckpoint[]>;
}

export interface AuditStore extends AuditSource {
  readonly kind: 'sqlite' | 'postgres';
  /** The chain's last seq and hash: the highest record, or the checkpoint left by a prune when all records went. */
  head(chainId: string): Promise<ChainHead | null>;
  /** Inserts the records in one transaction; fails whole if any (chain id, seq) is taken. */
  appendBatch(records: AuditRecord[]): Promise<void>;
  /** Stores a checkpoint; one already stored at the same (chain id, seq) is kept. */
  saveCheckpoint(checkpoint: SignedCheckpoint): Promise<void>;
  search(filter: AuditFilter, page: AuditPage): Promise<AuditPageResult>;
  /** Every record of a message id or correlation id, oldest first. */
  timeline(id: string): Promise<AuditRecord[]>;
  /** Records of a chain with at < before: the highest such seq (retention cut), or null. */
  lastSeqBefore(chainId: string, before: string): Promise<number | null>;
  /** One transaction: deletes records with seq <= anchor.throughSeq and checkpoints below it, and stores the anchor. */
  prune(anchor: ExportAnchor): Promise<number>;
  anchors(chainId: string): Promise<ExportAnchor[]>;
  /** Proves the store can be written now (a write inside a rolled-back transaction). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

export function assertTablePrefix(prefix: string): string {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`audit table prefix ${JSON.stringify(prefix)} must match [a-z_][a-z0-9_]*`);
  return prefix;
}
