// A transport's dead letters in a SQLite table: the embedded transport's in its queue file, RabbitMQ's beside the
// bus's SQLite stores.
import type { SqliteDatabase } from '../../stores/sqlite/sqlite-stores';
import type { DeadLetter, DeadLetterFilter } from '../transport';
import { DEAD_LETTER_COLUMNS, deadLetterCountSql, deadLetterFromRow, deadLetterValues, deadLetterWhere, limitOf, type DeadLetterRow, type DeadLetterTable } from './dead-letter-table';

export class SqliteDeadLetters implements DeadLetterTable {
  private readonly insertStmt;
  private readonly markStmt;

  /** `closeDb`: whether close() closes the database too (the table's owner opened it for this table alone). */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly table: string,
    private readonly closeDb = false,
  ) {
    this.insertStmt = db.prepare(`INSERT OR IGNORE INTO ${table} (${DEAD_LETTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.markStmt = db.prepare(`UPDATE ${table} SET replayed_at = ? WHERE id = ?`);
  }

  /** Synchronous insert, so the embedded transport moves a message to its dead letters in one transaction. */
  putSync(letter: DeadLetter): void {
    this.insertStmt.run(...deadLetterValues(letter));
  }

  /** Synchronous, to join the caller's transaction (the embedded transport's replay). */
  markReplayedSync(ids: string[], at: string): void {
    this.db.transaction(() => ids.forEach((id) => this.markStmt.run(at, id)))();
  }

  async put(letter: DeadLetter): Promise<void> {
    this.putSync(letter);
  }

  async list(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    const { where, params } = deadLetterWhere(filter, () => '?');
    const rows = this.db
      .prepare<unknown[], DeadLetterRow>(`SELECT * FROM ${this.table} ${where} ORDER BY dead_at, id LIMIT ${limitOf(filter)}`)
      .all(...params);
    return rows.map(deadLetterFromRow);
  }

  async markReplayed(ids: string[], at: string): Promise<void> {
    this.markReplayedSync(ids, at);
  }

  async countByRoute(): Promise<Record<string, number>> {
    const rows = this.db.prepare<[], { route: string; n: number }>(deadLetterCountSql(this.table)).all();
    return Object.fromEntries(rows.map((row) => [row.route, Number(row.n)]));
  }

  async close(): Promise<void> {
    if (this.closeDb && this.db.open) this.db.close();
  }
}
