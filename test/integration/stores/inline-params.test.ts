// Parameters written into a statement as literals (for COPY, which takes no bind parameters) against the real
// PostgreSQL: any text comes back exactly, and what cannot be a literal is refused.
import { Pool } from 'pg';
import { inlineParams } from '../../../src/stores/postgres/inline-params';
import { DATABASE_URL } from '../../../testkit/env';

describe('inlineParams', () => {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
  afterAll(() => pool.end());

  test('inlined text round-trips exactly: quotes, backslashes, dollar signs, Vietnamese NFC, SQL injection attempts', async () => {
    const values = ["O'Brien", 'back\\slash \\x00', '$1 $2 $$ E\'\'', 'Nguyễn Thị Hoà — Phường Tân Phú', "'); DROP TABLE x; --", '\u00a0\t\n'];
    for (const value of values) {
      const { rows } = await pool.query<{ v: string }>(inlineParams('SELECT $1::text AS v', [value]));
      expect(rows[0]!.v).toBe(value);
    }
  });

  test('writes NULL, numbers and booleans as literals and refuses a parameter it was not given', () => {
    expect(inlineParams('SELECT $1, $2, $3, $4', [null, -2, true, 'x'])).toBe("SELECT NULL, -2, TRUE, 'x'");
    expect(() => inlineParams('SELECT $2', ['only one'])).toThrow(RangeError);
    expect(() => inlineParams('SELECT $1', [Number.NaN])).toThrow(RangeError);
  });
});
