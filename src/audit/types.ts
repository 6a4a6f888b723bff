// Shapes of the audit room: what the bus hands in (AuditEvent), what is stored and hashed (AuditRecord), checkpoints, queries and reports.
import type { JsonValue } from '../core/envelope';

/** Steps of a message's life, plus admin actions as `admin.<action>` (e.g. `admin.replay`, `admin.config-change`). */
export type AuditStep =
  | 'received'
  | 'validated'
  | 'rejected'
  | 'transformed'
  | 'enriched'
  | 'delivered'
  | 'failed'
  | 'retried'
  | 'dead-lettered'
  | 'replayed'
  /** A message that fanned out took its final state from its parts (details.state). */
  | 'settled'
  /** A package the bus took from an upstream that holds it for the bus to fetch (the national axis). */
  | 'fetched'
  /** The bus told such an upstream it holds the package durably, so the upstream stops offering it. */
  | 'acknowledged'
  | `admin.${string}`;

export type AuditOutcome = 'ok' | 'rejected' | 'error';

/** What the bus reports about one step. Only `step` and `outcome` are required. */
export interface AuditEvent {
  step: AuditStep;
  outcome: AuditOutcome;
  messageId?: string | null;
  correlationId?: string | null;
  /** Business key: MaHoSo or edXML DocumentId. */
  subject?: string | null;
  /** Client id of the connected system (or the admin's client id for admin actions). */
  client?: string | null;
  route?: string | null;
  /** Machine-readable code on rejection or failure (e.g. CITIZEN_MISMATCH, UPSTREAM_5XX). */
  errorCode?: string | null;
  /** Human-readable reason; must not quote personal data (the bus's reasons already do not). */
  reason?: string | null;
  /** When the step started (ISO 8601); `at` is when it ended. */
  startedAt?: string | null;
  /** When the step happened or ended; default now. */
  at?: string;
  durationMs?: number | null;
  requestBytes?: number | null;
  responseBytes?: number | null;
  /** SHA-256 hex of the canonical payload (the envelope's payloadDigest); computed from `payload` when absent. */
  payloadDigest?: string | null;
  /** The body; stored per the payload mode (full or metadata only), personal-data fields masked or encrypted. */
  payload?: JsonValue;
  /** For admin actions: who did it. */
  actor?: string | null;
  /** Small extra facts (attempt number, upstream status, replay filter…); personal-data protection applies too. */
  details?: { [key: string]: JsonValue } | null;
}

/** A stored audit record: exactly what is hashed (everything but `hash`) plus its hash. */
export interface AuditRecord {
  chainId: string;
  seq: number;
  prevHash: string;
  at: string;
  step: string;
  outcome: string;
  messageId: string | null;
  correlationId: string | null;
  subject: string | null;
  client: string | null;
  route: string | null;
  errorCode: string | null;
  reason: string | null;
  startedAt: string | null;
  durationMs: number | null;
  requestBytes: number | null;
  responseBytes: number | null;
  payloadDigest: string | null;
  /** Stored form of the body: canonical JSON after masking/encryption, or null (metadata-only mode). */
  payload: string | null;
  actor: string | null;
  /** Canonical JSON of the details after masking/encryption, or null. */
  details: string | null;
  hash: string;
}

export type UnsignedRecord = Omit<AuditRecord, 'hash'>;

export interface AuditRecordRef {
  chainId: string;
  seq: number;
  hash: string;
}

/** What a checkpoint signs: a chain's head at a time. */
export interface CheckpointBody {
  chainId: string;
  seq: number;
  headHash: string;
  at: string;
}

export interface SignedCheckpoint extends CheckpointBody {
  /** First 16 hex of SHA-256 over the signer's SPKI public key. */
  keyId: string;
  /** Base64 Ed25519 signature over the checkpoint's signing bytes. */
  signature: string;
}

/**
 * Why a chain was sealed by another than its owner: its process was seen gone on this host, its lease ran out, or
 * (SQLite only) it was written before chains had leases and the one process of the data dir has restarted.
 */
export type SealReason = 'owner-process-ended' | 'lease-expired' | 'no-lease';

