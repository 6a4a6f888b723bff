// The SQLite group commit: the writes of one event-loop turn share one commit, each settles only once it is on disk,
// and one that throws fails alone.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqlite, type SqliteDatabase } from '../../../src/stores/sqlite/sqlite-stores';
import { SqliteGroupCommit } from '../../../src/stores/sqlite/sqlite-group-commit';

let dir: string;
let db: SqliteDatabase;
let reader: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lgsp-group-commit-'));
  const file = path.join(dir, 'g.db');
  db = openSqlite(file);
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  db.pragma('wal_checkpoint(TRUNCATE)');
  reader = new Database(file, { readonly: true });
});

afterEach(() => {
  reader.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (k: string, v: number) => () => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(k, v).changes;
const countFromAnotherConnection = () => (reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
/** Frames in the WAL: every commit appends at least one, so N commits of one row each leave at least N. */
const walFrames = () => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;

test('the writes of one turn share one commit, visible to another connection once they have resolved', async () => {
  const group = new SqliteGroupCommit(db);
  const writes = Array.from({ length: 200 }, (_, i) => group.write(insert(`k${i}`, i)));
  expect(group.waiting).toBe(200);
  expect(countFromAnotherConnection()).toBe(0);
  await expect(Promise.all(writes)).resolves.toEqual(Array(200).fill(1));
  expect(countFromAnotherConnection()).toBe(200);
  // 200 rows in one commit fit in a few pages; 200 commits would have appended at least 200 frames.
  expect(walFrames()).toBeLessThan(20);
});

test('a write that throws is rolled back and rejected alone; the others of its turn commit', async () => {
  const group = new SqliteGroupCommit(db);
  const first = group.write(insert('a', 1));
  const failing = group.write(() => {
    insert('b', 2)();
    throw new Error('refused');
  });
  const duplicate = group.write(insert('a', 3));
  const last = group.write(insert('c', 4));
  // Settled together: a rejection waiting for its handler behind another await would be an unhandled one.
  const [a, b, c, d] = await Promise.allSettled([first, failing, duplicate, last]);
  expect(a).toEqual({ status: 'fulfilled', value: 1 });
  expect(b).toMatchObject({ status: 'rejected', reason: { message: 'refused' } });
  expect(c).toMatchObject({ status: 'rejected', reason: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' } });
  expect(d).toEqual({ status: 'fulfilled', value: 1 });
  expect(reader.prepare('SELECT k, v FROM t ORDER BY k').all()).toEqual([
    { k: 'a', v: 1 },
    { k: 'c', v: 4 },
  ]);
});

test('writes run in the order asked, a later one seeing an earlier one of the same turn', async () => {
  const group = new SqliteGroupCommit(db);
  const writes = [group.write(insert('x', 1)), group.write(() => db.prepare(`UPDATE t SET v = v + 10 WHERE k = 'x'`).run().changes)];
  await Promise.all(writes);
  expect(reader.prepare(`SELECT v FROM t WHERE k = 'x'`).get()).toEqual({ v: 11 });
});

test('a commit that fails rejects every write of its turn; drained() commits what waits before a close', async () => {
  const group = new SqliteGroupCommit(db);
  const locker = new Database(path.join(dir, 'g.db'));
  locker.pragma('busy_timeout = 0');
  db.pragma('busy_timeout = 0');
  locker.exec('BEGIN IMMEDIATE');
  const outcomes = await Promise.allSettled([group.write(insert('p', 1)), group.write(insert('q', 2))]);
  expect(outcomes).toMatchObject([
    { status: 'rejected', reason: { code: 'SQLITE_BUSY' } },
    { status: 'rejected', reason: { code: 'SQLITE_BUSY' } },
  ]);
  locker.exec('ROLLBACK');
  locker.close();

  const waiting = group.write(insert('r', 3));
  await group.drained();
  expect(countFromAnotherConnection()).toBe(1);
  await expect(waiting).resolves.toBe(1);
});
