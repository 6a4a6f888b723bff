// Retention of Idempotency-Keys and effect records on both stores (SQLite and the real PostgreSQL, in a schema of its
// own): rows past their window go, in batches; rows inside it stay; time is moved by the clock given to the run.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PostgresStores } from '../../../src/stores/postgres/postgres-stores';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';
import { pruneStores, scheduleStoreRetention, type StoreRetentionSettings } from '../../../src/stores/store-retention';
import type { StoreRetention, Stores } from '../../../src/stores/stores';
import { waitFor } from '../../../testkit/env';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';

const DAY_MS = 86_400_000;
const SETTINGS: StoreRetentionSettings = { idempotencyKeysDays: 30, effectRecordsDays: 10, intervalMs: 3_600_000, batchSize: 2 };

interface OpenedStores {
  stores: Stores;
  dispose(): Promise<void>;
}

async function openSqliteStores(): Promise<OpenedStores> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-retention-'));
  const stores = new SqliteStores(openSqlite(path.join(dir, 'stores.db')));
  return {
    stores,
    dispose: async () => {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgresStores(): Promise<OpenedStores> {
  // Its own schema: a prune with the clock a month ahead would otherwise delete other suites' rows.
  const schema = `retention_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await createSchema(schema);
  const stores = await PostgresStores.open(schemaUrl(schema));
  return {
    stores,
    dispose: async () => {
      await stores.close();
      await dropSchema(schema);
    },
  };
}

describe.each([
  ['sqlite', openSqliteStores],
  ['postgres', openPostgresStores],
])('store retention: %s', (_kind, open) => {
  let opened: OpenedStores;
  beforeEach(async () => {
    opened = await open();
  });
  afterEach(async () => opened.dispose());

  const claim = (key: string, claimedAtMs: number) =>
    opened.stores.idempotency.claim('client-a', key, { messageId: randomUUID(), correlationId: randomUUID(), payloadDigest: 'sha256:x', claimedAtMs });

  test('effect records: none go inside the window; past it, the old ones go in batches and a newer one stays', async () => {
    const { stores } = opened;
    const old = Array.from({ length: 5 }, (_, i) => `deliver:generic:receiver:old-${i}`);
    for (const key of old) await stores.effects.markDone(key, key);
    const lastOldDoneAt = Date.now();
    // The newer record is done strictly after the cutoff the run below uses.
    await waitFor(() => Date.now() > lastOldDoneAt + 20, 1000, 'the clock moved on');
    await stores.effects.markDone('deliver:generic:receiver:new', 'new');

    const inside = await pruneStores(stores.retention, SETTINGS, lastOldDoneAt + 9 * DAY_MS);
    expect(inside).toMatchObject({ effects: 0, idempotencyKeys: 0 });
    for (const key of old) expect(await stores.effects.isDone(key)).toBe(true);

    // The clock 10 days and 10 ms on from the old records: they are past the window, the newer one is not.
    const past = await pruneStores(stores.retention, SETTINGS, lastOldDoneAt + 10 * DAY_MS + 10);
    expect(past.effects).toBe(5);
    expect(past.effectsBefore).toBe(new Date(lastOldDoneAt + 10).toISOString());
    for (const key of old) expect(await stores.effects.isDone(key)).toBe(false);
    expect(await stores.effects.isDone('deliver:generic:receiver:new')).toBe(true);
  });

  test('Idempotency-Keys: claimed before the cutoff go, accepted or pending; one renewed inside the window stays', async () => {
    const { stores } = opened;
    const now = Date.now();
    await claim('old-accepted', now - 31 * DAY_MS);
    await stores.idempotency.accepted('client-a', 'old-accepted');
    await claim('old-pending', now - 40 * DAY_MS);
    const renewed = await claim('old-renewed', now - 40 * DAY_MS);
    expect(renewed).toBeNull();
    const renewedRecord = (await claim('old-renewed', now))!;
    await stores.idempotency.renew('client-a', 'old-renewed', renewedRecord.messageId, renewedRecord.claimedAtMs, now - 1000);
    await claim('recent', now - 29 * DAY_MS);

    const result = await pruneStores(stores.retention, SETTINGS, now);
    expect(result).toMatchObject({ idempotencyKeys: 2, effects: 0 });
    // A resend under a pruned key is a fresh claim; under a kept one it finds what the key stands for.
    expect(await claim('old-accepted', now)).toBeNull();
    expect(await claim('old-pending', now)).toBeNull();
    expect(await claim('old-renewed', now)).toMatchObject({ messageId: renewedRecord.messageId });
    expect(await claim('recent', now)).toMatchObject({ state: 'pending' });
  });

  test('many rows go in batches of batchSize, and the schedule reports counts only', async () => {
    const { stores } = opened;
    const now = Date.now();
    for (let i = 0; i < 7; i++) await claim(`bulk-${i}`, now - 60 * DAY_MS);
    const calls: number[] = [];
    const counted: StoreRetention = {
      pruneEffects: (before, limit) => stores.retention.pruneEffects(before, limit),
      pruneIdempotencyKeys: async (beforeMs, limit) => {
        const deleted = await stores.retention.pruneIdempotencyKeys(beforeMs, limit);
        calls.push(deleted);
        return deleted;
      },
    };
    const schedule = scheduleStoreRetention(counted, { ...SETTINGS, batchSize: 3 }, { now: () => now, onResult: () => undefined });
    const result = await schedule.runOnce();
    schedule.stop();
    expect(calls).toEqual([3, 3, 1]);
    expect(result).toMatchObject({ idempotencyKeys: 7, effects: 0 });
    expect(Object.keys(result).sort()).toEqual(['durationMs', 'effects', 'effectsBefore', 'idempotencyKeys', 'idempotencyKeysBefore']);
  });
});
