// PostgreSQL implementation of the e-document blob store, mailbox, recipient ledger, register of sent packages and
// register of packages fetched from the national axis, shared by several bus processes.
import { Pool } from 'pg';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { chunkBlob } from './blob-chunks';
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
import { openMigratedPool } from '../../../stores/postgres/postgres-migrator';
import { inPgTransaction } from '../../../stores/postgres/pg-transaction';
import { selectByteaColumn } from '../../../stores/postgres/pg-bytea-copy';
import { POSTGRES_EDOC_MIGRATIONS, POSTGRES_EDOC_OWNER } from './postgres-edoc-migrations';

/**
 * Most chunks of a blob stored in one statement (so one round trip and one implicit transaction): a package of up to
 * 4 MiB, which is most of them, and every status packet. A larger one goes in a transaction, a chunk per statement.
 */
const CHUNKS_IN_ONE_STATEMENT = 4;

/** Most chunks read in one binary COPY: a round trip per 4 MiB, and at most 4 MiB of a blob held at once. */
const CHUNKS_PER_READ = 4;

const INSERT_BLOB_ROW = `INSERT INTO bus_edoc_blobs (document_id, sha256, bytes, chunk_count, stored_at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (document_id, sha256) DO NOTHING`;

/**
 * The blob row and its `chunks` chunks ($6…) in one statement: the chunks are inserted only if the blob row was (a blob
 * stored before is left as it is), and both or neither commit.
 */
function insertBlobSql(chunks: number): string {
  if (chunks === 0) return INSERT_BLOB_ROW;
  const values = Array.from({ length: chunks }, (_, seq) => `(${seq}, $${6 + seq}::bytea)`).join(', ');
  return `WITH blob AS (${INSERT_BLOB_ROW} RETURNING 1)
  INSERT INTO bus_edoc_blob_chunks (document_id, sha256, seq, data)
  SELECT $1, $2, chunk.seq, chunk.data FROM (VALUES ${values}) AS chunk (seq, data) WHERE EXISTS (SELECT 1 FROM blob)`;
}

/** A blob that is not stored, or not whole: read answers null for it, a stream fails with it. */
class BlobUnreadableError extends Error {}

export class PostgresEdocBlobStore implements EdocBlobStore {
  constructor(private readonly pool: Pool) {}

  async put(documentId: string, chunks: readonly Buffer[]): Promise<BlobRef> {
    const { sha256, bytes, rows } = await chunkBlob(chunks);
    const blobRow = [documentId, sha256, bytes, rows.length, new Date().toISOString()];
    if (rows.length <= CHUNKS_IN_ONE_STATEMENT) {
      // Named, so that PostgreSQL soon plans it once for all (a generic plan): an unnamed statement is planned at each
      // run with its values as constants, and the planner copied each 1 MiB chunk several times over.
      await this.pool.query({ name: `bus-edoc-blob-insert-${rows.length}`, text: insertBlobSql(rows.length), values: [...blobRow, ...rows] });
      return { documentId, sha256, bytes };
    }
    await inPgTransaction(this.pool, async (client) => {
      const inserted = await client.query(INSERT_BLOB_ROW, blobRow);
      if ((inserted.rowCount ?? 0) > 0) {
        for (let seq = 0; seq < rows.length; seq++) {
          await client.query({ name: 'bus-edoc-chunk-insert', text: 'INSERT INTO bus_edoc_blob_chunks (document_id, sha256, seq, data) VALUES ($1, $2, $3, $4)', values: [documentId, sha256, seq, rows[seq]] });
        }
      }
    });
    return { documentId, sha256, bytes };
  }

