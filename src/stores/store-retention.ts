// Runs store retention on a timer: Idempotency-Keys and effect records past their window are deleted in small batches.
import type { StoreRetention } from './stores';

export interface StoreRetentionSettings {
  idempotencyKeysDays: number;
  effectRecordsDays: number;
  intervalMs: number;
  batchSize: number;
}

/** What one run deleted, and the cutoffs it used; counts and times only, never a key or a message id. */
export interface StorePruneResult {
  effects: number;
  idempotencyKeys: number;
  effectsBefore: string;
  idempotencyKeysBefore: string;
  durationMs: number;
}

export interface StoreRetentionSchedule {
  /** One run now (also what the timer calls). */
  runOnce(): Promise<StorePruneResult>;
  stop(): void;
}

const DAY_MS = 86_400_000;

/**
 * Deletes batch after batch until a batch comes back short, giving the event loop a turn between batches: a SQLite
 * delete runs on the loop, and intake requests waiting for it go first.
 */
async function pruneInBatches(prune: (limit: number) => Promise<number>, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await prune(batchSize);
    total += deleted;
    if (deleted < batchSize) return total;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** One retention run as of `nowMs`. */
export async function pruneStores(retention: StoreRetention, settings: StoreRetentionSettings, nowMs: number): Promise<StorePruneResult> {
  const started = Date.now();
  const effectsBefore = new Date(nowMs - settings.effectRecordsDays * DAY_MS);
  const keysBeforeMs = nowMs - settings.idempotencyKeysDays * DAY_MS;
  const effects = await pruneInBatches((limit) => retention.pruneEffects(effectsBefore, limit), settings.batchSize);
  const idempotencyKeys = await pruneInBatches((limit) => retention.pruneIdempotencyKeys(keysBeforeMs, limit), settings.batchSize);
  return {
    effects,
    idempotencyKeys,
    effectsBefore: effectsBefore.toISOString(),
    idempotencyKeysBefore: new Date(keysBeforeMs).toISOString(),
    durationMs: Date.now() - started,
  };
}

export interface StoreRetentionOptions {
  /** The clock the cutoffs are taken from; default Date.now (tests move it forward instead of waiting). */
  now?: () => number;
  onResult: (result: StorePruneResult | Error) => void;
}

/** Prunes every intervalMs; a run still going when the timer fires again is not doubled. */
export function scheduleStoreRetention(retention: StoreRetention, settings: StoreRetentionSettings, options: StoreRetentionOptions): StoreRetentionSchedule {
  const now = options.now ?? Date.now;
  let running: Promise<StorePruneResult> | null = null;
  const runOnce = (): Promise<StorePruneResult> => {
    running ??= pruneStores(retention, settings, now()).finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (running) return;
    runOnce().then(options.onResult, (error: Error) => options.onResult(error));
  }, settings.intervalMs);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
