// A PostgreSQL schema of a run's own (bench, chaos): the bus's stores and audit tables start empty and are dropped
// afterwards, so one run neither reads nor grows another's tables.
import { Client as PgClient } from 'pg';
import { DATABASE_URL } from './env';

/** The database URL with `schema` first on the search path. */
export function schemaUrl(schema: string): string {
  const url = new URL(DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function run(sql: string): Promise<void> {
  const pg = new PgClient({ connectionString: DATABASE_URL });
  await pg.connect();
  try {
    await pg.query(sql);
  } finally {
    await pg.end().catch(() => undefined);
  }
}

export async function createSchema(schema: string): Promise<void> {
  await run(`CREATE SCHEMA ${schema}`);
}

export async function dropSchema(schema: string): Promise<void> {
  await run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}
