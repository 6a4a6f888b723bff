// The embedded transport owns its queue file: its queue and its dead letters, not the stores' tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqlite } from '../../../src/stores/sqlite/sqlite-stores';
import { EmbeddedTransport } from '../../../src/transport/embedded/embedded-transport';

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