  /**
   * The blob's chunks in order, up to CHUNKS_PER_READ per round trip, told complete by the reference's length: a blob's
   * chunks are rows 0…n−1 and their lengths add up to its bytes, so a blob or a chunk that is missing leaves them short.
   * A batch is checked before any of it is handed on, so no chunk after a missing one is.
   */
  private async *chunks(ref: BlobRef): AsyncGenerator<Buffer> {
    if (ref.bytes === 0) {
      if (!(await this.has(ref))) throw new BlobUnreadableError('blob not found');
      return;
    }
    let read = 0;
    for (let from = 0; read < ref.bytes; from += CHUNKS_PER_READ) {
      const batch = await selectByteaColumn(
        this.pool,
        'SELECT data FROM bus_edoc_blob_chunks WHERE document_id = $1 AND sha256 = $2 AND seq >= $3 AND seq < $4 ORDER BY seq',
        [ref.documentId, ref.sha256, from, from + CHUNKS_PER_READ],
      );
      const bytes = batch.reduce((sum, chunk) => sum + (chunk?.length ?? 0), 0);
      if (from === 0 && batch.length === 0) throw new BlobUnreadableError('blob not found');
      // A short batch must be the last one and end the blob exactly.
      if (batch.length < CHUNKS_PER_READ ? read + bytes !== ref.bytes : read + bytes > ref.bytes) throw new BlobUnreadableError('blob chunk missing');
      for (const chunk of batch) if (chunk) yield chunk;
      read += bytes;
    }
  }

  async read(ref: BlobRef): Promise<Buffer | null> {
    const out = Buffer.allocUnsafe(ref.bytes);
    let offset = 0;
    try {
      for await (const chunk of this.chunks(ref)) offset += chunk.copy(out, offset);
    } catch (error) {
      if (error instanceof BlobUnreadableError) return null;
      throw error;
    }
    return out;
  }

  stream(ref: BlobRef): Readable {
    return Readable.from(this.chunks(ref), { objectMode: false });
  }

  copyTo(ref: BlobRef, destination: Writable): Promise<void> {
    return pipeline(this.stream(ref), destination);
  }

  async has(ref: BlobRef): Promise<boolean> {
    const result = await this.pool.query<{ complete: boolean }>(
      `SELECT b.chunk_count = (SELECT COUNT(*) FROM bus_edoc_blob_chunks c WHERE c.document_id = b.document_id AND c.sha256 = b.sha256) AS complete
       FROM bus_edoc_blobs b WHERE b.document_id = $1 AND b.sha256 = $2`,
      [ref.documentId, ref.sha256],
    );
    return result.rows[0]?.complete === true;
  }
}

class PostgresEdocMailboxStore implements EdocMailboxStore {
  constructor(private readonly pool: Pool) {}

