// The stored form of a sent package's claim, the same in SQLite and PostgreSQL.
import type { SentDocument } from './edoc-store';

export interface SentDocumentRow {
  from_organ: string;
  document_id: string;
  slot: string;
  sha256: string;
  message_id: string;
  correlation_id: string;
  state: SentDocument['state'];
  /** BIGINT comes back from pg as a string. */
  claimed_at_ms: string | number;
}

export function sentDocumentFromRow(row: SentDocumentRow): SentDocument {
  return {
    fromOrgan: row.from_organ,
    documentId: row.document_id,
    slot: row.slot,
    sha256: row.sha256,
    messageId: row.message_id,
    correlationId: row.correlation_id,
    state: row.state,
    claimedAtMs: Number(row.claimed_at_ms),
  };
}
