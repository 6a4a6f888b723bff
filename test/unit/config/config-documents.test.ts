// Config documents built in memory (testkit/config/bus-documents.ts) load exactly as the same documents written as
// bus.yaml and routes.yaml do, and are checked as strictly: one builder serves in-process and child-process buses.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadBusConfig } from '../../../src/bus-config';
import { ConfigError } from '../../../src/config/load-config';
import { loadDocuments, shippedRoutes, writeConfigDir, type BusDocuments } from '../../../testkit/config/bus-documents';
import { DEVELOPMENT_PROFILE } from '../../../testkit/env';
import { dossierFlowConfig } from '../../../testkit/config/dossier-flow-config';

function documents(dir: string): BusDocuments {
  return {
    bus: {
      http: { host: '127.0.0.1', port: 0 },
      transport: { amqpUrl: null, namePrefix: 'documents-test' },
      stores: { dataDir: path.join(dir, 'data'), databaseUrl: null },
      auth: { developmentSigningKey: 'documents-test-signing-key-0123456789abcdef' },
      clients: [{ id: 'mot-cua', name: 'Một cửa', roles: ['intake'], rights: ['dossier.*'] }],
      flows: { dossier: dossierFlowConfig({ dvcqg: 'http://127.0.0.1:9', population: 'http://127.0.0.1:9' }, 'LGSP-DOCS') },
      logging: { level: 'silent' },
    },
    routes: { routes: shippedRoutes('dossier-', ['mot-cua']) },
  };
}

describe('config documents given in memory', () => {
  test('load to the same config as the same documents written to files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-documents-'));
    const docs = documents(dir);
    const fromFiles = loadBusConfig({ configDir: writeConfigDir(dir, docs), env: DEVELOPMENT_PROFILE });
    const inMemory = loadDocuments(docs, { configDir: path.join(dir, 'config'), env: DEVELOPMENT_PROFILE });
    expect(inMemory).toEqual(fromFiles);
    expect(inMemory.routes.map((route) => route.name)).toEqual(expect.arrayContaining(['dossier-sync', 'dossier-progress']));
  });

  test('are refused with the same problems as files when a value is wrong', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-documents-'));
    const docs = documents(dir);
    // A value the schema refuses (a port out of range): the types allow any number, the schema does not.
    docs.bus.http = { host: '127.0.0.1', port: 70_000 };
    const problems = (load: () => unknown): string[] => {
      try {
        load();
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      throw new Error('expected a ConfigError');
    };
    const inMemory = problems(() => loadDocuments(docs, { configDir: path.join(dir, 'config'), env: DEVELOPMENT_PROFILE }));
    const fromFiles = problems(() => loadBusConfig({ configDir: writeConfigDir(dir, docs), env: DEVELOPMENT_PROFILE }));
    expect(inMemory.some((problem) => problem.includes('http.port'))).toBe(true);
    expect(inMemory.map((problem) => problem.replace(/^[^:]*bus\.yaml[^:]*:/, ''))).toEqual(fromFiles.map((problem) => problem.replace(/^[^:]*bus\.yaml[^:]*:/, '')));
  });
});
