// Where a transport keeps its dead letters, and the SQL both dialects share: row mapping and the list's WHERE clause.
import { parseEnvelope } from '../../core/envelope';
import type { DeadLetter, DeadLetterFilter, DeliveryFailure } from '../transport';

/** A transport's dead letters: searchable, replayable, never deleted by the bus. */
export interface DeadLetterTable {
  /** Stores a letter; a letter with the same id already stored is left as it is. */
  put(letter: DeadLetter): Promise<void>;
  list(filter: DeadLetterFilter): Promise<DeadLetter[]>;
  markReplayed(ids: string[], at: string): Promise<void>;
  /** Letters not yet replayed, per route (a route with none is absent). */
  countByRoute(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** The query of countByRoute, the same on SQLite and PostgreSQL. */
export function deadLetterCountSql(table: string): string {
  return `SELECT route, count(*) AS n FROM ${table} WHERE replayed_at IS NULL GROUP BY route`;
}

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

/** The columns of a dead-letter table in insert order, and a letter's values for them. */
export const DEAD_LETTER_COLUMNS = 'id, message_id, route, type, subject, code, reason, envelope, history, dead_at, replayed_at';

export function deadLetterValues(letter: DeadLetter): (string | null)[] {
  return [
    letter.id,
    letter.envelope.id,
    letter.route,
    letter.envelope.type,
    letter.envelope.subject,
    letter.code,
    letter.reason,
    JSON.stringify(letter.envelope),
    JSON.stringify(letter.history),
    letter.deadAt,
    letter.replayedAt,
  ];
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

export function limitOf(filter: DeadLetterFilter): number {
  return Math.min(Math.max(filter.limit ?? 100, 1), 10_000);
}

/** Builds the WHERE clause of a dead-letter query; placeholder() gives `?` (SQLite) or `$n` (PostgreSQL). */
export function deadLetterWhere(filter: DeadLetterFilter, placeholder: (n: number) => string): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', placeholder(params.length)));
  };
  if (!filter.includeReplayed) clauses.push('replayed_at IS NULL');
  if (filter.messageId) add('message_id = ?', filter.messageId);
  if (filter.route) add('route = ?', filter.route);
  if (filter.type) add('type = ?', filter.type);
  if (filter.subject) add('subject = ?', filter.subject);
  if (filter.code) add('code = ?', filter.code);
  if (filter.since) add('dead_at >= ?', filter.since);
  if (filter.until) add('dead_at < ?', filter.until);
  if (filter.ids) {
    if (filter.ids.length === 0) clauses.push('1 = 0');
    else {
      const marks = filter.ids.map((id) => {
        params.push(id);
        return placeholder(params.length);
      });
      clauses.push(`id IN (${marks.join(', ')})`);
    }
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** The shape of a dead-letter table and its indexes, named `table`: the same SQL on SQLite and PostgreSQL. */
export function deadLetterTableDdl(table: string): string {
  return `
      CREATE TABLE IF NOT EXISTS ${table} (
        id TEXT PRIMARY KEY,
        message_id TEXT NOT NULL,
        route TEXT NOT NULL,
        type TEXT NOT NULL,
        subject TEXT,
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        envelope TEXT NOT NULL,
        history TEXT NOT NULL,
        dead_at TEXT NOT NULL,
        replayed_at TEXT
      );
      CREATE INDEX IF NOT EXISTS ${table}_message ON ${table}(message_id);
      CREATE INDEX IF NOT EXISTS ${table}_dead_at ON ${table}(dead_at);
`;
}
