// Fail closed, recover alone: when the audit store cannot be written, health is down and append rejects with AUDIT_UNAVAILABLE; when it is back, both recover.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { PostgresAuditStore } from '../../../src/audit/postgres-audit-store';
import { verifyAudit } from '../../../src/audit/verifier';
import { DATABASE_URL, waitFor } from '../../support/env';
import { newSigner, openWriter, sqliteHarness } from './audit-harness';

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

/** A TCP relay in front of the real PostgreSQL that a test can cut and restore on the same port. */
function relay(port: number): { start(): Promise<void>; stop(): Promise<void> } {
  let server: net.Server | null = null;
  const sockets = new Set<net.Socket>();
  return {
    start: () =>
      new Promise((resolve, reject) => {
        const target = new URL(DATABASE_URL);
        server = net.createServer((client) => {
          const upstream = net.connect(Number(target.port || 5432), target.hostname);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('close', () => sockets.delete(s));
            s.on('error', () => [client, upstream].forEach((x) => x.destroy()));
          }
          client.pipe(upstream).pipe(client);
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        if (server) server.close(() => resolve());
        else resolve();
        server = null;
      }),
  };
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return port;
}

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

  const proxy = relay(port);
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
