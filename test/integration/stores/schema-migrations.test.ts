// Versioned schema migrations on real SQLite files and the real PostgreSQL (a schema of its own per test): a fresh
// database gets every version, a database made by the code from before versions were recorded is adopted, a second run
// applies nothing, concurrent PostgreSQL migrators apply each version once, and a newer recorded version refuses.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { PostgresAuditStore } from '../../../src/audit/postgres-audit-store';
import { SchemaNewerThanCodeError } from '../../../src/stores/migrations';
import { migratePostgres, type PostgresMigration } from '../../../src/stores/postgres/postgres-migrator';
import { POSTGRES_STORE_MIGRATIONS } from '../../../src/stores/postgres/postgres-store-migrations';
import { PostgresStores } from '../../../src/stores/postgres/postgres-stores';
import { migrateSqlite, type SqliteMigration } from '../../../src/stores/sqlite/sqlite-migrator';
import { SQLITE_STORE_MIGRATIONS } from '../../../src/stores/sqlite/sqlite-store-migrations';
import { openSqlite, SqliteStores, type SqliteDatabase } from '../../../src/stores/sqlite/sqlite-stores';
import { EMBEDDED_QUEUE_MIGRATIONS } from '../../../src/transport/embedded/embedded-queue-migrations';
import { EmbeddedTransport } from '../../../src/transport/embedded/embedded-transport';
import { waitFor } from '../../../testkit/env';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';

const STORE_VERSIONS = SQLITE_STORE_MIGRATIONS.map((m) => m.version);

describe('SQLite', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-migrations-'));
    file = path.join(dir, 'stores.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function recorded(db: SqliteDatabase, owner: string): number[] {
    return db.prepare<[string], { version: number }>('SELECT version FROM schema_migrations WHERE owner = ? ORDER BY version').all(owner).map((r) => r.version);
  }

  test('a fresh file gets every version of every owner on it, recorded once; a second run applies nothing', async () => {
    const db = openSqlite(file);
    const transport = new EmbeddedTransport({ db, deliveryLimit: 5 });
    // The transport's own versions only: its queue and its dead letters, none of the stores'.
    expect(recorded(db, 'stores')).toEqual([]);
    expect(recorded(db, 'embedded-transport')).toEqual(EMBEDDED_QUEUE_MIGRATIONS.map((m) => m.version));
    expect(migrateSqlite(db, 'embedded-transport', EMBEDDED_QUEUE_MIGRATIONS)).toEqual([]);
    await transport.close();
    db.close();
    // The stores on the same file (one owner beside the other): their versions, once.
    const reopened = openSqlite(file);
    new SqliteStores(reopened);
    expect(recorded(reopened, 'stores')).toEqual(STORE_VERSIONS);
    expect(migrateSqlite(reopened, 'stores', SQLITE_STORE_MIGRATIONS)).toEqual([]);
    reopened.close();
  });

  test('a file made before versions were recorded is adopted: its rows stay and missing steps are added', () => {
    const old = openSqlite(file);
    // The old code path of a release before the waiting column: version 1's SQL, no migrations table.
    SQLITE_STORE_MIGRATIONS[0]?.up(old);
    old.prepare("INSERT INTO effects (key, message_id, done_at) VALUES ('k', 'm', '2026-01-01T00:00:00Z')").run();
    old.close();

    const db = openSqlite(file);
    expect(migrateSqlite(db, 'stores', SQLITE_STORE_MIGRATIONS).map((m) => m.version)).toEqual(STORE_VERSIONS);
    expect(db.prepare('SELECT key FROM effects').all()).toEqual([{ key: 'k' }]);
    const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('message_status')").all().map((c) => c.name);
    expect(columns).toContain('failing_since');
    db.close();
  });

  test('a file made by the last release before versions were recorded (every ad hoc step already there) is adopted without error', () => {
    const old = openSqlite(file);
    for (const migration of SQLITE_STORE_MIGRATIONS) migration.up(old);
    old.close();
    const db = openSqlite(file);
    expect(migrateSqlite(db, 'stores', SQLITE_STORE_MIGRATIONS).map((m) => m.version)).toEqual(STORE_VERSIONS);
    db.close();
  });

  test('a failing step leaves nothing of the run behind', () => {
    const db = openSqlite(file);
    const failing: SqliteMigration[] = [
      { version: 1, name: 'one', up: (d) => d.exec('CREATE TABLE one (x INTEGER)') },
      { version: 2, name: 'broken', up: (d) => d.exec('CREATE TABLE two (') },
    ];
    expect(() => migrateSqlite(db, 'failing', failing)).toThrow();
    // Not even the migrations table the run created stays.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('one', 'schema_migrations')").all()).toEqual([]);
    db.close();
  });

  test('a newer recorded version refuses to start, naming the owner and both versions', () => {
    const db = openSqlite(file);
    new SqliteStores(db);
    db.prepare("INSERT INTO schema_migrations (owner, version, name, applied_at) VALUES ('stores', 99, 'from the future', '2030-01-01')").run();
    db.close();
    const again = openSqlite(file);
    expect(() => new SqliteStores(again)).toThrow(SchemaNewerThanCodeError);
    expect(() => migrateSqlite(again, 'stores', SQLITE_STORE_MIGRATIONS)).toThrow(`schema of stores is at version 99 but this release knows versions up to ${STORE_VERSIONS.length}`);
    again.close();
  });
});

