// The edoc stores contract on both backends: SQLite and PostgreSQL (in a schema of its own, dropped afterwards); and the
// SQLite store reading packages an earlier version stored as rows.
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Pool, type PoolClient } from 'pg';
import { BlobFiles } from '../../../src/flows/edoc/stores/blob-files';
import { BLOB_CHUNK_BYTES } from '../../../src/flows/edoc/stores/edoc-store';
import { openEdocStores } from '../../../src/flows/edoc/stores/open-edoc-stores';
import { PostgresEdocBlobStore } from '../../../src/flows/edoc/stores/postgres-edoc-stores';
import { edocStoresContract, type EdocStoresUnderTest } from '../../../testkit/contracts/edoc-stores-contract';
import { uniqueName } from '../../../testkit/env';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';

const backends: [string, () => Promise<EdocStoresUnderTest>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-edoc-store-'));
      return {
        open: () => openEdocStores({ databaseUrl: null, dataDir: dir }),
        sql: async (statement) => {
          const db = new Database(path.join(dir, 'edoc.db'));
          try {
            db.exec(statement.replace(/\{prefix\}/g, ''));
          } finally {
            db.close();
          }
        },
        // The bytes are in a file of their own: a blob loses its last byte.
        damage: async (ref) => truncateSync(new BlobFiles(path.join(dir, 'edoc-blobs')).pathOf(ref), ref.bytes - 1),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'postgres',
    async () => {
      const schema = uniqueName('edoc_store').replace(/-/g, '_');
      await createSchema(schema);
      return {
        open: () => openEdocStores({ databaseUrl: schemaUrl(schema), dataDir: '.' }),
        sql: async (statement) => {
          const pg = new Client({ connectionString: schemaUrl(schema) });
          await pg.connect();
          try {
            await pg.query(statement.replace(/\{prefix\}/g, 'bus_'));
          } finally {
            await pg.end();
          }
        },
        damage: async (ref) => {
          const pg = new Client({ connectionString: schemaUrl(schema) });
          await pg.connect();
          try {
            await pg.query('DELETE FROM bus_edoc_blob_chunks WHERE document_id = $1 AND sha256 = $2 AND seq = 1', [ref.documentId, ref.sha256]);
          } finally {
            await pg.end();
          }
        },
        cleanup: () => dropSchema(schema),
      };
    },
  ],
];

for (const [name, make] of backends) edocStoresContract(name, make);

