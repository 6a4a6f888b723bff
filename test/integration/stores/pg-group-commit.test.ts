// Group commit against the real PostgreSQL: concurrent statements share round trips and commits, each caller still
// gets its own result or error, parameters survive any text (quotes, backslashes, Vietnamese), each statement is
// prepared once per connection, and a connection lost between batches is replaced.
import { createServer, type Socket } from 'node:net';
import { Pool } from 'pg';
import { PgGroupCommit } from '../../../src/stores/postgres/pg-group-commit';
import { DATABASE_URL, uniqueName } from '../../../testkit/env';

describe('PgGroupCommit (PostgreSQL)', () => {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 4 });
  const table = uniqueName('gc').replace(/-/g, '_');
  /** Transactions that inserted the table's rows: each row's xmin is its inserting transaction (other activity on the database does not count). */
  const insertingTransactions = async () => Number((await pool.query<{ n: string }>(`SELECT count(DISTINCT xmin::text)::text AS n FROM ${table}`)).rows[0]!.n);

  const opened: PgGroupCommit[] = [];
  const track = (grouped: PgGroupCommit) => (opened.push(grouped), grouped);

  beforeAll(async () => {
    await pool.query(`CREATE TABLE ${table} (k TEXT PRIMARY KEY, v TEXT, n BIGINT)`);
  });
  afterAll(async () => {
    await Promise.all(opened.map((g) => g.close()));
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  });

  test('200 concurrent inserts are committed in a few transactions, each resolved with its own result', async () => {
    const grouped = track(new PgGroupCommit(DATABASE_URL, { maxBatch: 100, concurrency: 1 }));
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => grouped.query<{ n: string }>(`INSERT INTO ${table} (k, v, n) VALUES ($1, $2, $3) RETURNING n`, [`k${i}`, `v${i}`, i])),
    );
    expect(results.map((r) => Number(r.rows[0]!.n))).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(Number((await pool.query<{ c: string }>(`SELECT count(*)::text AS c FROM ${table}`)).rows[0]!.c)).toBe(200);
    // Ungrouped this is 200 transactions; grouped (batches of at most 100) it is a handful.
    expect(await insertingTransactions()).toBeLessThan(20);
  });

  test('a failing statement fails only its own caller; the others of its batch are committed', async () => {
    const grouped = track(new PgGroupCommit(DATABASE_URL, { concurrency: 1 }));
    const outcomes = await Promise.allSettled([
      grouped.query(`INSERT INTO ${table} (k, v) VALUES ($1, $2)`, ['ok-1', 'a']),
      grouped.query(`INSERT INTO ${table} (k, n) VALUES ($1, $2)`, ['bad', 'not a number']),
      grouped.query(`INSERT INTO ${table} (k, v) VALUES ($1, $2)`, ['ok-2', 'b']),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const keys = (await pool.query<{ k: string }>(`SELECT k FROM ${table} WHERE k IN ('ok-1', 'ok-2', 'bad') ORDER BY k`)).rows.map((r) => r.k);
    expect(keys).toEqual(['ok-1', 'ok-2']);
  });

  test('text round-trips exactly: quotes, backslashes, dollar signs, Vietnamese NFC, SQL injection attempts', async () => {
    const grouped = track(new PgGroupCommit(DATABASE_URL));
    const values = ["O'Brien", 'back\\slash \\x00', '$1 $2 $$ E\'\'', 'Nguyễn Thị Hoà — Phường Tân Phú', "'); DROP TABLE x; --", '\u00a0\t\n'];
    await Promise.all(values.map((v, i) => grouped.query(`INSERT INTO ${table} (k, v) VALUES ($1, $2)`, [`text-${i}`, v])));
    const stored = await Promise.all(values.map((_, i) => grouped.query<{ v: string }>(`SELECT v FROM ${table} WHERE k = $1`, [`text-${i}`])));
    expect(stored.map((r) => r.rows[0]!.v)).toEqual(values);
  });

  test('each statement is prepared once on its connection and reused by later batches', async () => {
    const grouped = track(new PgGroupCommit(DATABASE_URL, { concurrency: 1 }));
    const insert = `INSERT INTO ${table} (k, v) VALUES ($1, $2)`;
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 5 }, (_, i) => grouped.query(insert, [`prepared-${round}-${i}`, 'x'])));
    }
    // Asked through the group commit, so on its (only) connection, whose prepared statements the view lists.
    const prepared = await grouped.query<{ statement: string; generic_plans: string; custom_plans: string }>(
      'SELECT statement, generic_plans::text, custom_plans::text FROM pg_prepared_statements WHERE statement = $1',
      [insert],
    );
    expect(prepared.rows).toHaveLength(1);
    expect(Number(prepared.rows[0]!.generic_plans) + Number(prepared.rows[0]!.custom_plans)).toBe(15);
  });

  test('a connection ended under it is replaced: the next batch commits', async () => {
    const grouped = track(new PgGroupCommit(DATABASE_URL, { concurrency: 1 }));
    const [pid] = (await grouped.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    await pool.query('SELECT pg_terminate_backend($1)', [pid!.pid]);
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => grouped.query(`INSERT INTO ${table} (k, v) VALUES ($1, $2)`, [`after-end-${i}`, 'y'])));
    expect(outcomes.map((o) => o.status)).toEqual(Array(10).fill('fulfilled'));
  });

  test('a batch that gets no connection fails every caller at once, without waiting for a connection for each again', async () => {
    // A server that takes connections and never answers: each connection attempt waits out the timeout.
    const held: Socket[] = [];
    let attempts = 0;
    const silent = createServer((socket) => {
      attempts++;
      held.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const grouped = track(new PgGroupCommit(`postgres://postgres@127.0.0.1:${port}/test`, { concurrency: 1, connectionTimeoutMs: 300 }));
    try {
      const outcomes = await Promise.allSettled([1, 2, 3].map((i) => grouped.query('SELECT $1::int AS n', [i])));
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(attempts).toBe(1);
    } finally {
      held.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
