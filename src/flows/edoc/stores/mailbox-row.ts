// Maps a stored mailbox row (SQLite or PostgreSQL) to the MailboxEntry the flow works with.
import type { JsonValue } from '../../../core/envelope';
import type { MailboxEntry, MailboxEntryKind } from './edoc-store';

export interface MailboxRow {
  entry_id: string;
  organ_id: string;
  kind: string;
  document_id: string;
  from_organ: string;
  blob_sha256: string;
  blob_bytes: number | string;
  business_doc_type: number | null;
  status_code: string | null;
  reported_status: string | null;
  received_at: string;
  updated_at: string;
  /** JSON text. */
  signature: string | null;
}

export function mailboxEntryFromRow(row: MailboxRow): MailboxEntry {
  return {
    entryId: row.entry_id,
    organId: row.organ_id,
    kind: row.kind as MailboxEntryKind,
    documentId: row.document_id,
    fromOrgan: row.from_organ,
    blob: { documentId: row.document_id, sha256: row.blob_sha256, bytes: Number(row.blob_bytes) },
    businessDocType: row.business_doc_type === null ? null : Number(row.business_doc_type),
    statusCode: row.status_code,
    reportedStatus: row.reported_status,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    signature: row.signature === null ? null : (JSON.parse(row.signature) as { [key: string]: JsonValue }),
  };
}