describe('the SQLite edoc store with packages stored as rows by an earlier version', () => {
  test('a blob written as 1 MiB rows before edoc migration 6 is still read, streamed and complete', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-edoc-rows-'));
    try {
      const stores = await openEdocStores({ databaseUrl: null, dataDir: dir });
      await stores.close();
      const bytes = randomBytes(BLOB_CHUNK_BYTES + 100);
      const ref = { documentId: '000.00.01.H10,2025/03/14,1/UBND-VP', sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
      // What the earlier version wrote: the chunk rows, then the blob row (its storage column defaults to rows).
      const db = new Database(path.join(dir, 'edoc.db'));
      try {
        const chunk = db.prepare('INSERT INTO edoc_blob_chunks (document_id, sha256, seq, data) VALUES (?, ?, ?, ?)');
        chunk.run(ref.documentId, ref.sha256, 0, bytes.subarray(0, BLOB_CHUNK_BYTES));
        chunk.run(ref.documentId, ref.sha256, 1, bytes.subarray(BLOB_CHUNK_BYTES));
        db.prepare('INSERT INTO edoc_blobs (document_id, sha256, bytes, chunk_count, stored_at) VALUES (?, ?, ?, 2, ?)').run(ref.documentId, ref.sha256, ref.bytes, new Date().toISOString());
      } finally {
        db.close();
      }
      const reopened = await openEdocStores({ databaseUrl: null, dataDir: dir });
      try {
        expect(await reopened.blobs.has(ref)).toBe(true);
        expect((await reopened.blobs.read(ref))?.equals(bytes)).toBe(true);
        const streamed: Buffer[] = [];
        for await (const piece of reopened.blobs.stream(ref)) streamed.push(piece as Buffer);
        expect(Buffer.concat(streamed).equals(bytes)).toBe(true);
        // Stored again (a resend of the same package): left where it is.
        expect(await reopened.blobs.put(ref.documentId, [bytes])).toEqual(ref);
        expect(existsSync(new BlobFiles(path.join(dir, 'edoc-blobs')).pathOf(ref))).toBe(false);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the PostgreSQL edoc store', () => {
  test('stores package chunks without trying to compress them (edoc migration 6), and reads them back', async () => {
    const schema = uniqueName('edoc_chunks').replace(/-/g, '_');
    await createSchema(schema);
    const stores = await openEdocStores({ databaseUrl: schemaUrl(schema), dataDir: '.' });
    const pg = new Client({ connectionString: schemaUrl(schema) });
    await pg.connect();
    try {
      // Text pglz would shrink to almost nothing: stored compressed unless the column says EXTERNAL.
      const bytes = Buffer.alloc(BLOB_CHUNK_BYTES + 100, 'A');
      const ref = await stores.blobs.put('000.00.01.H10,2026/12/05,1/UBND-VP', [bytes]);
      const chunks = await pg.query<{ seq: number; compression: string | null; stored: string }>(
        'SELECT seq, pg_column_compression(data) AS compression, pg_column_size(data)::text AS stored FROM bus_edoc_blob_chunks WHERE document_id = $1 ORDER BY seq',
        [ref.documentId],
      );
      expect(chunks.rows.map((r) => [r.seq, r.compression])).toEqual([
        [0, null],
        [1, null],
      ]);
      expect(Number(chunks.rows[0]!.stored)).toBeGreaterThanOrEqual(BLOB_CHUNK_BYTES);
      expect((await stores.blobs.read(ref))?.equals(bytes)).toBe(true);
    } finally {
      await pg.end();
      await stores.close();
      await dropSchema(schema);
    }
  });

  test('a package of up to 4 MiB is stored in one statement and read back in one COPY; a larger one in steps', async () => {
    const schema = uniqueName('edoc_trips').replace(/-/g, '_');
    await createSchema(schema);
    await (await openEdocStores({ databaseUrl: schemaUrl(schema), dataDir: '.' })).close();
    // The statements the store sends, counted on its pool's connections (each is a round trip to PostgreSQL).
    const pool = new Pool({ connectionString: schemaUrl(schema), max: 2 });
    let statements = 0;
    pool.on('connect', (client: PoolClient) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        statements++;
        return query(...args);
      };
    });
    const counted = async <T>(work: () => Promise<T>): Promise<{ value: T; statements: number }> => {
      const before = statements;
      const value = await work();
      return { value, statements: statements - before };
    };
    const blobs = new PostgresEdocBlobStore(pool);
    try {
      const usual = randomBytes(BLOB_CHUNK_BYTES + 400_000);
      const stored = await counted(() => blobs.put('000.00.01.H10,2026/12/07,1/UBND-VP', [usual]));
      expect(stored.statements).toBe(1);
      const read = await counted(() => blobs.read(stored.value));
      expect(read.statements).toBe(1);
      expect(read.value?.equals(usual)).toBe(true);
      expect(await counted(() => blobs.put('000.00.01.H10,2026/12/07,1/UBND-VP', [usual]))).toEqual({ value: stored.value, statements: 1 });

      // Five chunks: a transaction (BEGIN, the blob row, a statement per chunk, COMMIT), read in two COPYs.
      const large = randomBytes(BLOB_CHUNK_BYTES * 4 + 10);
      const storedLarge = await counted(() => blobs.put('000.00.01.H10,2026/12/07,2/UBND-VP', [large]));
      expect(storedLarge.statements).toBe(8);
      const streamed: Buffer[] = [];
      const streaming = await counted(async () => {
        for await (const chunk of blobs.stream(storedLarge.value)) streamed.push(chunk as Buffer);
      });
      expect(streaming.statements).toBe(2);
      expect(Buffer.concat(streamed).equals(large)).toBe(true);
      expect(streamed.map((c) => c.length)).toEqual([BLOB_CHUNK_BYTES, BLOB_CHUNK_BYTES, BLOB_CHUNK_BYTES, BLOB_CHUNK_BYTES, 10]);
    } finally {
      await pool.end();
      await dropSchema(schema);
    }
  });
});
