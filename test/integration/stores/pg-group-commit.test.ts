// Group commit against the real PostgreSQL: concurrent statements share round trips and commits, each caller still
// gets its own result or error, and inlined literals survive any text (quotes, backslashes, Vietnamese).
import { Pool } from 'pg';
import { inlineParams, PgGroupCommit } from '../../../src/stores/postgres/pg-group-commit';
import { DATABASE_URL, uniqueName } from '../../../testkit/env';

describe('PgGroupCommit (PostgreSQL)', () => {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 4 });
  const table = uniqueName('gc').replace(/-/g, '_');
  /** Transactions that inserted the table's rows: each row's xmin is its inserting transaction (other activity on the database does not count). */
  const insertingTransactions = async () => Number((await pool.query<{ n: string }>(`SELECT count(DISTINCT xmin::text)::text AS n FROM ${table}`)).rows[0]!.n);

  beforeAll(async () => {
    await pool.query(`CREATE TABLE ${table} (k TEXT PRIMARY KEY, v TEXT, n BIGINT)`);
  });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  });

  test('200 concurrent inserts are committed in a few transactions, each resolved with its own result', async () => {
    const grouped = new PgGroupCommit(pool, { maxBatch: 100, concurrency: 1 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => grouped.query<{ n: string }>(`INSERT INTO ${table} (k, v, n) VALUES ($1, $2, $3) RETURNING n`, [`k${i}`, `v${i}`, i])),
    );
    expect(results.map((r) => Number(r.rows[0]!.n))).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(Number((await pool.query<{ c: string }>(`SELECT count(*)::text AS c FROM ${table}`)).rows[0]!.c)).toBe(200);
    // Ungrouped this is 200 transactions; grouped (batches of at most 100) it is a handful.
    expect(await insertingTransactions()).toBeLessThan(20);
  });

  test('a failing statement fails only its own caller; the others of its batch are committed', async () => {
    const grouped = new PgGroupCommit(pool, { concurrency: 1 });
    const outcomes = await Promise.allSettled([
      grouped.query(`INSERT INTO ${table} (k, v) VALUES ($1, $2)`, ['ok-1', 'a']),
      grouped.query(`INSERT INTO ${table} (k, n) VALUES ($1, $2)`, ['bad', 'not a number']),
      grouped.query(`INSERT INTO ${table} (k, v) VALUES ($1, $2)`, ['ok-2', 'b']),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const keys = (await pool.query<{ k: string }>(`SELECT k FROM ${table} WHERE k IN ('ok-1', 'ok-2', 'bad') ORDER BY k`)).rows.map((r) => r.k);
    expect(keys).toEqual(['ok-1', 'ok-2']);
  });

  test('inlined text round-trips exactly: quotes, backslashes, dollar signs, Vietnamese NFC, SQL injection attempts', async () => {
    const grouped = new PgGroupCommit(pool);
    const values = ["O'Brien", 'back\\slash \\x00', '$1 $2 $$ E\'\'', 'Nguyễn Thị Hoà — Phường Tân Phú', "'); DROP TABLE x; --", '\u00a0\t\n'];
    await Promise.all(values.map((v, i) => grouped.query(`INSERT INTO ${table} (k, v) VALUES ($1, $2)`, [`text-${i}`, v])));
    const stored = await Promise.all(values.map((_, i) => grouped.query<{ v: string }>(`SELECT v FROM ${table} WHERE k = $1`, [`text-${i}`])));
    expect(stored.map((r) => r.rows[0]!.v)).toEqual(values);
  });

  test('inlineParams writes NULL, numbers and booleans as literals and refuses a parameter it was not given', () => {
    expect(inlineParams('SELECT $1, $2, $3, $4', [null, -2, true, 'x'])).toBe("SELECT NULL, -2, TRUE, 'x'");
    expect(() => inlineParams('SELECT $2', ['only one'])).toThrow(RangeError);
    expect(() => inlineParams('SELECT $1', [Number.NaN])).toThrow(RangeError);
  });
});
