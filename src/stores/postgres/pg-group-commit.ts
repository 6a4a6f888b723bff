// Group commit for the stores' small PostgreSQL statements. Statements asked for while a round trip is under way are
// sent together in one transaction: one round trip, one WAL flush for all of them, instead of one each. Under load that
// is the difference between a commit per statement and a commit per batch.
//
// A batch is pipelined (node-postgres's pipeline mode): BEGIN, each statement with its own parameters, COMMIT, all
// written at once, and each statement is a prepared statement named after its text, parsed once per connection. Parsing,
// analysing and planning the same few statements again and again was about half of PostgreSQL's CPU per message when the
// batch was one multi-statement query with its parameters written in as literals.
import { Pool, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';

/** A value a batched statement may take; anything else must use a pool directly. */
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
  /** Round trips under way at once (default 2); each holds one connection of the group commit's own pool. */
  concurrency?: number;
  /** How long to wait for a connection, in ms (default 5,000). */
  connectionTimeoutMs?: number;
}

/**
 * Most statement texts given a name: the stores' statements are a fixed set, so the cap is never reached by them; a
 * caller building texts from data would otherwise leave a prepared statement per text on every connection.
 */
const MAX_NAMED_STATEMENTS = 256;

export class PgGroupCommit {
  private queue: Pending[] = [];
  private running = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly concurrency: number;
  /** Pipelined connections, only for this group commit (a pipelined connection cannot run COPY or cursors). */
  private readonly pool: Pool;
  private readonly names = new Map<string, string>();

  constructor(connectionString: string, options: GroupCommitOptions = {}) {
    this.maxBatch = options.maxBatch ?? 200;
    this.concurrency = options.concurrency ?? 2;
    this.pool = new Pool({ connectionString, max: this.concurrency, connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000, pipeline: true });
    // An idle connection losing its server (PostgreSQL restarting) emits 'error' here; the next batch reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Runs one statement (positional $1…$n parameters), batched with others of this moment; its own result or error. */
  query<R extends QueryResultRow = QueryResultRow>(text: string, params: readonly BatchParam[] = []): Promise<QueryResult<R>> {
    return new Promise<QueryResult<R>>((resolve, reject) => {
      this.queue.push({ text, params, resolve: resolve as (result: QueryResult) => void, reject });
      this.schedule();
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
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
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      batch.forEach((p) => p.reject(error as Error));
      return;
    }
    let committed = false;
    let results: PromiseSettledResult<QueryResult>[] = [];
    // A connection lost while held is reported here as well as to each of its queries: the queries' errors are the ones
    // acted on.
    const ignoreLoss = () => undefined;
    client.on('error', ignoreLoss);
    try {
      // Corked, the whole batch leaves in one write.
      const socket = client.connection.stream;
      socket.cork();
      let sent: Promise<QueryResult>[];
      try {
        sent = [client.query('BEGIN'), ...batch.map((p) => client.query(this.statement(p))), client.query('COMMIT')];
      } finally {
        socket.uncork();
      }
      const settled = await Promise.allSettled(sent);
      const commit = settled[settled.length - 1]!;
      // A statement that failed aborts the transaction: the ones after it fail too, and COMMIT answers ROLLBACK.
      committed = settled.every((s) => s.status === 'fulfilled') && commit.status === 'fulfilled' && commit.value.command === 'COMMIT';
      results = settled.slice(1, -1);
    } finally {
      client.off('error', ignoreLoss);
      // A connection whose batch did not commit may be broken or mid-transaction: it is not reused.
      client.release(!committed);
    }
    if (!committed) {
      // The batch is one transaction: one bad statement (or a deadlock with another process) undoes all of them.
      // Each runs again on its own, so each caller gets its own outcome.
      await Promise.all(batch.map((p) => this.runAlone(p)));
      return;
    }
    batch.forEach((p, i) => p.resolve((results[i] as PromiseFulfilledResult<QueryResult>).value));
  }

  private async runAlone(p: Pending): Promise<void> {
    try {
      p.resolve(await this.pool.query(this.statement(p)));
    } catch (error) {
      p.reject(error as Error);
    }
  }

  private statement(p: Pending): { name?: string; text: string; values: BatchParam[] } {
    return { name: this.nameOf(p.text), text: p.text, values: [...p.params] };
  }

  private nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_NAMED_STATEMENTS) this.names.set(text, (name = `lgsp_group_${this.names.size + 1}`));
    return name;
  }
}
