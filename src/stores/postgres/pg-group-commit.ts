// Group commit for the stores' small PostgreSQL statements. Statements asked for while a round trip is under way are
// sent together as one multi-statement query: one round trip, one transaction, one WAL flush for all of them,
// instead of one each. Under load that is the difference between a commit per statement and a commit per batch.
import { escapeLiteral, type Pool, type QueryResult, type QueryResultRow } from 'pg';

/** A value a batched statement may take; anything else must use the pool directly. */
export type BatchParam = string | number | boolean | null;

interface Pending {
  text: string;
  params: readonly BatchParam[];
  resolve: (result: QueryResult) => void;
  reject: (error: Error) => void;
}

export interface GroupCommitOptions {
  /** Most statements in one round trip (default 200). */
  maxBatch?: number;
  /** Round trips under way at once (default 2); each holds one pooled connection. */
  concurrency?: number;
}

export class PgGroupCommit {
  private queue: Pending[] = [];
  private running = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly concurrency: number;

  constructor(
    private readonly pool: Pool,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 200;
    this.concurrency = options.concurrency ?? 2;
  }

  /** Runs one statement (positional $1…$n parameters), batched with others of this moment; its own result or error. */
  query<R extends QueryResultRow = QueryResultRow>(text: string, params: readonly BatchParam[] = []): Promise<QueryResult<R>> {
    return new Promise<QueryResult<R>>((resolve, reject) => {
      this.queue.push({ text, params, resolve: resolve as (result: QueryResult) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.concurrency || this.queue.length === 0) return;
    this.scheduled = true;
    // One turn of the event loop lets the statements of concurrent requests gather.
    setImmediate(() => {
      this.scheduled = false;
      if (this.running >= this.concurrency || this.queue.length === 0) return;
      const batch = this.queue.splice(0, this.maxBatch);
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.schedule();
      });
      this.schedule();
    });
  }

  private async run(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]!);
    let results: QueryResult[];
    try {
      const answer = (await this.pool.query(batch.map((p) => `${inlineParams(p.text, p.params)};`).join('\n'))) as unknown as QueryResult | QueryResult[];
      results = Array.isArray(answer) ? answer : [answer];
    } catch {
      // The batch is one transaction: one bad statement (or a deadlock with another process) undoes all of them.
      // Each runs again on its own, so each caller gets its own outcome.
      await Promise.all(batch.map((p) => this.runAlone(p)));
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
  }

  private async runAlone(p: Pending): Promise<void> {
    try {
      p.resolve(await this.pool.query(p.text, [...p.params]));
    } catch (error) {
      p.reject(error as Error);
    }
  }
}

/** The statement with its $n parameters written as SQL literals (strings escaped by pg's own escapeLiteral). */
export function inlineParams(text: string, params: readonly BatchParam[]): string {
  return text.replace(/\$(\d+)/g, (_match, digits: string) => {
    const index = Number(digits) - 1;
    if (index < 0 || index >= params.length) throw new RangeError(`statement names $${digits} but has ${params.length} parameters`);
    return literalOf(params[index]!);
  });
}

function literalOf(value: BatchParam): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot inline ${value}`);
    return String(value);
  }
  return escapeLiteral(value);
}
