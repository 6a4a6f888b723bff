// The e-document flow's persistence contract: the package blob store (claim check), the per-organ mailbox, the
// ledger of who was sent which document by whom, the register of sent packages that tells a resend from a copy, and
// the packages fetched from the national axis.
import type { Readable, Writable } from 'node:stream';
import type { JsonValue } from '../../../core/envelope';

/** What envelopes carry instead of the package: where its bytes are and what they hash to. */
export interface BlobRef {
  /** edXML DocumentId (NFC). */
  documentId: string;
  /** Lower-case hex SHA-256 of the stored bytes. */
  sha256: string;
  bytes: number;
}

/** Package and status-packet bytes, stored once per (documentId, sha256), in bounded-size chunks. */
export interface EdocBlobStore {
  /** Stores the concatenation of chunks (views are fine; nothing is concatenated); storing the same bytes again is harmless. */
  put(documentId: string, chunks: readonly Buffer[]): Promise<BlobRef>;
  /** The whole blob in one Buffer of exactly ref.bytes (one copy), or null when unknown or not complete. */
  read(ref: BlobRef): Promise<Buffer | null>;
  /** The blob chunk by chunk; memory stays at one chunk. Fails (as a stream) when the blob is unknown or a chunk is gone. */
  stream(ref: BlobRef): Readable;
  /**
   * Writes the blob to `destination` (a download's response) and ends it, holding as little new memory as the store
   * can; fails when the blob is unknown or not complete, the destination then destroyed.
   */
  copyTo(ref: BlobRef, destination: Writable): Promise<void>;
  /** Whether the blob is complete (known, and every one of its chunks there): what a download checks before it answers. */
  has(ref: BlobRef): Promise<boolean>;
}

export type MailboxEntryKind = 'edoc' | 'status';

/** One document or status packet waiting in (or read from) an organ's mailbox in this bus. */
export interface MailboxEntry {
  /** The delivering message id; also the id callers use at /api/v1/edocs/{id}. */
  entryId: string;
  /** The organ whose mailbox holds it. */
  organId: string;
  kind: MailboxEntryKind;
  documentId: string;
  /** The organ that sent the document or reported the status. */
  fromOrgan: string;
  blob: BlobRef;
  /** 0 new, 1 revoke, 2 update, 3 replace (documents only). */
  businessDocType: number | null;
  /** The QĐ 28 code a status packet carries (status entries only). */
  statusCode: string | null;
  /** The last status code this organ reported about the document (documents only). */
  reportedStatus: string | null;
  /** The bus's check of the document's signature under its sender's policy (null: not checked, or a status). */
  signature: { [key: string]: JsonValue } | null;
  receivedAt: string;
  updatedAt: string;
}

export type NewMailboxEntry = Omit<MailboxEntry, 'reportedStatus' | 'updatedAt'>;

export interface MailboxFilter {
  kind?: MailboxEntryKind;
  /** Only entries received at or after this ISO time. */
  since?: string;
  limit?: number;
}

export interface EdocMailboxStore {
  /** Files an entry; true when new, false when an entry with that id was already there (left as it is). */
  put(entry: NewMailboxEntry): Promise<boolean>;
  /** Entries of these organs, oldest first. */
  list(organIds: readonly string[], filter: MailboxFilter): Promise<MailboxEntry[]>;
  get(entryId: string): Promise<MailboxEntry | null>;
  setReportedStatus(entryId: string, statusCode: string): Promise<void>;
}

/**
 * Which organ was sent which document by which organ through this bus, whatever the delivery (mailbox, push, axis).
 * A status packet about a document is taken from an organ only when this ledger names it a recipient of that document
 * from the organ the status goes to, so an organ cannot write into the status inbox of a document it never received.
 */
export interface EdocRecipientLedger {
  /** Records that `sender` sent documentId to each of `recipients`; recording the same again is harmless. */
  record(documentId: string, sender: string, recipients: readonly string[]): Promise<void>;
  /** Whether `recipient` was sent documentId by `sender` through this bus. */
  wasSentTo(documentId: string, sender: string, recipient: string): Promise<boolean>;
}

/** Where one sent package sits in the register: its sender, its DocumentId and its slot (see SentDocument.slot). */
export interface SentDocumentKey {
  fromOrgan: string;
  documentId: string;
  slot: string;
}