  async put(entry: NewMailboxEntry): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO bus_edoc_mailbox
         (entry_id, organ_id, kind, document_id, from_organ, blob_sha256, blob_bytes, business_doc_type, status_code, reported_status, received_at, updated_at, signature)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $10, $11) ON CONFLICT (entry_id) DO NOTHING`,
      [
        entry.entryId,
        entry.organId,
        entry.kind,
        entry.documentId,
        entry.fromOrgan,
        entry.blob.sha256,
        entry.blob.bytes,
        entry.businessDocType,
        entry.statusCode,
        entry.receivedAt,
        entry.signature === null ? null : JSON.stringify(entry.signature),
      ],
    );
    return (result.rowCount ?? 0) === 1;
  }

  async list(organIds: readonly string[], filter: MailboxFilter): Promise<MailboxEntry[]> {
    if (organIds.length === 0) return [];
    const params: unknown[] = [organIds];
    let where = 'organ_id = ANY($1)';
    if (filter.kind) {
      params.push(filter.kind);
      where += ` AND kind = $${params.length}`;
    }
    if (filter.since) {
      params.push(filter.since);
      where += ` AND received_at >= $${params.length}`;
    }
    const result = await this.pool.query<MailboxRow>(
      `SELECT * FROM bus_edoc_mailbox WHERE ${where} ORDER BY received_at, entry_id LIMIT ${mailboxLimit(filter)}`,
      params,
    );
    return result.rows.map(mailboxEntryFromRow);
  }

  async get(entryId: string): Promise<MailboxEntry | null> {
    const result = await this.pool.query<MailboxRow>('SELECT * FROM bus_edoc_mailbox WHERE entry_id = $1', [entryId]);
    return result.rows[0] ? mailboxEntryFromRow(result.rows[0]) : null;
  }

  async setReportedStatus(entryId: string, statusCode: string): Promise<void> {
    await this.pool.query('UPDATE bus_edoc_mailbox SET reported_status = $1, updated_at = $2 WHERE entry_id = $3', [statusCode, new Date().toISOString(), entryId]);
  }
}

class PostgresEdocRecipientLedger implements EdocRecipientLedger {
  constructor(private readonly pool: Pool) {}

  async record(documentId: string, sender: string, recipients: readonly string[]): Promise<void> {
    if (recipients.length === 0) return;
    await this.pool.query(
      `INSERT INTO bus_edoc_recipients (document_id, sender_organ, recipient_organ, recorded_at)
       SELECT $1, $2, recipient, $4 FROM unnest($3::text[]) AS recipient ON CONFLICT DO NOTHING`,
      [documentId, sender, recipients, new Date().toISOString()],
    );
  }

  async wasSentTo(documentId: string, sender: string, recipient: string): Promise<boolean> {
    const result = await this.pool.query(
      'SELECT 1 FROM bus_edoc_recipients WHERE document_id = $1 AND sender_organ = $2 AND recipient_organ = $3',
      [documentId, sender, recipient],
    );
    return (result.rowCount ?? 0) > 0;
  }
}

const SENT_KEY = 'from_organ = $1 AND document_id = $2 AND slot = $3';
const sentKeyParams = (key: SentDocumentKey): string[] => [key.fromOrgan, key.documentId, key.slot];

class PostgresEdocSentDocuments implements EdocSentDocuments {
  constructor(private readonly pool: Pool) {}

  async claim(document: Omit<SentDocument, 'state'>): Promise<SentDocument | null> {
    // The primary key decides between concurrent claims, across bus processes: one inserts, the others see its row.
    const inserted = await this.pool.query(
      `INSERT INTO bus_edoc_sent_documents (from_organ, document_id, slot, sha256, message_id, correlation_id, state, claimed_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) ON CONFLICT DO NOTHING`,
      [...sentKeyParams(document), document.sha256, document.messageId, document.correlationId, document.claimedAtMs],
    );
    if ((inserted.rowCount ?? 0) === 1) return null;
    const existing = await this.get(document);
    // Released between the two statements: claim again.
    return existing ?? this.claim(document);
  }

  async get(key: SentDocumentKey): Promise<SentDocument | null> {
    const result = await this.pool.query<SentDocumentRow>(`SELECT * FROM bus_edoc_sent_documents WHERE ${SENT_KEY}`, sentKeyParams(key));
    return result.rows[0] ? sentDocumentFromRow(result.rows[0]) : null;
  }

  async accepted(key: SentDocumentKey, claimedMessageId: string, accepted: { messageId: string; correlationId: string }): Promise<void> {
    await this.pool.query(
      `UPDATE bus_edoc_sent_documents SET state = 'accepted', message_id = $5, correlation_id = $6 WHERE ${SENT_KEY} AND message_id = $4`,
      [...sentKeyParams(key), claimedMessageId, accepted.messageId, accepted.correlationId],
    );
  }

  async release(key: SentDocumentKey, messageId: string, claimedAtMs: number): Promise<void> {
    await this.pool.query(
      `DELETE FROM bus_edoc_sent_documents WHERE ${SENT_KEY} AND message_id = $4 AND claimed_at_ms = $5 AND state = 'pending'`,
      [...sentKeyParams(key), messageId, claimedAtMs],
    );
  }

  async giveUp(key: SentDocumentKey, messageId: string, claimedAtMs: number): Promise<void> {
    await this.pool.query(
      `UPDATE bus_edoc_sent_documents SET claimed_at_ms = 0 WHERE ${SENT_KEY} AND message_id = $4 AND claimed_at_ms = $5 AND state = 'pending'`,
      [...sentKeyParams(key), messageId, claimedAtMs],
    );
  }

  async takeOver(key: SentDocumentKey, messageId: string, seenClaimedAtMs: number, nowMs: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE bus_edoc_sent_documents SET claimed_at_ms = $6 WHERE ${SENT_KEY} AND message_id = $4 AND claimed_at_ms = $5 AND state = 'pending'`,
      [...sentKeyParams(key), messageId, seenClaimedAtMs, nowMs],
    );
    return (result.rowCount ?? 0) === 1;
  }
}

