// Applies an owner's pending schema migrations to a SQLite database, once each, holding the write lock.
import type Database from 'better-sqlite3';
import { MIGRATIONS_TABLE, pendingMigrations, type AppliedMigration, type Migration } from '../migrations';

/** A SQLite migration: runs inside the migrator's transaction and must not open one of its own. */
export type SqliteMigration = Migration<(db: Database.Database) => void>;

/**
 * Brings `owner`'s schema up to the last of `migrations` and returns what it applied. BEGIN IMMEDIATE takes the write
 * lock before the recorded version is read, so a second process opening the same file waits and then finds nothing
 * to do; all pending steps commit together or not at all.
 */
export function migrateSqlite(db: Database.Database, owner: string, migrations: readonly SqliteMigration[]): AppliedMigration[] {
  // An up-to-date database is only read: a second reader of a busy file (the audit CLI beside a running bus) does not
  // wait for the write lock it would not use.
  if (pendingMigrations(owner, recordedVersion(db, owner), migrations).length === 0) return [];
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
      owner TEXT NOT NULL,
      version INTEGER NOT NULL,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL,
      PRIMARY KEY (owner, version)
    )`);
    const pending = pendingMigrations(owner, recordedVersion(db, owner), migrations);
    const record = db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (owner, version, name, applied_at) VALUES (?, ?, ?, ?)`);
    for (const migration of pending) {
      migration.up(db);
      record.run(owner, migration.version, migration.name, new Date().toISOString());
    }
    db.exec('COMMIT');
    return pending.map(({ version, name }) => ({ owner, version, name }));
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function recordedVersion(db: Database.Database, owner: string): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(MIGRATIONS_TABLE);
  if (table === undefined) return 0;
  const recorded = db.prepare<[string], { version: number | null }>(`SELECT max(version) AS version FROM ${MIGRATIONS_TABLE} WHERE owner = ?`).get(owner);
  return recorded?.version ?? 0;
}

/** Whether `table` has `column`: a step adding a column checks first, because a database made before versions were recorded may have it. */
export function sqliteHasColumn(db: Database.Database, table: string, column: string): boolean {
  return db.prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)').all(table).some((c) => c.name === column);
}
