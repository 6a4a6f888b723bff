// Tells a district system's resend of a document package from a second document: the same From, DocumentId and bytes
// is answered as the first (its message id, nothing delivered again); the same From and DocumentId with other bytes is
// refused, unless the package revokes, updates or replaces (BussinessDocType 1, 2, 3), each distinct one of which is
// a message of its own. The claims live in the e-document stores (EdocSentDocuments), so the rule holds across
// restarts and bus processes.
import { uuidv7 } from '../../core/uuid';
import type { ErrorCode } from '../../core/errors';
import type { EdocSentDocuments, SentDocument, SentDocumentKey } from './stores/edoc-store';

/** The slot of a new document (BussinessDocType 0): one per sender and DocumentId. */
export const NEW_DOCUMENT_SLOT = 'new';

/**
 * A pending claim neither settled nor given up for this long belongs to an intake that died; a resend takes it over
 * under the same message id. A takeover while the first intake is in fact alive publishes the same message id twice,
 * which its one effect per step absorbs.
 */
const CLAIM_ABANDONED_MS = 30_000;
/** How long a resend waits for a concurrent intake of the same package to settle before it is told to send again. */
const CONCURRENT_WAIT_MS = 5_000;
const POLL_MS = 50;

export interface PackageFingerprint {
  fromOrgan: string;
  documentId: string;
  sha256: string;
  businessDocType: number;
  /**
   * Set for a package fetched from the national axis: the organ of this province it was fetched for. The axis holds
   * one copy per recipient organ, so each copy has a slot of its own and a re-fetch of one copy is a resend of it.
   */
  recipient?: string;
}

export type ResendClaim =
  /** This intake sends the package, under these ids (a taken-over claim keeps the first intake's). */
  | { kind: 'send'; key: SentDocumentKey; messageId: string; correlationId: string; claimedAtMs: number }
  /** The package was accepted before: answer with its message. */
  | { kind: 'replay'; messageId: string; correlationId: string }
  | { kind: 'refused'; code: Extract<ErrorCode, 'EDXML_DOCUMENT_ID_REUSED' | 'EDOC_RESEND_IN_PROGRESS'>; message: string; field?: string };

/** Refusals after which the message may be in the transport: its claim is kept for a resend to take over. */
const MAYBE_IN_TRANSPORT: ReadonlySet<string> = new Set(['TRANSPORT_UNAVAILABLE', 'STORE_UNAVAILABLE']);

export function slotOf(fingerprint: PackageFingerprint): string {
  const slot = fingerprint.businessDocType === 0 ? NEW_DOCUMENT_SLOT : fingerprint.sha256;
  return fingerprint.recipient === undefined ? slot : `${slot}@${fingerprint.recipient}`;
}

export class ResendGuard {
  constructor(private readonly sent: EdocSentDocuments) {}

  /** Store failures are thrown (the caller answers STORE_UNAVAILABLE). */
  async claim(fingerprint: PackageFingerprint): Promise<ResendClaim> {
    const key: SentDocumentKey = { fromOrgan: fingerprint.fromOrgan, documentId: fingerprint.documentId, slot: slotOf(fingerprint) };
    const deadline = Date.now() + CONCURRENT_WAIT_MS;
    for (;;) {
      const now = Date.now();
      const messageId = uuidv7();
      const mine: Omit<SentDocument, 'state'> = { ...key, sha256: fingerprint.sha256, messageId, correlationId: messageId, claimedAtMs: now };
      const existing = await this.sent.claim(mine);
      if (existing === null) return { kind: 'send', key, messageId, correlationId: messageId, claimedAtMs: now };
      if (existing.sha256 !== fingerprint.sha256) {
        return {
          kind: 'refused',
          code: 'EDXML_DOCUMENT_ID_REUSED',
          message: `organ ${key.fromOrgan} already sent another package with DocumentId ${key.documentId}; send a revocation, update or replacement (BussinessDocType 1, 2, 3) instead`,
          field: 'MessageHeader/DocumentId',
        };
      }
      if (existing.state === 'accepted') return { kind: 'replay', messageId: existing.messageId, correlationId: existing.correlationId };
      if (existing.claimedAtMs <= now - CLAIM_ABANDONED_MS && (await this.sent.takeOver(key, existing.messageId, existing.claimedAtMs, now))) {
        return { kind: 'send', key, messageId: existing.messageId, correlationId: existing.correlationId, claimedAtMs: now };
      }
      if (now >= deadline) return { kind: 'refused', code: 'EDOC_RESEND_IN_PROGRESS', message: 'the same package is being accepted; send it again shortly' };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** The claimed package was accepted as `accepted` (its own message, or the earlier one its Idempotency-Key named). */
  settle(claim: Extract<ResendClaim, { kind: 'send' }>, accepted: { messageId: string; correlationId: string }): Promise<void> {
    return this.sent.accepted(claim.key, claim.messageId, accepted);
  }

  /**
   * The claimed package was not accepted (`code`: the intake's refusal; null when it was never handed over). A message
   * that never reached the transport frees its claim, so a corrected package may use the DocumentId; one that may be
   * in the transport leaves it for a resend of the same package to take over at once, under the same message id.
   */
  fail(claim: Extract<ResendClaim, { kind: 'send' }>, code: string | null): Promise<void> {
    return code !== null && MAYBE_IN_TRANSPORT.has(code)
      ? this.sent.giveUp(claim.key, claim.messageId, claim.claimedAtMs)
      : this.sent.release(claim.key, claim.messageId, claim.claimedAtMs);
  }
}
