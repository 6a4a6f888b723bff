// Every `npm test` run gets a PostgreSQL database of its own, created before the first suite and dropped after
// the last. The machine's database `test` is shared with benches, chaos runs and other checkouts; a schema
// migrated there by a newer checkout would make this one's buses refuse to start (SchemaNewerThanCodeError),
// and rows left by an earlier run would be read by this one. TEST_DATABASE_URL, when set, is used as given.
import { Client } from 'pg';

const SERVER_URL = 'postgres://postgres@127.0.0.1:5432/test';
const RUN_DATABASE_PREFIX = 'lgsp_test_run_';
/** A run database older than this is a leftover of a killed run and is dropped by the next run. */
const LEFTOVER_AGE_MS = 6 * 60 * 60 * 1000;

async function onServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function createdAt(database: string): number {
  return Number.parseInt(database.slice(RUN_DATABASE_PREFIX.length).split('_')[0] ?? '', 36);
}

export async function createRunDatabase(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) return;
  const name = `${RUN_DATABASE_PREFIX}${Date.now().toString(36)}_${process.pid}`;
  await onServer(async (client) => {
    const existing = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${RUN_DATABASE_PREFIX}%`]);
    for (const { datname } of existing.rows) {
      if (Date.now() - createdAt(datname) > LEFTOVER_AGE_MS) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await client.query(`CREATE DATABASE "${name}"`);
  });
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  process.env.TEST_DATABASE_URL = url.toString();
  process.env.LGSP_TEST_RUN_DATABASE = name;
}

export async function dropRunDatabase(): Promise<void> {
  const name = process.env.LGSP_TEST_RUN_DATABASE;
  if (!name) return;
  await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
