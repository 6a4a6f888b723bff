// Ad-hoc audit append throughput: N appends with C in flight (the bus's concurrency), and one at a time, on SQLite and on PostgreSQL.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChainedAuditLog } from '../src/audit/audit-log';
import type { AuditStore } from '../src/audit/audit-store';
import { CheckpointSigner } from '../src/audit/checkpoint-signer';
import { DEFAULT_PERSONAL_FIELDS, PersonalDataProtector } from '../src/audit/personal-data';
import { PostgresAuditStore } from '../src/audit/postgres-audit-store';
import { SqliteAuditStore } from '../src/audit/sqlite-audit-store';

const N = Number(process.env.N ?? 20000);
const C = Number(process.env.C ?? 200);
/** Checkpoint every this many records (audit.checkpointEveryRecords); 0: none during the run. */
const EVERY = Number(process.env.EVERY ?? 0);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const signer = new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
const payload = { MaHoSo: '000.00.04.H10-261127-0001', ChuHoSo: { SoDinhDanh: '026092008262', HoVaTen: 'Đào Văn Tài', NgaySinh: '1992-11-22' }, TrangThai: 2 };

async function measure(label: string, store: AuditStore, mode: 'mask' | 'encrypt'): Promise<void> {
  const protector = new PersonalDataProtector({ mode, fields: DEFAULT_PERSONAL_FIELDS, encryptionKey: Buffer.alloc(32, 1) });
  const log = await ChainedAuditLog.open(store, signer, protector, { payloadMode: 'full', checkpointIntervalMs: 0, checkpointEveryRecords: EVERY, chainId: `bench-${Date.now()}-${mode}` });
  const event = (i: number) => ({ step: 'delivered' as const, outcome: 'ok' as const, messageId: `m-${i}`, correlationId: `c-${i}`, subject: payload.MaHoSo, client: 'motcua', route: 'dossier-sync', durationMs: 12, requestBytes: 800, payload });
  let started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N) await log.append(event(next++));
    }),
  );
  const concurrent = N / ((Date.now() - started) / 1000);
  started = Date.now();
  const serialN = Math.min(N, 2000);
  for (let i = 0; i < serialN; i++) await log.append(event(i));
  const serialMs = (Date.now() - started) / serialN;
  await log.checkpoint();
  started = Date.now();
  const report = await log.verify();
  console.log(`${label} (${mode}, checkpoint every ${EVERY || '-'}): ${Math.round(concurrent)} appends/s with ${C} in flight; ${serialMs.toFixed(2)} ms per append one at a time; verify ${report.ok ? 'ok' : 'FAILED'} ${Math.round(((N + serialN) / (Date.now() - started)) * 1000)} records/s`);
  await log.close();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'audit-bench-'));
  await measure('sqlite', new SqliteAuditStore({ file: path.join(dir, 'a.db') }), 'mask');
  await measure('sqlite', new SqliteAuditStore({ file: path.join(dir, 'b.db') }), 'encrypt');
  rmSync(dir, { recursive: true, force: true });
  const prefix = `audit_bench${Date.now().toString(36)}_`;
  const pg = await PostgresAuditStore.open({ databaseUrl, tablePrefix: prefix });
  await measure('postgres', pg, 'mask');
  const cleanup = await PostgresAuditStore.open({ databaseUrl, tablePrefix: prefix });
  await cleanup.dropTables();
  await cleanup.close();
}

void main();
