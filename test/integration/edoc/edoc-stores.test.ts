// The edoc stores contract on both backends: SQLite and PostgreSQL (in a schema of its own, dropped afterwards).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { BlobFiles } from '../../../src/flows/edoc/stores/blob-files';
import { openEdocStores } from '../../../src/flows/edoc/stores/open-edoc-stores';
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
