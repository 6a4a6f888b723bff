// The embedded transport owns its queue file: its queue and its dead letters, not the stores' tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqlite } from '../../../src/stores/sqlite/sqlite-stores';
import { EmbeddedTransport, QUEUE_HOT_SQL } from '../../../src/transport/embedded/embedded-transport';

test('a fresh queue file holds the queue, its dead letters and the schema versions, nothing of the stores', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-queue-file-'));
  const db = openSqlite(path.join(dir, 'queue.db'));
  try {
    const transport = new EmbeddedTransport({ db, deliveryLimit: 5 });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(['dead_letters', 'queue_messages', 'schema_migrations']);
    expect(await transport.listDeadLetters({})).toEqual([]);
    await transport.close();
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every statement of a handout finds its rows through an index: no scan of the queue, no sort of its backlog', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-queue-plan-'));
  const db = openSqlite(path.join(dir, 'queue.db'));
  try {
    const transport = new EmbeddedTransport({ db, deliveryLimit: 5 });
    // A backlog, so the planner weighs real tables; ANALYZE as a long-lived file would have its statistics.
    const insert = db.prepare('INSERT INTO queue_messages (route, message_id, envelope, history, available_at) VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(i % 2 ? 'a' : 'b', `m${i}`, '{}', '[]', Date.now());
    })();
    db.exec('ANALYZE');
    const plans = {
      claim: [Date.now() + 60_000, 'a', Date.now(), 20],
      reclaimExpired: [Date.now()],
      nextWake: [{ route: 'a' }],
    } satisfies Record<keyof typeof QUEUE_HOT_SQL, unknown[]>;
    for (const [name, params] of Object.entries(plans)) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${QUEUE_HOT_SQL[name as keyof typeof QUEUE_HOT_SQL]}`).all(...params) as { detail: string }[]).map((r) => r.detail);
      expect({ name, plan: plan.filter((step) => /^SCAN queue_messages|TEMP B-TREE/.test(step)) }).toEqual({ name, plan: [] });
    }
    await transport.close();
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
