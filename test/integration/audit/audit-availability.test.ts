// Fail closed, recover alone: when the audit store cannot be written, health is down and append rejects with AUDIT_UNAVAILABLE; when it is back, both recover.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { PostgresAuditStore } from '../../../src/audit/postgres-audit-store';
import { verifyAudit } from '../../../src/audit/verifier';
import { DATABASE_URL, waitFor } from '../../../testkit/env';
import { newSigner, openWriter, sqliteHarness } from '../../../testkit/audit-harness';
import { freePort, tcpRelay } from '../../../testkit/tcp-relay';

const ev = (i: number) => ({ step: 'received' as const, outcome: 'ok' as const, messageId: `m-${i}` });

test('sqlite: a store another connection holds locked is reported down; released, the writer recovers by itself', async () => {
  const h = sqliteHarness();
  const signer = newSigner();
  const log = await openWriter(await h.openStore(), signer, { chainId: 'lock' });
  await log.append(ev(1));
  // A backup or a runaway admin session holding the write lock: the audit store cannot be written.
  const blocker = new Database(h.sqliteFile);
  blocker.exec('BEGIN EXCLUSIVE');
  await expect(log.append(ev(2))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
  expect(log.isHealthy()).toBe(false);
  expect(log.health()).toMatchObject({ status: 'down', lastError: expect.stringMatching(/SQLITE_BUSY/) });
  blocker.exec('ROLLBACK');
  blocker.close();
  await waitFor(() => log.isHealthy(), 5000, 'audit health up');
  expect((await log.append(ev(3))).seq).toBe(2);
  await log.close();
  const store = await h.openStore();
  expect(await verifyAudit(store, { publicKeys: [signer.publicKey] })).toMatchObject({ ok: true, chains: [{ lastSeq: 2 }] });
  await store.close();
  await h.cleanup();
});

test('postgres: a closed port is reported down, append rejects; when the database answers, and again after a cut, the writer recovers', async () => {
  const port = await freePort();
  const url = new URL(DATABASE_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const prefix = `audit_a${Date.now().toString(36)}_`;
  const signer = newSigner();
  const chainId = `pg-${randomUUID()}`;
  const store = await PostgresAuditStore.open({ databaseUrl: url.toString(), tablePrefix: prefix, connectionTimeoutMs: 1000 });
  const log = await openWriter(store, signer, { chainId });
  expect(log.health()).toMatchObject({ status: 'down', lastError: expect.stringMatching(/ECONNREFUSED/) });
  await expect(log.append(ev(1))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE', message: expect.stringMatching(/ECONNREFUSED/) });

  const proxy = tcpRelay(port, DATABASE_URL);
  await proxy.start();
  await waitFor(() => log.isHealthy(), 10_000, 'audit health up');
  expect((await log.append(ev(2))).seq).toBe(1);
  expect((await log.append(ev(3))).seq).toBe(2);

  await proxy.stop();
  await expect(log.append(ev(4))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
  expect(log.isHealthy()).toBe(false);
  await proxy.start();
  await waitFor(() => log.isHealthy(), 10_000, 'audit health up again');
  expect((await log.append(ev(5))).seq).toBe(3);
  await log.close();
  await proxy.stop();

  const direct = await PostgresAuditStore.open({ databaseUrl: DATABASE_URL, tablePrefix: prefix });
  expect(await verifyAudit(direct, { publicKeys: [signer.publicKey] })).toMatchObject({ ok: true, chains: [{ lastSeq: 3, signedThrough: 3 }] });
  await direct.dropTables();
  await direct.close();
});
