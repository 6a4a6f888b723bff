// The RabbitMQ transport's dead letters: a table it owns (its own schema owner and migrations, its own connection) in
// the bus's database, so the console lists, filters and replays them by id (docs/decisions.md: why not a queue).
import type { ClientBase } from 'pg';
import { openMigratedPool, type PostgresMigration } from '../../stores/postgres/postgres-migrator';
import { migrateSqlite, type SqliteMigration } from '../../stores/sqlite/sqlite-migrator';
import { openSqlite } from '../../stores/sqlite/sqlite-stores';
import type { DeadLetter, DeadLetterFilter } from '../transport';
import { DEAD_LETTER_COLUMNS, deadLetterCountSql, deadLetterFromRow, deadLetterTableDdl, deadLetterValues, deadLetterWhere, limitOf, type DeadLetterRow, type DeadLetterTable } from '../dead-letters/dead-letter-table';
import { SqliteDeadLetters } from '../dead-letters/sqlite-dead-letters';
import type { Pool } from 'pg';

/** Where the transport keeps its dead letters: the bus's PostgreSQL database, or its SQLite file. */
export type AmqpDeadLetterDatabase = { postgresUrl: string } | { sqliteFile: string };

/** Owner name of the transport's dead-letter table in schema_migrations. */
export const AMQP_DEAD_LETTERS_OWNER = 'amqp-dead-letters';

const TABLE = 'amqp_dead_letters';

/** The stores' former dead-letter tables: their rows are carried into the transport's table, then they are dropped. */
const FORMER_POSTGRES_TABLE = 'bus_dead_letters';
const FORMER_SQLITE_TABLE = 'dead_letters';

export const POSTGRES_AMQP_DEAD_LETTER_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'amqp_dead_letters, with the rows of the stores\' bus_dead_letters carried over',
    up: async (client: ClientBase) => {
      await client.query(deadLetterTableDdl(TABLE));
      const former = await client.query<{ present: string | null }>(`SELECT to_regclass('${FORMER_POSTGRES_TABLE}')::text AS present`);
      if (former.rows[0]?.present === null) return;
      await client.query(`INSERT INTO ${TABLE} (${DEAD_LETTER_COLUMNS}) SELECT ${DEAD_LETTER_COLUMNS} FROM ${FORMER_POSTGRES_TABLE} ON CONFLICT (id) DO NOTHING`);
      await client.query(`DROP TABLE ${FORMER_POSTGRES_TABLE}`);
    },
  },
];

export const SQLITE_AMQP_DEAD_LETTER_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'amqp_dead_letters, with the rows of the stores\' dead_letters carried over',
    up: (db) => {
      db.exec(deadLetterTableDdl(TABLE));
      const former = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(FORMER_SQLITE_TABLE);
      if (former === undefined) return;
      db.exec(`INSERT OR IGNORE INTO ${TABLE} (${DEAD_LETTER_COLUMNS}) SELECT ${DEAD_LETTER_COLUMNS} FROM ${FORMER_SQLITE_TABLE}`);
      db.exec(`DROP TABLE ${FORMER_SQLITE_TABLE}`);
    },
  },
];

class PostgresDeadLetters implements DeadLetterTable {
  constructor(private readonly pool: Pool) {}
  async put(letter: DeadLetter): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${TABLE} (${DEAD_LETTER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
      deadLetterValues(letter),
    );
  }
  async list(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    const { where, params } = deadLetterWhere(filter, (n) => `$${n}`);
    const result = await this.pool.query<DeadLetterRow>(`SELECT * FROM ${TABLE} ${where} ORDER BY dead_at, id LIMIT ${limitOf(filter)}`, params);
    return result.rows.map(deadLetterFromRow);
  }
  async markReplayed(ids: string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(`UPDATE ${TABLE} SET replayed_at = $1 WHERE id = ANY($2)`, [at, ids]);
  }
  async countByRoute(): Promise<Record<string, number>> {
    // count(*) is a bigint, which pg hands over as a string.
    const result = await this.pool.query<{ route: string; n: string }>(deadLetterCountSql(TABLE));
    return Object.fromEntries(result.rows.map((row) => [row.route, Number(row.n)]));
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Opens the transport's dead-letter table, bringing its schema up to date (and carrying the stores' former letters over). */
export async function openAmqpDeadLetters(database: AmqpDeadLetterDatabase): Promise<DeadLetterTable> {
  if ('postgresUrl' in database) {
    return new PostgresDeadLetters(await openMigratedPool(database.postgresUrl, 2, AMQP_DEAD_LETTERS_OWNER, POSTGRES_AMQP_DEAD_LETTER_MIGRATIONS));
  }
  const db = openSqlite(database.sqliteFile);
  try {
    migrateSqlite(db, AMQP_DEAD_LETTERS_OWNER, SQLITE_AMQP_DEAD_LETTER_MIGRATIONS);
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteDeadLetters(db, TABLE, true);
}
