// PostgreSQL implementation of the bus's stores, shared by several bus processes.
import { Pool } from 'pg';
import type { DeadLetter, DeadLetterFilter } from '../transport/transport';
import { deadLetterFromRow, type DeadLetterRow } from './dead-letter-row';
import { deadLetterWhere, limitOf } from './sqlite-stores';
import type { DeadLetterStore, EffectLog, Stores } from './stores';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS bus_effects (
    key TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    done_at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS bus_dead_letters (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    route TEXT NOT NULL,
    type TEXT NOT NULL,
    subject TEXT,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    envelope TEXT NOT NULL,
    history TEXT NOT NULL,
    dead_at TEXT NOT NULL,
    replayed_at TEXT
  );
  CREATE INDEX IF NOT EXISTS bus_dead_letters_message ON bus_dead_letters(message_id);
  CREATE INDEX IF NOT EXISTS bus_dead_letters_dead_at ON bus_dead_letters(dead_at);
`;

class PostgresEffectLog implements EffectLog {
  constructor(private readonly pool: Pool) {}
  async isDone(key: string): Promise<boolean> {
    const result = await this.pool.query('SELECT 1 FROM bus_effects WHERE key = $1', [key]);
    return (result.rowCount ?? 0) > 0;
  }
  async markDone(key: string, messageId: string): Promise<void> {
    await this.pool.query('INSERT INTO bus_effects (key, message_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, messageId]);
  }
}

class PostgresDeadLetterStore implements DeadLetterStore {
  constructor(private readonly pool: Pool) {}
  async put(letter: DeadLetter): Promise<void> {
    await this.pool.query(
      `INSERT INTO bus_dead_letters (id, message_id, route, type, subject, code, reason, envelope, history, dead_at, replayed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
      [
        letter.id,
        letter.envelope.id,
        letter.route,
        letter.envelope.type,
        letter.envelope.subject,
        letter.code,
        letter.reason,
        JSON.stringify(letter.envelope),
        JSON.stringify(letter.history),
        letter.deadAt,
        letter.replayedAt,
      ],
    );
  }
  async list(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    const { where, params } = deadLetterWhere(filter, (n) => `$${n}`);
    const result = await this.pool.query<DeadLetterRow>(
      `SELECT * FROM bus_dead_letters ${where} ORDER BY dead_at, id LIMIT ${limitOf(filter)}`,
      params,
    );
    return result.rows.map(deadLetterFromRow);
  }
  async markReplayed(ids: string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query('UPDATE bus_dead_letters SET replayed_at = $1 WHERE id = ANY($2)', [at, ids]);
  }
  async countPending(): Promise<number> {
    const result = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM bus_dead_letters WHERE replayed_at IS NULL');
    return Number(result.rows[0]?.n ?? 0);
  }
}

export class PostgresStores implements Stores {
  readonly kind = 'postgres' as const;
  readonly effects: EffectLog;
  readonly deadLetters: DeadLetterStore;
  private constructor(private readonly pool: Pool) {
    this.effects = new PostgresEffectLog(pool);
    this.deadLetters = new PostgresDeadLetterStore(pool);
  }

  static async open(connectionString: string): Promise<PostgresStores> {
    const pool = new Pool({ connectionString, max: 10, connectionTimeoutMillis: 5000 });
    // An idle client losing its server (PostgreSQL restart) emits 'error' on the pool; the next query reconnects.
    pool.on('error', () => undefined);
    const client = await pool.connect();
    try {
      // Several processes may start at once; serialise the DDL.
      await client.query('SELECT pg_advisory_lock(74231)');
      await client.query(SCHEMA);
      await client.query('SELECT pg_advisory_unlock(74231)');
    } finally {
      client.release();
    }
    return new PostgresStores(pool);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}