describe('PostgreSQL', () => {
  let schema: string;
  const clients: Client[] = [];
  beforeEach(async () => {
    schema = `migrations_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await createSchema(schema);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end().catch(() => undefined);
    await dropSchema(schema);
  });

  async function connect(): Promise<Client> {
    const client = new Client({ connectionString: schemaUrl(schema) });
    await client.connect();
    clients.push(client);
    return client;
  }
  async function recorded(owner: string): Promise<number[]> {
    const client = await connect();
    return (await client.query<{ version: number }>('SELECT version FROM schema_migrations WHERE owner = $1 ORDER BY version', [owner])).rows.map((r) => r.version);
  }

  test('a fresh schema gets every version; a second run applies nothing', async () => {
    const stores = await PostgresStores.open(schemaUrl(schema));
    await stores.close();
    expect(await recorded('stores')).toEqual(STORE_VERSIONS);
    expect(await migratePostgres(await connect(), 'stores', POSTGRES_STORE_MIGRATIONS)).toEqual([]);
    const again = await PostgresStores.open(schemaUrl(schema));
    await again.close();
    expect(await recorded('stores')).toEqual(STORE_VERSIONS);
  });

  test('a schema made before versions were recorded is adopted: its rows stay and missing steps are added', async () => {
    const old = await connect();
    // The old code path of a release before the waiting column: version 1's SQL, no migrations table.
    await old.query(String(POSTGRES_STORE_MIGRATIONS[0]?.up));
    await old.query("INSERT INTO bus_effects (key, message_id) VALUES ('k', 'm')");
    const stores = await PostgresStores.open(schemaUrl(schema));
    await stores.close();
    expect(await recorded('stores')).toEqual(STORE_VERSIONS);
    expect((await old.query('SELECT key FROM bus_effects')).rows).toEqual([{ key: 'k' }]);
    const columns = await old.query("SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'bus_message_status' AND column_name = 'failing_since'", [schema]);
    expect(columns.rowCount).toBe(1);
  });

  test('two migrators starting at once apply each version once: the second waits on the lock, then finds nothing to do', async () => {
    let runs = 0;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let insideFirst = false;
    const migrations: PostgresMigration[] = [
      {
        version: 1,
        name: 'gated',
        up: async (client) => {
          runs += 1;
          insideFirst = true;
          await gate;
          await client.query('CREATE TABLE gated (x INTEGER)');
        },
      },
      { version: 2, name: 'second', up: 'ALTER TABLE gated ADD COLUMN y INTEGER' },
    ];
    const [a, b, observer] = [await connect(), await connect(), await connect()];
    const bPid = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const first = migratePostgres(a, 'gated', migrations);
    await waitFor(() => insideFirst, 10_000, 'the first migrator inside version 1');
    const second = migratePostgres(b, 'gated', migrations);
    await waitFor(
      async () => (await observer.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid = $1", [bPid])).rowCount === 1,
      10_000,
      'the second migrator waiting on the advisory lock',
    );
    open();
    expect((await first).map((m) => m.version)).toEqual([1, 2]);
    expect(await second).toEqual([]);
    expect(runs).toBe(1);
    expect(await recorded('gated')).toEqual([1, 2]);
  });

  test('bus processes opening the stores at once on a fresh schema all start, and each version is recorded once', async () => {
    const opened = await Promise.all([1, 2, 3].map(() => PostgresStores.open(schemaUrl(schema))));
    await Promise.all(opened.map((s) => s.close()));
    expect(await recorded('stores')).toEqual(STORE_VERSIONS);
  });

  test('a newer recorded version refuses to start, naming the owner and both versions', async () => {
    const stores = await PostgresStores.open(schemaUrl(schema));
    await stores.close();
    const client = await connect();
    await client.query("INSERT INTO schema_migrations (owner, version, name) VALUES ('stores', 99, 'from the future'), ('audit:audit_', 7, 'from the future')");
    await expect(PostgresStores.open(schemaUrl(schema))).rejects.toThrow(`schema of stores is at version 99 but this release knows versions up to ${STORE_VERSIONS.length}`);
    // The audit store retries an unreachable database on first use, but a newer schema is refused at once.
    await expect(PostgresAuditStore.open({ databaseUrl: schemaUrl(schema) })).rejects.toBeInstanceOf(SchemaNewerThanCodeError);
  });
});
