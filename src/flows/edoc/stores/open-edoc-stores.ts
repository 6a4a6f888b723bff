// Opens the e-document stores next to the bus's own: PostgreSQL when the bus has a database URL, else SQLite in the data dir.
import path from 'node:path';
import { openSqlite } from '../../../stores/sqlite/sqlite-stores';
import type { EdocStores } from './edoc-store';
import { PostgresEdocStores } from './postgres-edoc-stores';
import { SqliteEdocStores } from './sqlite-edoc-stores';

export async function openEdocStores(stores: { databaseUrl: string | null; dataDir: string }): Promise<EdocStores> {
  if (stores.databaseUrl) return PostgresEdocStores.open(stores.databaseUrl);
  const dataDir = path.resolve(stores.dataDir);
  return new SqliteEdocStores(openSqlite(path.join(dataDir, 'edoc.db')), path.join(dataDir, 'edoc-blobs'));
}
