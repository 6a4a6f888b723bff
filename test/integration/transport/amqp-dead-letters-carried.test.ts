// The RabbitMQ transport's dead letters moved from the stores' table to a table of the transport's own: on a database
// of an earlier release the letters already kept are carried over (none orphaned), whichever of the stores and the
// transport migrates first, and a fresh database keeps no dead-letter table in the stores.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createEnvelope } from '../../../src/core/envelope';
import { migratePostgres } from '../../../src/stores/postgres/postgres-migrator';
import { POSTGRES_STORE_MIGRATIONS } from '../../../src/stores/postgres/postgres-store-migrations';
import { PostgresStores } from '../../../src/stores/postgres/postgres-stores';
import { migrateSqlite } from '../../../src/stores/sqlite/sqlite-migrator';
import { SQLITE_STORE_MIGRATIONS } from '../../../src/stores/sqlite/sqlite-store-migrations';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';
import { openAmqpDeadLetters } from '../../../src/transport/amqp/amqp-dead-letters';
import type { DeadLetter } from '../../../src/transport/transport';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';

/** The stores' schema as the last release before the move left it. */
const STORES_BEFORE_THE_MOVE = 4;

function letter(replayedAt: string | null = null): DeadLetter {
  const envelope = createEnvelope({ type: 'dossier.submitted', source: 'motcua', subject: 'H10-261127-1', payload: { ten: 'Lê Thị Hoà' } });
  return { id: randomUUID(), route: 'dossier', envelope, code: 'RETRIES_EXHAUSTED', reason: 'DVCQG answered 503', history: [{ attempt: 1, at: '2026-01-02T03:04:05.000Z', code: 'DVCQG_HTTP_503', reason: 'down' }], deadAt: '2026-01-02T03:04:06.000Z', replayedAt };
}

/** As a list answers: by time of death, then id (these letters died at one time). */
const byId = (letters: DeadLetter[]) => [...letters].sort((a, b) => a.id.localeCompare(b.id));
const VALUES = (l: DeadLetter) => [l.id, l.envelope.id, l.route, l.envelope.type, l.envelope.subject, l.code, l.reason, JSON.stringify(l.envelope), JSON.stringify(l.history), l.deadAt, l.replayedAt];
const INSERT = 'id, message_id, route, type, subject, code, reason, envelope, history, dead_at, replayed_at';

describe('PostgreSQL', () => {
  let schema: string;
  let client: Client;
  beforeEach(async () => {
    schema = `deadletters_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await createSchema(schema);
    client = new Client({ connectionString: schemaUrl(schema) });
    await client.connect();
  });
  afterEach(async () => {
    await client.end().catch(() => undefined);
    await dropSchema(schema);
  });

  async function earlierRelease(letters: DeadLetter[]): Promise<void> {
    await migratePostgres(client, 'stores', POSTGRES_STORE_MIGRATIONS.slice(0, STORES_BEFORE_THE_MOVE));
    for (const l of letters) await client.query(`INSERT INTO bus_dead_letters (${INSERT}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, VALUES(l));
  }
  const hasTable = async (name: string) => (await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name])).rows[0]!.t !== null;

  test.each(['stores first', 'transport first'])('letters the stores kept are carried into the transport\'s table (%s)', async (order) => {
    const kept = [letter(), letter('2026-01-03T00:00:00.000Z')];
    await earlierRelease(kept);
    if (order === 'stores first') {
      await (await PostgresStores.open(schemaUrl(schema))).close();
      // The stores' new version leaves a table that still holds letters for the transport to carry.
      expect(await hasTable('bus_dead_letters')).toBe(true);
    }
    const table = await openAmqpDeadLetters({ postgresUrl: schemaUrl(schema) });
    try {
      await (await PostgresStores.open(schemaUrl(schema))).close();
      expect(await table.list({ includeReplayed: true })).toEqual(byId(kept));
      expect(await table.list({})).toEqual([kept[0]]);
      expect(await hasTable('bus_dead_letters')).toBe(false);
    } finally {
      await table.close();
    }
  });

  test('a fresh database: the stores keep no dead-letter table, the transport its own', async () => {
    await (await PostgresStores.open(schemaUrl(schema))).close();
    const table = await openAmqpDeadLetters({ postgresUrl: schemaUrl(schema) });
    await table.close();
    expect(await hasTable('bus_dead_letters')).toBe(false);
    expect(await hasTable('amqp_dead_letters')).toBe(true);
  });
});

describe('SQLite', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-deadletters-'));
    file = path.join(dir, 'stores.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const tables = () => {
    const db = openSqlite(file);
    try {
      return db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%dead_letters' ORDER BY name").all().map((r) => r.name);
    } finally {
      db.close();
    }
  };

  test.each(['stores first', 'transport first'])('letters the stores kept are carried into the transport\'s table (%s)', async (order) => {
    const kept = [letter(), letter()];
    const old = openSqlite(file);
    migrateSqlite(old, 'stores', SQLITE_STORE_MIGRATIONS.slice(0, STORES_BEFORE_THE_MOVE));
    for (const l of kept) old.prepare(`INSERT INTO dead_letters (${INSERT}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...VALUES(l));
    old.close();
    if (order === 'stores first') {
      await new SqliteStores(openSqlite(file)).close();
      expect(tables()).toEqual(['dead_letters']);
    }
    const table = await openAmqpDeadLetters({ sqliteFile: file });
    try {
      await new SqliteStores(openSqlite(file)).close();
      expect(await table.list({})).toEqual(byId(kept));
      expect(tables()).toEqual(['amqp_dead_letters']);
    } finally {
      await table.close();
    }
  });

  test('a fresh file: the stores keep no dead-letter table', async () => {
    await new SqliteStores(openSqlite(file)).close();
    expect(tables()).toEqual([]);
  });
});
