// Applies an owner's pending schema migrations to a PostgreSQL database, once each, under an advisory lock.
import { Pool, type ClientBase } from 'pg';
import { MIGRATIONS_TABLE, pendingMigrations, type AppliedMigration, type Migration } from '../migrations';

/** A PostgreSQL migration: SQL text, or a function for a step that must look before it acts; runs inside the migrator's transaction. */
export type PostgresMigration = Migration<string | ((client: ClientBase) => Promise<void>)>;

/**
 * Brings `owner`'s schema up to the last of `migrations` and returns what it applied. Several bus processes may start
 * at once: each takes a transaction-scoped advisory lock (one per schema on the search path, shared by every owner, as
 * they share the migrations table) before reading the recorded version, so each step runs once; the lock ends with the
 * transaction, whatever happens to the connection. All pending steps commit together or not at all.
 */
export async function migratePostgres(client: ClientBase, owner: string, migrations: readonly PostgresMigration[]): Promise<AppliedMigration[]> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('${MIGRATIONS_TABLE}:' || coalesce(current_schema(), '')))`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
      owner TEXT NOT NULL,
      version INTEGER NOT NULL,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (owner, version)
    )`);
    const recorded = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${MIGRATIONS_TABLE} WHERE owner = $1`, [owner]);
    const pending = pendingMigrations(owner, recorded.rows[0]?.version ?? 0, migrations);
    for (const migration of pending) {
      if (typeof migration.up === 'string') await client.query(migration.up);
      else await migration.up(client);
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (owner, version, name) VALUES ($1, $2, $3)`, [owner, migration.version, migration.name]);
    }
    await client.query('COMMIT');
    return pending.map(({ version, name }) => ({ owner, version, name }));
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Forgets `owner`'s recorded versions, for a caller that has just dropped that owner's tables (tests and tear-down only). */
export async function forgetPostgresMigrations(db: Pool | ClientBase, owner: string): Promise<void> {
  const table = await db.query<{ present: string | null }>(`SELECT to_regclass('${MIGRATIONS_TABLE}')::text AS present`);
  if (table.rows[0]?.present === null) return;
  await db.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE owner = $1`, [owner]);
}

/**
 * A pool on `connectionString` with `owner`'s schema brought up to date. An idle client losing its server (PostgreSQL
 * restarting) emits 'error' on the pool; the next query reconnects. A database that cannot be reached or migrated
 * leaves no pool behind to hold the process open.
 */
export async function openMigratedPool(connectionString: string, max: number, owner: string, migrations: readonly PostgresMigration[]): Promise<Pool> {
  const pool = new Pool({ connectionString, max, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, owner, migrations);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return pool;
}
