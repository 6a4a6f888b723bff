// SQLite (better-sqlite3) implementation of the e-document blob store, mailbox, recipient ledger, register of sent
// packages and register of packages fetched from the national axis, for single-process buses.
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SqliteDatabase } from '../../../stores/sqlite/sqlite-stores';
import { chunkBlob } from './blob-chunks';
import { BlobFiles } from './blob-files';
import {
  mailboxLimit,
  type AxisInboundDocument,
  type AxisInboundOutcome,
  type BlobRef,
  type EdocAxisInbound,
  type EdocBlobStore,
  type EdocMailboxStore,
  type EdocRecipientLedger,
  type EdocSentDocuments,
  type EdocStores,
  type MailboxEntry,
  type MailboxFilter,
  type NewMailboxEntry,
  type SentDocument,
  type SentDocumentKey,
} from './edoc-store';
import { mailboxEntryFromRow, type MailboxRow } from './mailbox-row';
import { sentDocumentFromRow, type SentDocumentRow } from './sent-document-row';
import { axisInboundColumns, axisInboundFromRow, type AxisInboundRow } from './axis-inbound-row';
import { migrateSqlite } from '../../../stores/sqlite/sqlite-migrator';
import { SQLITE_EDOC_MIGRATIONS, SQLITE_EDOC_OWNER } from './sqlite-edoc-migrations';

export function migrateSqliteEdocStores(db: SqliteDatabase): void {
  migrateSqlite(db, SQLITE_EDOC_OWNER, SQLITE_EDOC_MIGRATIONS);
}

/**
 * Blob metadata in edoc_blobs; the bytes of a blob stored as `file` in BlobFiles (written and read off the event loop),
 * those of a blob stored as `rows` (by an earlier version) in edoc_blob_chunks, still read from there.
 */
class SqliteEdocBlobStore implements EdocBlobStore {
  private readonly stmts;
  constructor(
    db: SqliteDatabase,
    private readonly files: BlobFiles,
  ) {
    this.stmts = {
      insertBlob: db.prepare(`INSERT OR IGNORE INTO edoc_blobs (document_id, sha256, bytes, chunk_count, stored_at, storage) VALUES (?, ?, ?, 0, ?, 'file')`),
      blob: db.prepare<[string, string], { bytes: number; chunk_count: number; storage: 'rows' | 'file' }>('SELECT bytes, chunk_count, storage FROM edoc_blobs WHERE document_id = ? AND sha256 = ?'),
      chunk: db.prepare<[string, string, number], { data: Buffer }>('SELECT data FROM edoc_blob_chunks WHERE document_id = ? AND sha256 = ? AND seq = ?'),
      chunksPresent: db.prepare<[string, string], { present: number }>('SELECT COUNT(*) AS present FROM edoc_blob_chunks WHERE document_id = ? AND sha256 = ?'),
    };
  }

  /**
   * Hashes the bytes (in steps), writes them to their file (fsynced, renamed into place) and only then the blob row, so a
   * reader never finds the blob before its bytes are all there. A put cut short leaves at most a temporary file, removed
   * when the store is next opened.
   */
  async put(documentId: string, chunks: readonly Buffer[]): Promise<BlobRef> {
    const { sha256, bytes } = await chunkBlob(chunks);
    const ref = { documentId, sha256, bytes };
    const known = this.stmts.blob.get(documentId, sha256);
    if (known && (known.storage === 'rows' || (await this.files.complete(ref)))) return ref;
    await this.files.write(ref, chunks);
    this.stmts.insertBlob.run(documentId, sha256, bytes, new Date().toISOString());
    return ref;
  }

  async read(ref: BlobRef): Promise<Buffer | null> {
    const meta = this.stmts.blob.get(ref.documentId, ref.sha256);
    if (!meta) return null;
    if (meta.storage === 'file') return this.files.read(ref);
    const out = Buffer.allocUnsafe(meta.bytes);
    let offset = 0;
    for (let seq = 0; seq < meta.chunk_count; seq++) {
      const row = this.stmts.chunk.get(ref.documentId, ref.sha256, seq);
      if (!row) return null;
      offset += row.data.copy(out, offset);
    }
    return out;
  }

