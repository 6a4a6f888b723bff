// Maps a stored message-status row (SQLite or PostgreSQL) to the MessageStatus the API answers with.
import type { MessageState, MessageStatus } from './message-status';

export interface MessageStatusRow {
  message_id: string;
  correlation_id: string;
  causation_id: string | null;
  type: string;
  source: string;
  subject: string | null;
  destination: string | null;
  route: string;
  state: string;
  code: string | null;
  reason: string | null;
  attempts: number;
  accepted_at: string;
  updated_at: string;
}

export function messageStatusFromRow(row: MessageStatusRow): MessageStatus {
  return {
    messageId: row.message_id,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    type: row.type,
    source: row.source,
    subject: row.subject,
    destination: row.destination,
    route: row.route,
    state: row.state as MessageState,
    code: row.code,
    reason: row.reason,
    attempts: Number(row.attempts),
    acceptedAt: row.accepted_at,
    updatedAt: row.updated_at,
  };
}
