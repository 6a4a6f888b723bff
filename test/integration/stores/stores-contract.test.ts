// The stores contract on both backends: SQLite (the embedded default) and the real PostgreSQL.
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { PgGroupCommit } from '../../../src/stores/postgres/pg-group-commit';
import { PostgresMessageStatusStore, PostgresStores } from '../../../src/stores/postgres/postgres-stores';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';
import { storesContract } from '../../../testkit/contracts/stores-contract';
import { DATABASE_URL, uniqueName } from '../../../testkit/env';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';

storesContract('sqlite', async () => new SqliteStores(openSqlite(':memory:')));
// A schema of its own: the contract writes a refresh of the procedure catalogue, which a later suite's bus would load.
const contractSchema = uniqueName('storescontract').replace(/-/g, '_');
storesContract('postgres', async () => {
  await createSchema(contractSchema);
  return PostgresStores.open(schemaUrl(contractSchema));
});
afterAll(() => dropSchema(contractSchema));

describe('PostgreSQL: settling a fan-out parent from its parts', () => {
  test('a part that does not end last opens no transaction; the last one settles the parent in one', async () => {
    // The migrated tables; then the status store on a pool whose connection checkouts are counted (a transaction holds
    // one, the group commit has connections of its own).
    await (await PostgresStores.open(DATABASE_URL)).close();
    const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
    const grouped = new PgGroupCommit(DATABASE_URL);
    let checkouts = 0;
    pool.on('acquire', () => checkouts++);
    const messages = new PostgresMessageStatusStore(grouped, pool);
    try {
      const parent = randomUUID();
      const base = { correlationId: parent, type: 't.x', source: 'c', subject: 'S', route: 'r', acceptedAt: new Date().toISOString() };
      await messages.accepted({ ...base, messageId: parent, causationId: null, destination: null });
      const parts = [randomUUID(), randomUUID(), randomUUID()];
      for (const [i, id] of parts.entries()) await messages.accepted({ ...base, messageId: id, causationId: parent, destination: `D${i}` });
      await messages.fannedOut(parent);
      for (const id of parts.slice(0, 2)) {
        await messages.update(id, { state: 'delivered' });
        expect(await messages.settleFromParts(parent)).toBeNull();
      }
      expect(checkouts).toBe(0);
      await messages.update(parts[2]!, { state: 'rejected', code: 'PUSH_HTTP_422', reason: 'refused' });
      expect(await messages.settleFromParts(parent)).toMatchObject({ state: 'partially-delivered', code: 'PUSH_HTTP_422' });
      expect(checkouts).toBe(1);
      expect(await messages.get(parent)).toMatchObject({ state: 'partially-delivered' });
    } finally {
      await grouped.close();
      await pool.end();
    }
  });
});