class PostgresEdocAxisInbound implements EdocAxisInbound {
  constructor(private readonly pool: Pool) {}

  async get(axisDocId: string): Promise<AxisInboundDocument | null> {
    const result = await this.pool.query<AxisInboundRow>('SELECT * FROM bus_edoc_axis_inbound WHERE axis_doc_id = $1', [axisDocId]);
    return result.rows[0] ? axisInboundFromRow(result.rows[0]) : null;
  }

  async record(outcome: AxisInboundOutcome): Promise<void> {
    await this.pool.query(
      `INSERT INTO bus_edoc_axis_inbound (axis_doc_id, organ_id, from_organ, document_id, message_id, state, code, fetched_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (axis_doc_id) DO UPDATE SET from_organ = EXCLUDED.from_organ, document_id = EXCLUDED.document_id, message_id = EXCLUDED.message_id,
         state = EXCLUDED.state, code = EXCLUDED.code, updated_at = EXCLUDED.updated_at
       WHERE bus_edoc_axis_inbound.state NOT IN ('acknowledged', 'refusal-reported')`,
      axisInboundColumns(outcome, new Date().toISOString()),
    );
  }

  async acknowledged(axisDocId: string): Promise<void> {
    await this.pool.query(
      "UPDATE bus_edoc_axis_inbound SET state = CASE state WHEN 'refused' THEN 'refusal-reported' WHEN 'refusal-reported' THEN 'refusal-reported' ELSE 'acknowledged' END, updated_at = $1 WHERE axis_doc_id = $2",
      [new Date().toISOString(), axisDocId],
    );
  }

  async unreportedRefusals(): Promise<AxisInboundDocument[]> {
    const result = await this.pool.query<AxisInboundRow>("SELECT * FROM bus_edoc_axis_inbound WHERE state = 'refused' ORDER BY fetched_at, axis_doc_id");
    return result.rows.map(axisInboundFromRow);
  }

  async find(documentId: string, sender: string, recipient: string): Promise<string | null> {
    const result = await this.pool.query<{ axis_doc_id: string }>(
      "SELECT axis_doc_id FROM bus_edoc_axis_inbound WHERE document_id = $1 AND from_organ = $2 AND organ_id = $3 AND state NOT IN ('refused', 'refusal-reported') ORDER BY fetched_at DESC LIMIT 1",
      [documentId, sender, recipient],
    );
    return result.rows[0]?.axis_doc_id ?? null;
  }
}

export class PostgresEdocStores implements EdocStores {
  readonly kind = 'postgres' as const;
  readonly blobs: EdocBlobStore;
  readonly mailbox: EdocMailboxStore;
  readonly recipients: EdocRecipientLedger;
  readonly sentDocuments: EdocSentDocuments;
  readonly axisInbound: EdocAxisInbound;
  private constructor(private readonly pool: Pool) {
    this.blobs = new PostgresEdocBlobStore(pool);
    this.mailbox = new PostgresEdocMailboxStore(pool);
    this.recipients = new PostgresEdocRecipientLedger(pool);
    this.sentDocuments = new PostgresEdocSentDocuments(pool);
    this.axisInbound = new PostgresEdocAxisInbound(pool);
  }

  static async open(connectionString: string): Promise<PostgresEdocStores> {
    return new PostgresEdocStores(await openMigratedPool(connectionString, 5, POSTGRES_EDOC_OWNER, POSTGRES_EDOC_MIGRATIONS));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
