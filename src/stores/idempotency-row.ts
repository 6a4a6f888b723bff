// The stored form of an Idempotency-Key claim, the same in SQLite and PostgreSQL.
import type { IdempotencyRecord } from './stores';

export interface IdempotencyRow {
  message_id: string;
  correlation_id: string;
  payload_digest: string;
  state: IdempotencyRecord['state'];
  /** BIGINT comes back from pg as a string. */
  claimed_at_ms: string | number;
}

export function idempotencyRecordFromRow(row: IdempotencyRow): IdempotencyRecord {
  return { messageId: row.message_id, correlationId: row.correlation_id, payloadDigest: row.payload_digest, state: row.state, claimedAtMs: Number(row.claimed_at_ms) };
}