/** A package the bus accepted, or is accepting, from an organ: what its bytes hash to and the message it became. */
export interface SentDocument extends SentDocumentKey {
  /** Lower-case hex SHA-256 of the package bytes. */
  sha256: string;
  messageId: string;
  correlationId: string;
  /** pending while its intake runs (or after one that may have reached the transport failed); accepted once it is. */
  state: 'pending' | 'accepted';
  /** When the current intake claimed it; 0 marks a claim given up, which the next resend takes over at once. */
  claimedAtMs: number;
}

/**
 * The register of sent packages, keyed by sender, DocumentId and slot; the primary key makes two concurrent claims of
 * one slot end with one winner.
 */
export interface EdocSentDocuments {
  /** Claims the slot for this package: null when claimed now, else the claim already there (left as it is). */
  claim(document: Omit<SentDocument, 'state'>): Promise<SentDocument | null>;
  get(key: SentDocumentKey): Promise<SentDocument | null>;
  /** The claim's message was accepted, under `accepted` (the claim's own ids, or an earlier message's its Idempotency-Key named). */
  accepted(key: SentDocumentKey, claimedMessageId: string, accepted: { messageId: string; correlationId: string }): Promise<void>;
  /** Deletes a pending claim whose message certainly never reached the transport. */
  release(key: SentDocumentKey, messageId: string, claimedAtMs: number): Promise<void>;
  /** Marks a pending claim given up (its message may be in the transport): the next resend takes it over at once. */
  giveUp(key: SentDocumentKey, messageId: string, claimedAtMs: number): Promise<void>;
  /** Moves a pending claim, still as it was seen, to a new intake; true for the one caller that wins it. */
  takeOver(key: SentDocumentKey, messageId: string, seenClaimedAtMs: number, nowMs: number): Promise<boolean>;
}

/**
 * A package the bus fetched from the national axis for one of its organs, by the axis's receiver-side doc id. The row
 * is written once the package's intake is durable, before the axis is told, so a bus killed in between finds it and
 * only acknowledges; a row lost with the process is made good by the resend register (same From, DocumentId, bytes).
 */
export interface AxisInboundDocument {
  axisDocId: string;
  /** The organ of this province the axis holds it for. */
  organId: string;
  /** The sender (edXML From) and DocumentId; null when the package could not be read. */
  fromOrgan: string | null;
  documentId: string | null;
  /** The message it became; null when it was refused. */
  messageId: string | null;
  /**
   * accepted: durable here, the axis not yet told; acknowledged: the axis was told; refused: not taken (code), the axis
   * not yet told it failed; refusal-reported: not taken, and the axis was told it failed.
   */
  state: 'accepted' | 'acknowledged' | 'refused' | 'refusal-reported';
  code: string | null;
  fetchedAt: string;
  updatedAt: string;
}

export type AxisInboundOutcome = Omit<AxisInboundDocument, 'state' | 'fetchedAt' | 'updatedAt'> & { state: 'accepted' | 'refused' };

export interface EdocAxisInbound {
  get(axisDocId: string): Promise<AxisInboundDocument | null>;
  /** Records an intake's outcome; writing it again is harmless, and a row already acknowledged stays so. */
  record(outcome: AxisInboundOutcome): Promise<void>;
  /** The axis was told (accepted rows: received, now acknowledged; refused rows: failed, now refusal-reported). */
  acknowledged(axisDocId: string): Promise<void>;
  /** Refused rows whose failure the axis has not been told yet, oldest first. */
  unreportedRefusals(): Promise<AxisInboundDocument[]>;
  /** The axis doc id under which `recipient` received documentId from `sender` through the axis, if it did. */
  find(documentId: string, sender: string, recipient: string): Promise<string | null>;
}

export interface EdocStores {
  readonly kind: 'sqlite' | 'postgres';
  readonly blobs: EdocBlobStore;
  readonly mailbox: EdocMailboxStore;
  readonly recipients: EdocRecipientLedger;
  readonly sentDocuments: EdocSentDocuments;
  readonly axisInbound: EdocAxisInbound;
  close(): Promise<void>;
}

/** Rows hold at most this many bytes, so a stream never holds more than one of them. */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

export function mailboxLimit(filter: MailboxFilter): number {
  return Math.min(Math.max(filter.limit ?? 500, 1), 5000);
}
