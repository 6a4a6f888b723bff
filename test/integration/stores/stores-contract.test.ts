// The stores contract on both backends: SQLite (the embedded default) and the real PostgreSQL.
import { PostgresStores } from '../../../src/stores/postgres/postgres-stores';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';
import { storesContract } from '../../../testkit/contracts/stores-contract';
import { DATABASE_URL } from '../../../testkit/env';

storesContract('sqlite', async () => new SqliteStores(openSqlite(':memory:')));
storesContract('postgres', () => PostgresStores.open(DATABASE_URL));
