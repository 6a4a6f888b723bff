// The stored form of a package fetched from the national axis, the same in SQLite and PostgreSQL.
import type { AxisInboundDocument } from './edoc-store';

export interface AxisInboundRow {
  axis_doc_id: string;
  organ_id: string;
  from_organ: string | null;
  document_id: string | null;
  message_id: string | null;
  state: AxisInboundDocument['state'];
  code: string | null;
  fetched_at: string;
  updated_at: string;
}

export function axisInboundFromRow(row: AxisInboundRow): AxisInboundDocument {
  return {
    axisDocId: row.axis_doc_id,
    organId: row.organ_id,
    fromOrgan: row.from_organ,
    documentId: row.document_id,
    messageId: row.message_id,
    state: row.state,
    code: row.code,
    fetchedAt: row.fetched_at,
    updatedAt: row.updated_at,
  };
}

/** Columns of a new row, in the order both stores insert them. */
export function axisInboundColumns(outcome: Omit<AxisInboundDocument, 'fetchedAt' | 'updatedAt'>, at: string): (string | null)[] {
  return [outcome.axisDocId, outcome.organId, outcome.fromOrgan, outcome.documentId, outcome.messageId, outcome.state, outcome.code, at, at];
}
