// Maps a stored message-status row (SQLite or PostgreSQL) to the MessageStatus the API answers with.
import { FINAL_STATES_SQL, type MessageState, type PartsSettlement } from '../core/message-state';
import type { MessageStatus, WaitingMessage } from './message-status';

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
  failing_since: string | null;
  /** When the message handed all its parts over (null for a message that did not fan out). */
  fanned_out_at?: string | null;
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

export function waitingMessageFromRow(row: MessageStatusRow): WaitingMessage {
  return { ...messageStatusFromRow(row), failingSince: row.failing_since ?? row.updated_at };
}

/**
 * The failing_since value of an update, in SQL: a final state clears it; a failure (an update with a code) keeps the
 * first one; the start of an attempt (no code) leaves it. `state` and `code` are the update's placeholders.
 */
export function failingSinceSql(state: string, code: string, now: string): string {
  return `CASE WHEN ${state} IN (${FINAL_STATES_SQL}) THEN NULL WHEN ${code} IS NOT NULL THEN COALESCE(failing_since, ${now}) ELSE failing_since END`;
}

/** The code and reason of an update, in SQL: the start of another try (in progress, no code) keeps the last failure's. */
export function lastFailureSql(state: string, code: string, reason: string): string {
  const keep = `${state} = 'in-progress' AND ${code} IS NULL`;
  return `code = CASE WHEN ${keep} THEN code ELSE ${code} END, reason = CASE WHEN ${keep} THEN reason ELSE ${reason} END`;
}

/** Whether a parent already holds the outcome its parts give it (settling it again would change nothing). */
export function holdsSettlement(row: MessageStatusRow, settled: PartsSettlement): boolean {
  return row.state === settled.state && row.code === settled.code && row.reason === settled.reason;
}

/**
 * The guard of a replay's reopen, in SQL: only the dead letter the replay began with goes back to accepted (still
 * dead-lettered, not updated since `replayedAt`, the replay's placeholder). The replay publishes before it reopens, so
 * a replayed copy may already have ended (delivered, rejected, dead-lettered again), and its outcome stands.
 */
export function reopensSql(replayedAt: string): string {
  return `state = 'dead-lettered' AND updated_at <= ${replayedAt}`;
}

/** The guard of a status update, in SQL: a final state is written over anything, any other state only over a non-final one. */
export function statusMovesSql(state: string): string {
  return `(${state} IN (${FINAL_STATES_SQL}) OR state NOT IN (${FINAL_STATES_SQL}))`;
}
