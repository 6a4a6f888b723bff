// Narrow persistence contracts of the route runner, the intake and the gateway: the effect log, Idempotency-Keys, the audit outbox and more.
import type { MessageStatusStore, SubjectSequenceStore } from './message-status';

/** Idempotent-consumer log: which upstream effects are done, keyed by step and message (or business) key. */
export interface EffectLog {
  isDone(key: string): Promise<boolean>;
  /** Records the effect; recording the same key twice is harmless. */
  markDone(key: string, messageId: string): Promise<void>;
}

/** What the bus holds for a client's Idempotency-Key: the message it stands for and whether that was accepted. */
export interface IdempotencyRecord {
  messageId: string;
  correlationId: string;
  payloadDigest: string;
  /** pending: an intake is (or was, if it died) accepting the message; accepted: it answered 202. */
  state: 'pending' | 'accepted';
  claimedAtMs: number;
}

/** Clients' Idempotency-Keys (per client), so a request sent again after a lost answer is not a second message. */
export interface IdempotencyKeyStore {
  /** Claims the key for this message; null when claimed now, otherwise what the key already stands for. */
  claim(client: string, key: string, record: Omit<IdempotencyRecord, 'state'>): Promise<IdempotencyRecord | null>;
  accepted(client: string, key: string): Promise<void>;
  /**
   * Frees a key whose message was not accepted, so the client's next try is a fresh one. Only the claim made at
   * `claimedAtMs` is freed: not one that took it over since.
   */
  release(client: string, key: string, messageId: string, claimedAtMs: number): Promise<void>;
  /**
   * Says the claim made at `claimedAtMs` is still being worked on: an intake renews its pending claim while it runs,
   * so one not renewed for a while belongs to an intake that died.
   */
  renew(client: string, key: string, messageId: string, claimedAtMs: number, nowMs: number): Promise<void>;
  /**
   * Takes over a pending claim neither made nor renewed in the last `olderThanMs` (its intake died); false when another
   * did, or it moved on.
   */
  takeOver(client: string, key: string, messageId: string, olderThanMs: number, nowMs: number): Promise<boolean>;
}

/**
 * Deletes what the bus keeps only for a while, oldest first and at most `limit` rows per call, so that one call holds
 * the store briefly and intake goes on between calls.
 */
export interface StoreRetention {
  /** Effect records done before `before`; how many were deleted. */
  pruneEffects(before: Date, limit: number): Promise<number>;
  /** Idempotency-Keys claimed (and, pending ones, last renewed) before `beforeMs`; how many were deleted. */
  pruneIdempotencyKeys(beforeMs: number, limit: number): Promise<number>;
}

/** Signed-out admin sessions, kept until they would have expired so that no instance accepts them again. */
export interface RevokedSessionStore {
  revoke(jti: string, expiresAtMs: number): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
}

/** The process that kept an outbox entry: host, pid and a token of that process's start (as audit chain owners). */
export interface OutboxOwner {
  host: string;
  pid: number;
  token: string;
}

/** An audit record the audit store could not take when it happened, kept until it can. */
export interface OutboxEntry {
  id: string;
  owner: OutboxOwner;
  /** When it was kept (ISO 8601) and its place among its owner's entries: together, the order they happened in. */
  keptAt: string;
  position: number;
  /** The audit event as JSON. */
  event: string;
}

/**
 * Audit records kept while the audit store is away, in the bus's other store (which an outage of the audit store alone
 * leaves writable). Each entry belongs to the process that kept it; another takes them over only once that one is gone.
 */
export interface AuditOutboxStore {
  keep(entries: OutboxEntry[]): Promise<void>;
  remove(ids: string[]): Promise<void>;
  owners(): Promise<OutboxOwner[]>;
  /** Makes `to` the owner of every entry `from` kept, and returns them in the order they were kept. */
  takeOver(from: OutboxOwner, to: OutboxOwner): Promise<OutboxEntry[]>;
}

/** One procedure of the province's catalogue as the bus keeps it, with DVCQG's entry for it. */
export interface StoredProcedure {
  /** MaTTHC. */
  code: string;
  name: string;
  /** Lĩnh vực: the first field DVCQG lists for the procedure (code and name); empty when it lists none. */
  fieldCode: string;
  field: string;
  /** The agency that carries it out; empty when DVCQG does not say. */
  agency: string;
  /** Mức độ dịch vụ công as DVCQG gives it; null when it does not. */
  level: string | null;
  /** Whether the procedure's dossiers are synced with DVCQG (tích hợp DVCQG). */
  linked: boolean;
  /** Digest of DVCQG's listing entry (LayDanhSachTTHC): a different one at the next refresh means the procedure changed. */
  listingDigest: string;
  /** DVCQG's entry for the procedure (LayThuTuc, else the listing entry) as JSON text. */
  entry: string;
}

/** What the last good refresh of the catalogue found: when it ran and the codes it added, withdrew and saw changed. */
export interface CatalogueRefreshRecord {
  /** ISO 8601. */
  refreshedAt: string;
  added: string[];
  withdrawn: string[];
  changed: string[];
}

/** The province's procedure catalogue, kept so that a bus started while DVCQG is away still knows it. */
export interface ProcedureCatalogueStore {
  /** The stored copy; null when no refresh has ever been stored. */
  load(): Promise<{ procedures: StoredProcedure[]; refresh: CatalogueRefreshRecord } | null>;
  /** One refresh, in one transaction: the procedures added or changed written, the withdrawn ones deleted, the refresh recorded. */
  save(changes: { upserted: StoredProcedure[]; withdrawn: string[]; refresh: CatalogueRefreshRecord }): Promise<void>;
}

export interface Stores {
  readonly kind: 'sqlite' | 'postgres';
  readonly effects: EffectLog;
  readonly messages: MessageStatusStore;
  readonly sequences: SubjectSequenceStore;
  readonly idempotency: IdempotencyKeyStore;
  readonly revokedSessions: RevokedSessionStore;
  readonly auditOutbox: AuditOutboxStore;
  readonly retention: StoreRetention;
  readonly procedures: ProcedureCatalogueStore;
  ping(): Promise<void>;
  close(): Promise<void>;
}
