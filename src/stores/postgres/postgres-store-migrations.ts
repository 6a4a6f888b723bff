// The schema of the bus's PostgreSQL stores, one version a step (the rules: src/stores/migrations.ts, docs/decisions.md).
import type { PostgresMigration } from './postgres-migrator';

/** Owner name of these tables in schema_migrations. */
export const POSTGRES_STORES_OWNER = 'stores';

export const POSTGRES_STORE_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'effects, dead letters, message status, subject sequences, idempotency keys, revoked sessions, audit outbox',
    up: `
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
      CREATE TABLE IF NOT EXISTS bus_message_status (
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
      CREATE INDEX IF NOT EXISTS bus_message_status_causation ON bus_message_status(causation_id);
      CREATE TABLE IF NOT EXISTS bus_subject_sequences (
        subject TEXT PRIMARY KEY,
        last_issued BIGINT NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS bus_subject_settled (
        subject TEXT NOT NULL,
        sequence BIGINT NOT NULL,
        PRIMARY KEY (subject, sequence)
      );
      CREATE TABLE IF NOT EXISTS bus_subject_pending (
        subject TEXT NOT NULL,
        sequence BIGINT NOT NULL,
        issued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (subject, sequence)
      );
      CREATE TABLE IF NOT EXISTS bus_subject_voided (
        subject TEXT NOT NULL,
        sequence BIGINT NOT NULL,
        voided_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (subject, sequence)
      );
      CREATE TABLE IF NOT EXISTS bus_idempotency_keys (
        client TEXT NOT NULL,
        key TEXT NOT NULL,
        message_id TEXT NOT NULL,
        correlation_id TEXT NOT NULL,
        payload_digest TEXT NOT NULL,
        state TEXT NOT NULL,
        claimed_at_ms BIGINT NOT NULL,
        PRIMARY KEY (client, key)
      );
      CREATE TABLE IF NOT EXISTS bus_revoked_sessions (
        jti TEXT PRIMARY KEY,
        expires_at_ms BIGINT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS bus_audit_outbox (
        id TEXT PRIMARY KEY,
        owner_host TEXT NOT NULL,
        owner_pid BIGINT NOT NULL,
        owner_token TEXT NOT NULL,
        kept_at TEXT NOT NULL,
        position BIGINT NOT NULL,
        event TEXT NOT NULL
      );
    `,
  },
  {
    // IF NOT EXISTS: databases made before versions were recorded may have the column already.
    version: 2,
    name: 'bus_message_status.failing_since and the waiting index',
    up: `
      ALTER TABLE bus_message_status ADD COLUMN IF NOT EXISTS failing_since TEXT;
      CREATE INDEX IF NOT EXISTS bus_message_status_waiting ON bus_message_status(state, failing_since);
    `,
  },
  {
    version: 3,
    name: 'bus_idempotency_keys.renewed_at_ms (claims are leases)',
    up: 'ALTER TABLE bus_idempotency_keys ADD COLUMN IF NOT EXISTS renewed_at_ms BIGINT',
  },
  {
    // Retention deletes by age, oldest first.
    version: 4,
    name: 'retention indexes on bus_effects.done_at and bus_idempotency_keys.claimed_at_ms',
    up: `
      CREATE INDEX IF NOT EXISTS bus_effects_done_at ON bus_effects(done_at);
      CREATE INDEX IF NOT EXISTS bus_idempotency_keys_claimed_at ON bus_idempotency_keys(claimed_at_ms);
    `,
  },
  {
    // The RabbitMQ transport keeps its dead letters in a table of its own (src/transport/amqp/amqp-dead-letters.ts),
    // which carries this table's rows over and drops it. An empty one is dropped here; one still holding letters is
    // left for the transport to carry, whichever of the two migrates first.
    version: 5,
    name: 'bus_dead_letters moves to the RabbitMQ transport (dropped here when empty)',
    up: async (client) => {
      const table = await client.query<{ present: string | null }>("SELECT to_regclass('bus_dead_letters')::text AS present");
      if (table.rows[0]?.present === null) return;
      const rows = await client.query('SELECT 1 FROM bus_dead_letters LIMIT 1');
      if (rows.rowCount === 0) await client.query('DROP TABLE bus_dead_letters');
    },
  },
  {
    // A message that fanned out (an e-document to several recipients) settles from its parts once they are all final.
    version: 6,
    name: 'bus_message_status.fanned_out_at (a fanned-out message settles from its parts)',
    up: 'ALTER TABLE bus_message_status ADD COLUMN IF NOT EXISTS fanned_out_at TEXT',
  },
  {
    // A dossier is read whole (GET /api/v1/dossiers/{MaHoSo}) by its subject: without the index each read scans the table.
    version: 7,
    name: 'bus_message_status by subject (a dossier read whole)',
    up: 'CREATE INDEX IF NOT EXISTS bus_message_status_subject ON bus_message_status(subject, accepted_at)',
  },
  {
    // The province's procedure catalogue from DVCQG, kept so that a bus started while DVCQG is away still knows it.
    version: 8,
    name: "bus_procedures and bus_procedure_refresh (the province's procedure catalogue)",
    up: `
      CREATE TABLE IF NOT EXISTS bus_procedures (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        field_code TEXT NOT NULL,
        field TEXT NOT NULL,
        agency TEXT NOT NULL,
        level TEXT,
        linked BOOLEAN NOT NULL,
        listing_digest TEXT NOT NULL,
        entry JSON NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS bus_procedure_refresh (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        refreshed_at TEXT NOT NULL,
        added JSONB NOT NULL,
        withdrawn JSONB NOT NULL,
        changed JSONB NOT NULL
      );
    `,
  },
];
