// Group commit for one SQLite file: the writes asked for during one event-loop turn go to disk in one transaction, so
// one WAL sync (synchronous=FULL) covers them all instead of one each on the event loop.
//
// Rules: a write's promise settles only after the transaction holding it has committed, so "resolved" still means
// "durable". Each write runs in a savepoint of its own, in the order asked: one that throws is rolled back alone and
// rejects alone; the others commit. A commit that fails rejects every write of the batch. Reads do not go through
// here: a caller that awaited its write reads what it wrote.
import type Database from 'better-sqlite3';

interface PendingWrite {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class SqliteGroupCommit {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  /** Runs one write; inside the batch's transaction better-sqlite3 makes it a savepoint. */
  private readonly inSavepoint: (work: () => unknown) => unknown;
  private readonly batch: (writes: PendingWrite[]) => Outcome[];

  constructor(private readonly db: Database.Database) {
    this.inSavepoint = db.transaction((work: () => unknown) => work());
    const inTransaction = db.transaction((writes: PendingWrite[]): Outcome[] =>
      writes.map((write) => {
        try {
          return { ok: true, value: this.inSavepoint(write.work) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
    // IMMEDIATE: the write lock is taken before the first read of a read-modify-write, as each write's own transaction did.
    this.batch = (writes) => inTransaction.immediate(writes);
  }

  /** Runs `work` (synchronous better-sqlite3 calls) in this turn's transaction; resolves with its result once committed. */
  write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** Writes asked for and not yet committed. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Commits what is waiting now, so a close that follows loses nothing asked for before it. */
  async drained(): Promise<void> {
    if (this.pending.length > 0) this.flush();
  }

  private flush(): void {
    this.scheduled = false;
    const writes = this.pending;
    this.pending = [];
    if (writes.length === 0) return;
    let outcomes: Outcome[];
    try {
      if (!this.db.open) throw new Error('the database is closed');
      outcomes = this.batch(writes);
    } catch (error) {
      for (const write of writes) write.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) => {
      const write = writes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }
}