  stream(ref: BlobRef): Readable {
    const { blob, chunk } = this.stmts;
    const meta = blob.get(ref.documentId, ref.sha256);
    if (meta?.storage === 'file') return this.files.stream(ref);
    return Readable.from(
      (function* () {
        if (!meta) throw new Error('blob not found');
        for (let seq = 0; seq < meta.chunk_count; seq++) {
          const row = chunk.get(ref.documentId, ref.sha256, seq);
          if (!row) throw new Error('blob chunk missing');
          yield row.data;
        }
      })(),
      { objectMode: false },
    );
  }

  copyTo(ref: BlobRef, destination: Writable): Promise<void> {
    const meta = this.stmts.blob.get(ref.documentId, ref.sha256);
    return meta?.storage === 'file' ? this.files.copyTo(ref, destination) : pipeline(this.stream(ref), destination);
  }

  async has(ref: BlobRef): Promise<boolean> {
    const meta = this.stmts.blob.get(ref.documentId, ref.sha256);
    if (!meta) return false;
    if (meta.storage === 'file') return this.files.complete(ref);
    return this.stmts.chunksPresent.get(ref.documentId, ref.sha256)?.present === meta.chunk_count;
  }
}

class SqliteEdocMailboxStore implements EdocMailboxStore {
  private readonly stmts;
  constructor(private readonly db: SqliteDatabase) {
    this.stmts = {
      put: db.prepare(`INSERT OR IGNORE INTO edoc_mailbox
        (entry_id, organ_id, kind, document_id, from_organ, blob_sha256, blob_bytes, business_doc_type, status_code, reported_status, received_at, updated_at, signature)
        VALUES (@entryId, @organId, @kind, @documentId, @fromOrgan, @sha256, @bytes, @businessDocType, @statusCode, NULL, @receivedAt, @receivedAt, @signature)`),
      get: db.prepare<[string], MailboxRow>('SELECT * FROM edoc_mailbox WHERE entry_id = ?'),
      setStatus: db.prepare('UPDATE edoc_mailbox SET reported_status = ?, updated_at = ? WHERE entry_id = ?'),
    };
  }

  async put(entry: NewMailboxEntry): Promise<boolean> {
    const result = this.stmts.put.run({
      entryId: entry.entryId,
      organId: entry.organId,
      kind: entry.kind,
      documentId: entry.documentId,
      fromOrgan: entry.fromOrgan,
      sha256: entry.blob.sha256,
      bytes: entry.blob.bytes,
      businessDocType: entry.businessDocType,
      statusCode: entry.statusCode,
      receivedAt: entry.receivedAt,
      signature: entry.signature === null ? null : JSON.stringify(entry.signature),
    });
    return result.changes === 1;
  }

  async list(organIds: readonly string[], filter: MailboxFilter): Promise<MailboxEntry[]> {
    if (organIds.length === 0) return [];
    const params: (string | number)[] = [...organIds];
    let where = `organ_id IN (${organIds.map(() => '?').join(', ')})`;
    if (filter.kind) {
      where += ' AND kind = ?';
      params.push(filter.kind);
    }
    if (filter.since) {
      where += ' AND received_at >= ?';
      params.push(filter.since);
    }
    const rows = this.db
      .prepare<(string | number)[], MailboxRow>(`SELECT * FROM edoc_mailbox WHERE ${where} ORDER BY received_at, entry_id LIMIT ${mailboxLimit(filter)}`)
      .all(...params);
    return rows.map(mailboxEntryFromRow);
  }

  async get(entryId: string): Promise<MailboxEntry | null> {
    const row = this.stmts.get.get(entryId);
    return row ? mailboxEntryFromRow(row) : null;
  }

