// The edoc stores contract on both backends: SQLite and PostgreSQL (in a schema of its own, dropped afterwards).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
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
        cleanup: () => dropSchema(schema),
      };
    },
  ],
];

for (const [name, make] of backends) edocStoresContract(name, make);
