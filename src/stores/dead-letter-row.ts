// Maps a stored dead-letter row (SQLite or PostgreSQL) back to the transport's DeadLetter.
import { parseEnvelope } from '../core/envelope';
import type { DeadLetter, DeliveryFailure } from '../transport/transport';

export interface DeadLetterRow {
  id: string;
  route: string;
  code: string;
  reason: string;
  envelope: string;
  history: string;
  dead_at: string | Date;
  replayed_at: string | Date | null;
}

const iso = (value: string | Date): string => (value instanceof Date ? value.toISOString() : value);

export function deadLetterFromRow(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    route: row.route,
    code: row.code,
    reason: row.reason,
    envelope: parseEnvelope(row.envelope),
    history: JSON.parse(row.history) as DeliveryFailure[],
    deadAt: iso(row.dead_at),
    replayedAt: row.replayed_at === null ? null : iso(row.replayed_at),
  };
}
