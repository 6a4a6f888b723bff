// The audit room under test: a fresh SQLite file or PostgreSQL table prefix per suite, raw SQL for tampering, a signer and writers.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { ChainedAuditLog, type AuditWriterOptions } from '../src/audit/audit-log';
import type { AuditStore } from '../src/audit/audit-store';
import { GENESIS_HASH, linkRecords, type RecordContent } from '../src/audit/chain';
import type { ChainOwner } from '../src/audit/types';
import { auditSchemaOwner } from '../src/audit/audit-migrations';
import { auditTables } from '../src/audit/audit-sql';
import { forgetPostgresMigrations } from '../src/stores/postgres/postgres-migrator';
import { CheckpointSigner } from '../src/audit/checkpoint-signer';
import { DEFAULT_PERSONAL_FIELDS, PersonalDataProtector, type PersonalDataConfig } from '../src/audit/personal-data';
import { PostgresAuditStore } from '../src/audit/postgres-audit-store';
import { SqliteAuditStore } from '../src/audit/sqlite-audit-store';
import { DATABASE_URL } from './env';

export interface AuditHarness {
  kind: 'sqlite' | 'postgres';
  prefix: string;
  dir: string;
  sqliteFile: string;
  openStore(): Promise<AuditStore>;
  /** Runs raw SQL against the audit tables (inline literals only). */
  exec(sql: string): Promise<void>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

export function newSigner(): CheckpointSigner {
  return new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
}

export async function openWriter(
  store: AuditStore,
  signer: CheckpointSigner,
  options: Partial<AuditWriterOptions> = {},
  personal: PersonalDataConfig = { mode: 'mask', fields: DEFAULT_PERSONAL_FIELDS },
): Promise<ChainedAuditLog> {
  return ChainedAuditLog.open(store, signer, new PersonalDataProtector(personal), { payloadMode: 'full', checkpointIntervalMs: 0, probeIntervalMs: 100, ...options });
}

export function recordContent(i: number): RecordContent {
  return {
    at: new Date().toISOString(),
    step: 'delivered',
    outcome: 'ok',
    messageId: `m-${i}`,
    correlationId: null,
    subject: null,
    client: null,
    route: 'r',
    errorCode: null,
    reason: null,
    startedAt: null,
    durationMs: null,
    requestBytes: null,
    responseBytes: null,
    payloadDigest: null,
    payload: null,
    actor: null,
    details: null,
  };
}

/** A chain as a killed bus leaves it: leased by `owner`, `n` records, a checkpoint at `signedAt`, nothing renewing the lease. */
export async function writeOrphan(store: AuditStore, signer: CheckpointSigner, chainId: string, o: { n: number; signedAt: number; owner: ChainOwner; leaseMs: number }): Promise<void> {
  if ((await store.claimChain(chainId, o.owner, o.leaseMs)) !== 'open') throw new Error(`chain ${chainId} is sealed`);
  const linked = linkRecords({ seq: 0, hash: GENESIS_HASH }, chainId, Array.from({ length: o.n }, (_, i) => recordContent(i + 1)));
  await store.appendBatch(linked.records);
  const at = linked.records[o.signedAt - 1]!;
  await store.saveCheckpoint(signer.sign({ chainId, seq: at.seq, headHash: at.hash, at: new Date().toISOString() }));
}

export function sqliteHarness(): AuditHarness {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-audit-'));
  const sqliteFile = path.join(dir, 'audit.db');
  const prefix = 'audit_';
  let raw: Database.Database | null = null;
  const db = (): Database.Database => (raw ??= new Database(sqliteFile));
  return {
    kind: 'sqlite',
    prefix,
    dir,
    sqliteFile,
    openStore: async () => new SqliteAuditStore({ file: sqliteFile, tablePrefix: prefix, busyTimeoutMs: 200 }),
    exec: async (sql) => void db().exec(sql),
    rows: async (sql) => db().prepare(sql).all() as Record<string, unknown>[],
    cleanup: async () => {
      raw?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresHarness(): AuditHarness {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-audit-'));
  const prefix = `audit_t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}_`;
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  return {
    kind: 'postgres',
    prefix,
    dir,
    sqliteFile: '',
    openStore: () => PostgresAuditStore.open({ databaseUrl: DATABASE_URL, tablePrefix: prefix }),
    exec: async (sql) => void (await pool.query(sql)),
    rows: async (sql) => (await pool.query(sql)).rows as Record<string, unknown>[],
    cleanup: async () => {
      await pool.query(`DROP TABLE IF EXISTS ${auditTables(prefix).join(', ')}`);
      await forgetPostgresMigrations(pool, auditSchemaOwner(prefix));
      await pool.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
