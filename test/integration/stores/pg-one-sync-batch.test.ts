// A batch of prepared statements with one Sync, against the real PostgreSQL: each statement's own result, typed as
// node-postgres types them; the whole answer in one packet; one implicit transaction (a failing statement undoes the
// ones before it and skips the ones after); names parsed once per connection; unnamed statements parsed each time; a
// connection lost under a batch rejects it.
import { Client, DatabaseError, Pool } from 'pg';
import { OneSyncBatch, type BatchStatement } from '../../../src/stores/postgres/pg-one-sync-batch';
import { DATABASE_URL, uniqueName } from '../../../testkit/env';

describe('OneSyncBatch (PostgreSQL)', () => {
  const admin = new Pool({ connectionString: DATABASE_URL, max: 2 });
  const table = uniqueName('osb').replace(/-/g, '_');
  const clients: Client[] = [];
  const connected = async () => {
    const client = new Client({ connectionString: DATABASE_URL });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
    return client;
  };
  const insert = (k: string, n: number | string | null, v: string | null = 'x'): BatchStatement => ({
    name: `${table}_insert`,
    text: `INSERT INTO ${table} (k, v, n) VALUES ($1, $2, $3) RETURNING n, created`,
    params: [k, v, n],
  });
  const keys = async (prefix: string) => (await admin.query<{ k: string }>(`SELECT k FROM ${table} WHERE k LIKE $1 ORDER BY k`, [`${prefix}%`])).rows.map((r) => r.k);

  beforeAll(async () => {
    await admin.query(`CREATE TABLE ${table} (k TEXT PRIMARY KEY, v TEXT, n BIGINT, flag BOOLEAN DEFAULT true, created TIMESTAMPTZ DEFAULT now())`);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });

  test('each statement gets its own result, typed as node-postgres types them', async () => {
    const client = await connected();
    const results = await client.query(
      new OneSyncBatch([
        insert('typed-1', 41),
        insert('typed-2', null, 'Nguyễn Thị Hoà'),
        { name: `${table}_select`, text: `SELECT k, v, n, flag, created FROM ${table} WHERE k LIKE $1 ORDER BY k`, params: ['typed-%'] },
        { name: `${table}_update`, text: `UPDATE ${table} SET n = n + $2 WHERE k = $1`, params: ['typed-1', 1] },
        { name: `${table}_update`, text: `UPDATE ${table} SET n = n + $2 WHERE k = $1`, params: ['nobody', 1] },
      ]),
    ).answered;
    expect(results.map((r) => [r.command, r.rowCount])).toEqual([['INSERT', 1], ['INSERT', 1], ['SELECT', 2], ['UPDATE', 1], ['UPDATE', 0]]);
    expect(results[0]!.rows[0]!.n).toBe('41'); // BIGINT as text, as node-postgres gives it
    expect(results[0]!.rows[0]!.created).toBeInstanceOf(Date);
    const rows = results[2]!.rows;
    expect(rows.map((r) => [r.k, r.v, r.n, r.flag])).toEqual([
      ['typed-1', 'x', '41', true],
      ['typed-2', 'Nguyễn Thị Hoà', null, true],
    ]);
    expect(results[2]!.fields.map((f) => f.name)).toEqual(['k', 'v', 'n', 'flag', 'created']);
  });

  test('the whole batch is answered in one packet and committed as one transaction', async () => {
    const client = await connected();
    let reads = 0;
    const count = () => reads++;
    client.connection.stream.on('data', count);
    try {
      await client.query(new OneSyncBatch(Array.from({ length: 10 }, (_, i) => insert(`packet-${i}`, i)))).answered;
    } finally {
      client.connection.stream.off('data', count);
    }
    // A statement each with its own Sync (and BEGIN, COMMIT) comes back in up to 12 packets.
    expect(reads).toBe(1);
    const transactions = await admin.query<{ n: string }>(`SELECT count(DISTINCT xmin::text)::text AS n FROM ${table} WHERE k LIKE 'packet-%'`);
    expect(transactions.rows[0]!.n).toBe('1');
  });

  test('a failing statement undoes the ones before it and skips the ones after: PostgreSQL’s own error', async () => {
    const client = await connected();
    const failed = client.query(new OneSyncBatch([insert('undone-1', 1), insert('undone-2', 'not a number'), insert('undone-3', 3)])).answered;
    await expect(failed).rejects.toBeInstanceOf(DatabaseError);
    await expect(failed).rejects.toMatchObject({ code: '22P02' });
    expect(await keys('undone-')).toEqual([]);
    // The connection answers again after the failed batch (its names are not relied on: unnamed here).
    const after = await client.query(new OneSyncBatch([{ name: '', text: 'SELECT 1 AS one', params: [] }])).answered;
    expect(after[0]!.rows).toEqual([{ one: 1 }]);
  });

  test('a name is parsed once per connection; unnamed statements are parsed each time', async () => {
    const client = await connected();
    for (let round = 0; round < 3; round++) {
      await client.query(new OneSyncBatch([insert(`named-${round}-a`, round), insert(`named-${round}-b`, round)])).answered;
    }
    const prepared = await client.query<{ name: string; plans: string }>(
      'SELECT name, (generic_plans + custom_plans)::text AS plans FROM pg_prepared_statements WHERE name = $1',
      [`${table}_insert`],
    );
    expect(prepared.rows).toEqual([{ name: `${table}_insert`, plans: '6' }]);
    const unnamed = await client.query(
      new OneSyncBatch([
        { name: '', text: 'SELECT $1::int + 1 AS n', params: [1] },
        { name: '', text: "SELECT $1::text || '!' AS s", params: ['hi'] },
      ]),
    ).answered;
    expect(unnamed.map((r) => r.rows[0])).toEqual([{ n: 2 }, { s: 'hi!' }]);
  });

  test('a COPY among the statements fails the batch and leaves the connection answering', async () => {
    const client = await connected();
    const copying = client.query(new OneSyncBatch([insert('copy-1', 1), { name: '', text: `COPY ${table} (k) FROM STDIN`, params: [] }])).answered;
    await expect(copying).rejects.toThrow(/COPY is not run in a batch/);
    expect(await keys('copy-')).toEqual([]);
    const after = await client.query(new OneSyncBatch([{ name: '', text: 'SELECT 2 AS two', params: [] }])).answered;
    expect(after[0]!.rows).toEqual([{ two: 2 }]);
  });

  test('a connection lost under a batch rejects it', async () => {
    const client = await connected();
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const slow = client.query(new OneSyncBatch([{ name: '', text: 'SELECT pg_sleep(5)', params: [] }])).answered;
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await expect(slow).rejects.toThrow();
  });
});
