// bytea values read through a binary COPY from the real PostgreSQL: every byte value back as it was stored (text
// decoding would mangle those that are not UTF-8), NULL and empty values, rows in the query's order, parameters
// written as literals whatever their text, and an error that leaves the pool usable; and the format's decoding alone,
// with a clear error for output that is not that format.
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { decodeBinaryCopyColumn, selectByteaColumn } from '../../../src/stores/postgres/pg-bytea-copy';
import { DATABASE_URL, uniqueName } from '../../../testkit/env';

describe('selectByteaColumn (PostgreSQL)', () => {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  const table = uniqueName('bytea_copy').replace(/-/g, '_');
  const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const large = randomBytes(3 * 1024 * 1024 + 7);
  const quotedKey = "Sở Nội vụ's \\ key";

  beforeAll(async () => {
    await pool.query(`CREATE TABLE ${table} (k TEXT, seq INT, data BYTEA)`);
    for (const [k, seq, data] of [
      ['every', 0, everyByte],
      ['large', 0, large],
      ['null', 0, null],
      ['empty', 0, Buffer.alloc(0)],
      [quotedKey, 2, Buffer.from('second')],
      [quotedKey, 1, Buffer.from('first')],
    ] as const) {
      await pool.query(`INSERT INTO ${table} (k, seq, data) VALUES ($1, $2, $3)`, [k, seq, data]);
    }
  });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  });

  const select = (k: string) => selectByteaColumn(pool, `SELECT data FROM ${table} WHERE k = $1 ORDER BY seq`, [k]);

  test('every byte value, a 3 MiB value, NULL and an empty value come back as stored', async () => {
    expect(await select('every')).toEqual([everyByte]);
    const [read] = await select('large');
    expect(read!.equals(large)).toBe(true);
    expect(await select('null')).toEqual([null]);
    expect(await select('empty')).toEqual([Buffer.alloc(0)]);
    expect(await select('no such key')).toEqual([]);
  });

  test('rows in the order the query gives, found by a parameter holding quotes, a backslash and Vietnamese', async () => {
    expect((await select(quotedKey)).map((b) => b!.toString())).toEqual(['first', 'second']);
  });

  test('a statement PostgreSQL refuses rejects, and the pool goes on serving', async () => {
    await expect(selectByteaColumn(pool, `SELECT no_such_column FROM ${table}`, [])).rejects.toThrow(/no_such_column/);
    await expect(selectByteaColumn(pool, `SELECT data, k FROM ${table} WHERE k = $1`, ['every'])).rejects.toThrow(/2 fields where one was selected/);
    // Both connections of the pool taken in turn after the failures: each works.
    const again = await Promise.all([select('every'), select('every'), pool.query('SELECT 1 AS one')]);
    expect(again[0]).toEqual([everyByte]);
    expect(again[2].rows[0]).toEqual({ one: 1 });
  });
});

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const int16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const int32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const header = (flags = 0, extension = Buffer.alloc(0)) => Buffer.concat([SIGNATURE, int32(flags), int32(extension.length), extension]);
const row = (value: Buffer | null) => Buffer.concat([int16(1), value === null ? int32(-1) : Buffer.concat([int32(value.length), value])]);
const TRAILER = int16(-1);

describe('decodeBinaryCopyColumn', () => {
  test('values, NULLs and empty values in order; a header extension is skipped', () => {
    const output = Buffer.concat([header(0, Buffer.from('ext')), row(Buffer.from([0, 255, 128])), row(null), row(Buffer.alloc(0)), TRAILER]);
    expect(decodeBinaryCopyColumn(output)).toEqual([Buffer.from([0, 255, 128]), null, Buffer.alloc(0)]);
    expect(decodeBinaryCopyColumn(Buffer.concat([header(), TRAILER]))).toEqual([]);
  });

  test.each([
    ['no PGCOPY signature', Buffer.concat([Buffer.from('PGCOPX\n\xff\r\n\0', 'latin1'), int32(0), int32(0), TRAILER])],
    ['rows carry OIDs', Buffer.concat([header(1 << 16), TRAILER])],
    ['it ends before its trailer', Buffer.concat([header(), row(Buffer.from('a'))])],
    ['a row of 2 fields where one was selected', Buffer.concat([header(), int16(2), int32(0), int32(0), TRAILER])],
    ['a field longer than the output', Buffer.concat([header(), int16(1), int32(100), Buffer.from('short'), TRAILER])],
    ['a field without its length', Buffer.concat([header(), int16(1), Buffer.from([0])])],
    ['bytes after its trailer', Buffer.concat([header(), TRAILER, Buffer.from('x')])],
  ])('refuses output with %s', (why, output) => {
    expect(() => decodeBinaryCopyColumn(output)).toThrow(`unreadable binary COPY output: ${why}`);
  });
});
