// The schema of the PostgreSQL e-document stores, one version a step (the rules: src/stores/migrations.ts, docs/decisions.md).
import type { PostgresMigration } from '../../../stores/postgres/postgres-migrator';

/** Owner name of these tables in schema_migrations. */
export const POSTGRES_EDOC_OWNER = 'edoc';

export const POSTGRES_EDOC_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'blobs, blob chunks, mailbox',
    up: `
      CREATE TABLE IF NOT EXISTS bus_edoc_blobs (
        document_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes BIGINT NOT NULL,
        chunk_count INTEGER NOT NULL,
        stored_at TEXT NOT NULL,
        PRIMARY KEY (document_id, sha256)
      );
      CREATE TABLE IF NOT EXISTS bus_edoc_blob_chunks (
        document_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (document_id, sha256, seq)
      );
      CREATE TABLE IF NOT EXISTS bus_edoc_mailbox (
        entry_id TEXT PRIMARY KEY,
        organ_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        document_id TEXT NOT NULL,
        from_organ TEXT NOT NULL,
        blob_sha256 TEXT NOT NULL,
        blob_bytes BIGINT NOT NULL,
        business_doc_type INTEGER,
        status_code TEXT,
        reported_status TEXT,
        received_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS bus_edoc_mailbox_organ ON bus_edoc_mailbox(organ_id, received_at);
    `,
  },
  {
    version: 2,
    name: 'recipient ledger, filled from the mailboxes',
    up: async (client) => {
      // A database made before versions were recorded may have the ledger already; it is filled only when created.
      const ledger = await client.query<{ present: string | null }>("SELECT to_regclass('bus_edoc_recipients')::text AS present");
      if (ledger.rows[0]?.present !== null) return;
      await client.query(`
        CREATE TABLE bus_edoc_recipients (
          document_id TEXT NOT NULL,
          sender_organ TEXT NOT NULL,
          recipient_organ TEXT NOT NULL,
          recorded_at TEXT NOT NULL,
          PRIMARY KEY (document_id, sender_organ, recipient_organ)
        );
        -- Documents already in mailboxes when the ledger is added were received through this bus; their recipients keep
        -- the right to report statuses about them.
        INSERT INTO bus_edoc_recipients SELECT document_id, from_organ, organ_id, MIN(received_at) FROM bus_edoc_mailbox
          WHERE kind = 'edoc' GROUP BY document_id, from_organ, organ_id;
      `);
    },
  },
  {
    version: 3,
    name: 'register of sent packages (resends)',
    up: `
      CREATE TABLE IF NOT EXISTS bus_edoc_sent_documents (
        from_organ TEXT NOT NULL,
        document_id TEXT NOT NULL,
        slot TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        message_id TEXT NOT NULL,
        correlation_id TEXT NOT NULL,
        state TEXT NOT NULL,
        claimed_at_ms BIGINT NOT NULL,
        PRIMARY KEY (from_organ, document_id, slot)
      );
    `,
  },
  {
    version: 4,
    name: "mailbox: the document's signature check",
    up: 'ALTER TABLE bus_edoc_mailbox ADD COLUMN IF NOT EXISTS signature TEXT',
  },
  {
    version: 5,
    name: 'packages fetched from the national axis',
    up: `
      CREATE TABLE IF NOT EXISTS bus_edoc_axis_inbound (
        axis_doc_id TEXT PRIMARY KEY,
        organ_id TEXT NOT NULL,
        from_organ TEXT,
        document_id TEXT,
        message_id TEXT,
        state TEXT NOT NULL,
        code TEXT,
        fetched_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS bus_edoc_axis_inbound_document ON bus_edoc_axis_inbound(document_id, from_organ, organ_id);
    `,
  },
  {
    version: 6,
    name: 'package chunks stored uncompressed',
    // A package is mostly base64 of attachments that are compressed already (PDF, Office files, signed archives), which
    // PostgreSQL's pglz cannot shrink by the quarter it requires: it ran over each chunk and threw the result away,
    // a quarter of PostgreSQL's CPU while e-documents were stored (docs/performance.md). EXTERNAL keeps the values out
    // of line without that attempt; chunks stored before stay as they are.
    up: 'ALTER TABLE bus_edoc_blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL',
  },
];
