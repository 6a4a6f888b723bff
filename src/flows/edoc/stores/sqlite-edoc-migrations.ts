// The schema of the SQLite e-document stores, one version a step (the rules: src/stores/migrations.ts, docs/decisions.md).
import type { SqliteMigration } from '../../../stores/sqlite/sqlite-migrator';

/** Owner name of these tables in schema_migrations. */
export const SQLITE_EDOC_OWNER = 'edoc';

export const SQLITE_EDOC_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'blobs, blob chunks, mailbox',
    up: (db) =>
      db.exec(`
      CREATE TABLE IF NOT EXISTS edoc_blobs (
        document_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        chunk_count INTEGER NOT NULL,
        stored_at TEXT NOT NULL,
        PRIMARY KEY (document_id, sha256)
      );
      CREATE TABLE IF NOT EXISTS edoc_blob_chunks (
        document_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (document_id, sha256, seq)
      );
      CREATE TABLE IF NOT EXISTS edoc_mailbox (
        entry_id TEXT PRIMARY KEY,
        organ_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        document_id TEXT NOT NULL,
        from_organ TEXT NOT NULL,
        blob_sha256 TEXT NOT NULL,
        blob_bytes INTEGER NOT NULL,
        business_doc_type INTEGER,
        status_code TEXT,
        reported_status TEXT,
        received_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS edoc_mailbox_organ ON edoc_mailbox(organ_id, received_at);
      `),
  },
  {
    version: 2,
    name: 'recipient ledger, filled from the mailboxes',
    up: (db) => {
      // A database made before versions were recorded may have the ledger already; it is filled only when created.
      const isNew = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'edoc_recipients'").get() === undefined;
      db.exec(`
        CREATE TABLE IF NOT EXISTS edoc_recipients (
          document_id TEXT NOT NULL,
          sender_organ TEXT NOT NULL,
          recipient_organ TEXT NOT NULL,
          recorded_at TEXT NOT NULL,
          PRIMARY KEY (document_id, sender_organ, recipient_organ)
        );
      `);
      // Documents already in mailboxes when the ledger is added were received through this bus; their recipients keep
      // the right to report statuses about them.
      if (isNew) db.exec(`INSERT OR IGNORE INTO edoc_recipients SELECT document_id, from_organ, organ_id, received_at FROM edoc_mailbox WHERE kind = 'edoc'`);
    },
  },
  {
    version: 3,
    name: 'register of sent packages (resends)',
    up: (db) =>
      db.exec(`
        CREATE TABLE IF NOT EXISTS edoc_sent_documents (
          from_organ TEXT NOT NULL,
          document_id TEXT NOT NULL,
          slot TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          message_id TEXT NOT NULL,
          correlation_id TEXT NOT NULL,
          state TEXT NOT NULL,
          claimed_at_ms INTEGER NOT NULL,
          PRIMARY KEY (from_organ, document_id, slot)
        );
      `),
  },
  {
    version: 4,
    name: "mailbox: the document's signature check",
    up: (db) => {
      // A database whose record of versions was lost may have the column already (SQLite has no ADD COLUMN IF NOT EXISTS).
      const columns = db.prepare<[], { name: string }>('PRAGMA table_info(edoc_mailbox)').all();
      if (!columns.some((c) => c.name === 'signature')) db.exec('ALTER TABLE edoc_mailbox ADD COLUMN signature TEXT');
    },
  },
  {
    version: 5,
    name: 'packages fetched from the national axis',
    up: (db) =>
      db.exec(`
        CREATE TABLE IF NOT EXISTS edoc_axis_inbound (
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
        CREATE INDEX IF NOT EXISTS edoc_axis_inbound_document ON edoc_axis_inbound(document_id, from_organ, organ_id);
      `),
  },
  {
    version: 6,
    name: 'package bytes in files',
    up: (db) => {
      // rows: the bytes are in edoc_blob_chunks (blobs stored before this version); file: in the blob directory.
      const columns = db.prepare<[], { name: string }>('PRAGMA table_info(edoc_blobs)').all();
      if (!columns.some((c) => c.name === 'storage')) db.exec("ALTER TABLE edoc_blobs ADD COLUMN storage TEXT NOT NULL DEFAULT 'rows'");
    },
  },
];
