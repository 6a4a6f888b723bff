// The schema of the embedded transport's queue, one version a step (the rules: src/stores/migrations.ts, docs/decisions.md).
import type { SqliteMigration } from '../../stores/sqlite/sqlite-migrator';
import { deadLetterTableDdl } from '../dead-letters/dead-letter-table';

/** Owner name of the queue's tables in schema_migrations. */
export const EMBEDDED_QUEUE_OWNER = 'embedded-transport';

export const EMBEDDED_QUEUE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'queue messages and their ready index',
    up: (db) =>
      db.exec(`
        CREATE TABLE IF NOT EXISTS queue_messages (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          route TEXT NOT NULL,
          message_id TEXT NOT NULL,
          envelope TEXT NOT NULL,
          history TEXT NOT NULL DEFAULT '[]',
          available_at INTEGER NOT NULL,
          leased_until INTEGER,
          deliveries INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS queue_messages_ready ON queue_messages(route, available_at, seq);
      `),
  },
  {
    version: 2,
    // The transport owns its dead letters: only their table in the queue file, not the stores' tables (a queue file
    // from before this version holds those too, unused).
    name: 'dead letters of the embedded transport',
    up: (db) => db.exec(deadLetterTableDdl('dead_letters')),
  },
  {
    version: 3,
    // Claims, lease reclaims and wake-up times read only the rows they need: with a backlog of 20,000 messages the
    // old ready index left each claim sorting every ready row and the reclaim scanning the table (~180 ms a claim, on
    // the event loop); with these, ~2 ms. Rows move from one partial index to the other as they are leased.
    name: 'indexes of unleased and leased queue rows',
    up: (db) =>
      db.exec(`
        CREATE INDEX IF NOT EXISTS queue_messages_unleased ON queue_messages(route, available_at, seq) WHERE leased_until IS NULL;
        CREATE INDEX IF NOT EXISTS queue_messages_leased ON queue_messages(leased_until) WHERE leased_until IS NOT NULL;
        DROP INDEX IF EXISTS queue_messages_ready;
      `),
  },
];