  async setReportedStatus(entryId: string, statusCode: string): Promise<void> {
    this.stmts.setStatus.run(statusCode, new Date().toISOString(), entryId);
  }
}

class SqliteEdocRecipientLedger implements EdocRecipientLedger {
  private readonly stmts;
  constructor(private readonly db: SqliteDatabase) {
    this.stmts = {
      insert: db.prepare('INSERT OR IGNORE INTO edoc_recipients (document_id, sender_organ, recipient_organ, recorded_at) VALUES (?, ?, ?, ?)'),
      find: db.prepare<[string, string, string], { found: number }>(
        'SELECT 1 AS found FROM edoc_recipients WHERE document_id = ? AND sender_organ = ? AND recipient_organ = ?',
      ),
    };
  }

  async record(documentId: string, sender: string, recipients: readonly string[]): Promise<void> {
    const at = new Date().toISOString();
    this.db.transaction(() => {
      for (const recipient of recipients) this.stmts.insert.run(documentId, sender, recipient, at);
    })();
  }

  async wasSentTo(documentId: string, sender: string, recipient: string): Promise<boolean> {
    return this.stmts.find.get(documentId, sender, recipient) !== undefined;
  }
}

class SqliteEdocSentDocuments implements EdocSentDocuments {
  private readonly stmts;
  constructor(db: SqliteDatabase) {
    const key = 'from_organ = @fromOrgan AND document_id = @documentId AND slot = @slot';
    this.stmts = {
      claim: db.prepare(`INSERT OR IGNORE INTO edoc_sent_documents (from_organ, document_id, slot, sha256, message_id, correlation_id, state, claimed_at_ms)
        VALUES (@fromOrgan, @documentId, @slot, @sha256, @messageId, @correlationId, 'pending', @claimedAtMs)`),
      get: db.prepare<SentDocumentKey, SentDocumentRow>(`SELECT * FROM edoc_sent_documents WHERE ${key}`),
      accepted: db.prepare(`UPDATE edoc_sent_documents SET state = 'accepted', message_id = @messageId, correlation_id = @correlationId
        WHERE ${key} AND message_id = @claimedMessageId`),
      release: db.prepare(`DELETE FROM edoc_sent_documents WHERE ${key} AND message_id = @messageId AND claimed_at_ms = @claimedAtMs AND state = 'pending'`),
      giveUp: db.prepare(`UPDATE edoc_sent_documents SET claimed_at_ms = 0 WHERE ${key} AND message_id = @messageId AND claimed_at_ms = @claimedAtMs AND state = 'pending'`),
      takeOver: db.prepare(`UPDATE edoc_sent_documents SET claimed_at_ms = @nowMs
        WHERE ${key} AND message_id = @messageId AND claimed_at_ms = @seenClaimedAtMs AND state = 'pending'`),
    };
  }

  async claim(document: Omit<SentDocument, 'state'>): Promise<SentDocument | null> {
    const key = keyOf(document);
    // One statement, and better-sqlite3 runs it to the end before anything else runs: of two claims one inserts.
    if (this.stmts.claim.run(document).changes === 1) return null;
    const row = this.stmts.get.get(key);
    return row ? sentDocumentFromRow(row) : this.claim(document);
  }

  async get(key: SentDocumentKey): Promise<SentDocument | null> {
    const row = this.stmts.get.get(keyOf(key));
    return row ? sentDocumentFromRow(row) : null;
  }

  async accepted(key: SentDocumentKey, claimedMessageId: string, accepted: { messageId: string; correlationId: string }): Promise<void> {
    this.stmts.accepted.run({ ...keyOf(key), claimedMessageId, ...accepted });
  }

  async release(key: SentDocumentKey, messageId: string, claimedAtMs: number): Promise<void> {
    this.stmts.release.run({ ...keyOf(key), messageId, claimedAtMs });
  }

  async giveUp(key: SentDocumentKey, messageId: string, claimedAtMs: number): Promise<void> {
    this.stmts.giveUp.run({ ...keyOf(key), messageId, claimedAtMs });
  }

