// The schema of the bus's SQLite stores, one version a step (the rules: src/stores/migrations.ts, docs/decisions.md).
import { sqliteHasColumn, type SqliteMigration } from './sqlite-migrator';

/** Owner name of these tables in schema_migrations. */
export const SQLITE_STORES_OWNER = 'stores';

/** Version 1's dead-letter table, which the RabbitMQ transport's own table has since replaced (version 5). */
const SQLITE_DEAD_LETTERS_DDL = `
      CREATE TABLE IF NOT EXISTS dead_letters (
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
      CREATE INDEX IF NOT EXISTS dead_letters_message ON dead_letters(message_id);
      CREATE INDEX IF NOT EXISTS dead_letters_dead_at ON dead_letters(dead_at);
`;

export const SQLITE_STORE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'effects, dead letters, message status, subject sequences, idempotency keys, revoked sessions, audit outbox',
    up: (db) =>
      db.exec(`
      CREATE TABLE IF NOT EXISTS effects (
        key TEXT PRIMARY KEY,
        message_id TEXT NOT NULL,
        done_at TEXT NOT NULL
      );
      ${SQLITE_DEAD_LETTERS_DDL}
      CREATE TABLE IF NOT EXISTS message_status (
        message_id TEXT PRIMARY KEY,
        correlation_id TEXT NOT NULL,
        causation_id TEXT,
        type TEXT NOT NULL,
        source TEXT NOT NULL,
        subject TEXT,
        destination TEXT,
        route TEXT NOT NULL,
        state TEXT NOT NULL,
        code TEXT,
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        accepted_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS message_status_causation ON message_status(causation_id);
      CREATE TABLE IF NOT EXISTS subject_sequences (
        subject TEXT PRIMARY KEY,
        last_issued INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS subject_settled (
        subject TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        PRIMARY KEY (subject, sequence)
      );
      CREATE TABLE IF NOT EXISTS subject_pending (
        subject TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        issued_at INTEGER NOT NULL,
        PRIMARY KEY (subject, sequence)
      );
      CREATE TABLE IF NOT EXISTS subject_voided (
        subject TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        PRIMARY KEY (subject, sequence)
      );
      CREATE TABLE IF NOT EXISTS idempotency_keys (
        client TEXT NOT NULL,
        key TEXT NOT NULL,
        message_id TEXT NOT NULL,
        correlation_id TEXT NOT NULL,
        payload_digest TEXT NOT NULL,
        state TEXT NOT NULL,
        claimed_at_ms INTEGER NOT NULL,
        PRIMARY KEY (client, key)
      );
      CREATE TABLE IF NOT EXISTS revoked_sessions (
        jti TEXT PRIMARY KEY,
        expires_at_ms INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS audit_outbox (
        id TEXT PRIMARY KEY,
        owner_host TEXT NOT NULL,
        owner_pid INTEGER NOT NULL,
        owner_token TEXT NOT NULL,
        kept_at TEXT NOT NULL,
        position INTEGER NOT NULL,
        event TEXT NOT NULL
      );
      `),
  },
  {
    // Databases made before versions were recorded may have the column already.
    version: 2,
    name: 'message_status.failing_since and the waiting index',
    up: (db) => {
      if (!sqliteHasColumn(db, 'message_status', 'failing_since')) db.exec('ALTER TABLE message_status ADD COLUMN failing_since TEXT');
      db.exec('CREATE INDEX IF NOT EXISTS message_status_waiting ON message_status(state, failing_since)');
    },
  },
  {
    version: 3,
    name: 'idempotency_keys.renewed_at_ms (claims are leases)',
    up: (db) => {
      if (!sqliteHasColumn(db, 'idempotency_keys', 'renewed_at_ms')) db.exec('ALTER TABLE idempotency_keys ADD COLUMN renewed_at_ms INTEGER');
    },
  },
  {
    // Retention deletes by age, oldest first.
    version: 4,
    name: 'retention indexes on effects.done_at and idempotency_keys.claimed_at_ms',
    up: (db) => {
      db.exec('CREATE INDEX IF NOT EXISTS effects_done_at ON effects(done_at)');
      db.exec('CREATE INDEX IF NOT EXISTS idempotency_keys_claimed_at ON idempotency_keys(claimed_at_ms)');
    },
  },
  {
    // The RabbitMQ transport keeps its dead letters in a table of its own (src/transport/amqp/amqp-dead-letters.ts),
    // which carries this table's rows over and drops it. An empty one is dropped here; one still holding letters is
    // left for the transport to carry, whichever of the two migrates first.
    version: 5,
    name: 'dead_letters moves to the RabbitMQ transport (dropped here when empty)',
    up: (db) => {
      const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dead_letters'").get();
      if (table !== undefined && db.prepare('SELECT 1 FROM dead_letters LIMIT 1').get() === undefined) db.exec('DROP TABLE dead_letters');
    },
  },
  {
    // A message that fanned out (an e-document to several recipients) settles from its parts once they are all final.
    version: 6,
    name: 'message_status.fanned_out_at (a fanned-out message settles from its parts)',
    up: (db) => {
      if (!sqliteHasColumn(db, 'message_status', 'fanned_out_at')) db.exec('ALTER TABLE message_status ADD COLUMN fanned_out_at TEXT');
    },
  },
  {
    // A dossier is read whole (GET /api/v1/dossiers/{MaHoSo}) by its subject: without the index each read scans the table.
    version: 7,
    name: 'message_status by subject (a dossier read whole)',
    up: (db) => {
      db.exec('CREATE INDEX IF NOT EXISTS message_status_subject ON message_status(subject, accepted_at)');
    },
  },
  {
    // The province's procedure catalogue from DVCQG, kept so that a bus started while DVCQG is away still knows it.
    version: 8,
    name: "procedures and procedure_refresh (the province's procedure catalogue)",
    up: (db) =>
      db.exec(`
      CREATE TABLE IF NOT EXISTS procedures (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        field_code TEXT NOT NULL,
        field TEXT NOT NULL,
        agency TEXT NOT NULL,
        level TEXT,
        linked INTEGER NOT NULL,
        listing_digest TEXT NOT NULL,
        entry TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS procedure_refresh (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        refreshed_at TEXT NOT NULL,
        added TEXT NOT NULL,
        withdrawn TEXT NOT NULL,
        changed TEXT NOT NULL
      );
    `),
  },
];
