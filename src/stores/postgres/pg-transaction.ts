// One transaction on a pooled connection: BEGIN, the work, COMMIT; ROLLBACK when the work throws; the connection back
// to the pool either way.
import type { Pool, PoolClient } from 'pg';

export async function inPgTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