  async takeOver(key: SentDocumentKey, messageId: string, seenClaimedAtMs: number, nowMs: number): Promise<boolean> {
    return this.stmts.takeOver.run({ ...keyOf(key), messageId, seenClaimedAtMs, nowMs }).changes === 1;
  }
}

/** Only the key's own fields: better-sqlite3 refuses named parameters a statement does not use. */
function keyOf(key: SentDocumentKey): SentDocumentKey {
  return { fromOrgan: key.fromOrgan, documentId: key.documentId, slot: key.slot };
}

class SqliteEdocAxisInbound implements EdocAxisInbound {
  private readonly stmts;
  constructor(db: SqliteDatabase) {
    this.stmts = {
      get: db.prepare<[string], AxisInboundRow>('SELECT * FROM edoc_axis_inbound WHERE axis_doc_id = ?'),
      record: db.prepare(`INSERT INTO edoc_axis_inbound (axis_doc_id, organ_id, from_organ, document_id, message_id, state, code, fetched_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (axis_doc_id) DO UPDATE SET from_organ = excluded.from_organ, document_id = excluded.document_id, message_id = excluded.message_id,
          state = excluded.state, code = excluded.code, updated_at = excluded.updated_at
        WHERE edoc_axis_inbound.state NOT IN ('acknowledged', 'refusal-reported')`),
      acknowledged: db.prepare("UPDATE edoc_axis_inbound SET state = CASE state WHEN 'refused' THEN 'refusal-reported' WHEN 'refusal-reported' THEN 'refusal-reported' ELSE 'acknowledged' END, updated_at = ? WHERE axis_doc_id = ?"),
      unreported: db.prepare<[], AxisInboundRow>("SELECT * FROM edoc_axis_inbound WHERE state = 'refused' ORDER BY fetched_at, axis_doc_id"),
      find: db.prepare<[string, string, string], { axis_doc_id: string }>(
        "SELECT axis_doc_id FROM edoc_axis_inbound WHERE document_id = ? AND from_organ = ? AND organ_id = ? AND state NOT IN ('refused', 'refusal-reported') ORDER BY fetched_at DESC LIMIT 1",
      ),
    };
  }

  async get(axisDocId: string): Promise<AxisInboundDocument | null> {
    const row = this.stmts.get.get(axisDocId);
    return row ? axisInboundFromRow(row) : null;
  }

  async record(outcome: AxisInboundOutcome): Promise<void> {
    this.stmts.record.run(...axisInboundColumns(outcome, new Date().toISOString()));
  }

  async acknowledged(axisDocId: string): Promise<void> {
    this.stmts.acknowledged.run(new Date().toISOString(), axisDocId);
  }

  async unreportedRefusals(): Promise<AxisInboundDocument[]> {
    return this.stmts.unreported.all().map(axisInboundFromRow);
  }

  async find(documentId: string, sender: string, recipient: string): Promise<string | null> {
    return this.stmts.find.get(documentId, sender, recipient)?.axis_doc_id ?? null;
  }
}

export class SqliteEdocStores implements EdocStores {
  readonly kind = 'sqlite' as const;
  readonly blobs: EdocBlobStore;
  readonly mailbox: EdocMailboxStore;
  readonly recipients: EdocRecipientLedger;
  readonly sentDocuments: EdocSentDocuments;
  readonly axisInbound: EdocAxisInbound;
  /** `blobDir`: where package bytes are kept, one file each (the data directory's edoc-blobs). */
  constructor(
    private readonly db: SqliteDatabase,
    blobDir: string,
  ) {
    migrateSqliteEdocStores(db);
    this.blobs = new SqliteEdocBlobStore(db, new BlobFiles(blobDir));
    this.mailbox = new SqliteEdocMailboxStore(db);
    this.recipients = new SqliteEdocRecipientLedger(db);
    this.sentDocuments = new SqliteEdocSentDocuments(db);
    this.axisInbound = new SqliteEdocAxisInbound(db);
  }
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
