// The persistence contract of the audit room, met by SQLite and PostgreSQL: append-only records, checkpoints, export anchors.
import type { AuditActivityResult, AuditFilter, AuditPage, AuditPageResult, AuditRecord, ChainLeaseRow, ChainOwner, ExportAnchor, SignedCheckpoint, SignedSeal } from './types';
import type { ChainHead } from './chain';

/** Read side used by the verifier and the exporter; a bundle file offers the same. */
export interface AuditSource {
  chainIds(): Promise<string[]>;
  /** Records of a chain with seq > afterSeq, in seq order, at most `limit`. */
  records(chainId: string, afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** All checkpoints of a chain, in seq order. */
  checkpoints(chainId: string): Promise<SignedCheckpoint[]>;
  /** The chain's seal, or null while it is open (or was closed by its owner). */
  seal(chainId: string): Promise<SignedSeal | null>;
}

/** Which seal a store may write: only while the lease it was decided on still stands, checked under the chain's lock. */
export type SealCondition =
  /** The lease has not been renewed within its own lease time (by the store's clock). */
  | { kind: 'lease-expired' }
  /** The lease is still held by this owner, whose process was seen gone. */
  | { kind: 'owner-gone'; owner: ChainOwner }
  /** The chain has no lease at all (written before leases existed). */
  | { kind: 'no-lease' };

/** Signs the seal of a chain's head once the store holds the chain's lock; renewedAtMs is the lease's last renewal. */
export type SealSigner = (head: ChainHead, renewedAtMs: number | null) => SignedSeal;

export interface AuditStore extends AuditSource {
  readonly kind: 'sqlite' | 'postgres';
  /** The chain's last seq and hash: the highest record, or the checkpoint left by a prune when all records went. */
  head(chainId: string): Promise<ChainHead | null>;
  /**
   * Inserts the records of one chain in one transaction, and renews the chain's lease in it; fails whole if any
   * (chain id, seq) is taken, and with AuditError AUDIT_CHAIN_ENDED when the chain's lease is not open (sealed by
   * another process, closed, or never claimed): the lease row's lock is what keeps records from following a seal.
   */
  appendBatch(records: AuditRecord[]): Promise<void>;
  /** Takes the chain's lease for this owner (a restart of the same chain id takes it back); 'sealed' when it cannot be. */
  claimChain(chainId: string, owner: ChainOwner, leaseMs: number): Promise<'open' | 'sealed'>;
  /** Renews an open lease; false when the chain is no longer open. */
  renewChain(chainId: string): Promise<boolean>;
  /** The owner closed the chain after signing its head: nobody seals it, its owner may claim it again. */
  releaseChain(chainId: string): Promise<void>;
  /** Every open lease, with the store's clock. */
  openLeases(): Promise<ChainLeaseRow[]>;
  /** Chains with records or checkpoints and no lease. */
  unleasedChains(): Promise<string[]>;
  /**
   * One transaction: ends the chain's lease if the condition still holds, then stores the seal of its head (none for
   * a chain with no record). Null when the condition no longer holds (renewed, claimed again, sealed by another).
   */
  sealChain(chainId: string, condition: SealCondition, sign: SealSigner): Promise<SignedSeal | null>;
  /** Stores a checkpoint; one already stored at the same (chain id, seq) is kept. */
  saveCheckpoint(checkpoint: SignedCheckpoint): Promise<void>;
  search(filter: AuditFilter, page: AuditPage): Promise<AuditPageResult>;
  /** Records with since <= at < until (ISO 8601), oldest first, at most limit: what traffic charts count. */
  activity(since: string, until: string, limit: number): Promise<AuditActivityResult>;
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