/** What a seal signs: the last record of a chain whose owner is gone; the chain takes no record after it. */
export interface SealBody extends CheckpointBody {
  /** Who sealed it: the sealing process's chain id. */
  sealedBy: string;
  reason: SealReason;
  /** The owner's last lease renewal (ISO 8601), or null when the chain had no lease. */
  ownerLastSeenAt: string | null;
}

export interface SignedSeal extends SealBody {
  keyId: string;
  /** Base64 Ed25519 signature over the seal's signing bytes (a domain of its own: a seal is never read as a checkpoint). */
  signature: string;
}

/** Who holds a chain: the process (host, pid, and a token drawn at the process's start, as pids are reused). */
export interface ChainOwner {
  host: string;
  pid: number;
  token: string;
}

/** A chain's lease as the store holds it, with the store's clock read in the same query. */
export interface ChainLeaseRow {
  chainId: string;
  owner: ChainOwner;
  renewedAtMs: number;
  leaseMs: number;
  nowMs: number;
}

/** Linking info left behind when a chain's old records were exported and pruned. */
export interface ExportAnchor {
  chainId: string;
  throughSeq: number;
  headHash: string;
  bundleName: string;
  bundleDigest: string;
  exportedAt: string;
}

export interface AuditFilter {
  subject?: string;
  messageId?: string;
  correlationId?: string;
  client?: string;
  route?: string;
  step?: string;
  outcome?: AuditOutcome;
  /** Inclusive lower bound on `at` (ISO 8601). */
  since?: string;
  /** Exclusive upper bound on `at` (ISO 8601). */
  until?: string;
  chainId?: string;
  /** Records of these steps are left out when their outcome is ok (the admin console's own reads, unless asked for). */
  omitOkSteps?: readonly string[];
}

/** Oldest first (the default: exports, checks) or newest first (what an operator looks at). */
export type AuditOrder = 'oldest-first' | 'newest-first';

export interface AuditPage {
  /** Default 100, at most 1000. */
  limit?: number;
  /** Opaque cursor from the previous page's `next`, asked again in the same order. */
  cursor?: string | null;
  /** Default oldest-first. */
  order?: AuditOrder;
}

/** One record as traffic charts count it: when, which step, how it ended, on which route, how long it took. */
export interface AuditActivity {
  at: string;
  step: string;
  outcome: string;
  route: string | null;
  errorCode: string | null;
  durationMs: number | null;
  /** The pipeline stage the record is of (details.stage), e.g. the enricher or the delivery that ran. */
  stage: string | null;
}

export interface AuditActivityResult {
  /** Oldest first. */
  records: AuditActivity[];
  /** More records fell in the window than the limit: the newest of them are not in `records`. */
  truncated: boolean;
}

export interface AuditPageResult {
  records: AuditRecord[];
  /** Cursor for the next page, or null at the end. */
  next: string | null;
}

export interface VerifyFailure {
  chainId: string;
  seq: number | null;
  reason: string;
}

export interface ChainVerifyReport {
  chainId: string;
  firstSeq: number | null;
  lastSeq: number | null;
  records: number;
  checkpoints: number;
  /** Highest seq covered by a valid signed checkpoint, or null. */
  signedThrough: number | null;
  /** The chain's seal (its owner gone, its last record signed), or null. */
  seal: SignedSeal | null;
  /** Records after the last checkpoint and not sealed: they could be cut off unnoticed. */
  unsignedTail: number;
  failure: VerifyFailure | null;
}

export interface VerifyReport {
  ok: boolean;
  /** Chains that verify but end in an unsigned tail (see ChainVerifyReport.unsignedTail). */
  unsignedTails: number;
  chains: ChainVerifyReport[];
  /** The first failure found, if any. */
  failure: VerifyFailure | null;
}

export interface AuditHealth {
  status: 'up' | 'down';
  chainId: string;
  /** Last committed seq of this writer's chain (0 before the first record). */
  headSeq: number;
  pending: number;
  /** Since when the store is down, or null. */
  downSince: string | null;
  lastError: string | null;
}
