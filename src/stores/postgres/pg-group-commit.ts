// Group commit for the stores' small PostgreSQL statements. Statements asked for while a round trip is under way are
// sent together in one transaction: one round trip, one WAL flush for all of them, instead of one each. Under load that
// is the difference between a commit per statement and a commit per batch.
//
// A batch is written at once as prepared statements, each with its own parameters, and one Sync
// (`pg-one-sync-batch.ts`): PostgreSQL runs it as one implicit transaction and answers it in one packet. Each statement
// is named after its text and parsed once per connection. Parsing, analysing and planning the same few statements again
// and again was about half of PostgreSQL's CPU per message when the batch was one multi-statement query with its
// parameters written in as literals.
import { Pool, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import { OneSyncBatch, type BatchParam, type BatchStatement } from './pg-one-sync-batch';

export type { BatchParam } from './pg-one-sync-batch';

interface Pending {
  text: string;
  params: readonly BatchParam[];
  resolve: (result: QueryResult) => void;
  reject: (error: Error) => void;
}

type Sent = { ok: true; results: QueryResult[] } | { ok: false; error: Error; connected: boolean };

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
  /** Connections only for this group commit: the names it prepares are kept per connection by the batches. */
  private readonly pool: Pool;
  private readonly names = new Map<string, string>();

  constructor(connectionString: string, options: GroupCommitOptions = {}) {
    this.maxBatch = options.maxBatch ?? 200;
    this.concurrency = options.concurrency ?? 2;
    this.pool = new Pool({ connectionString, max: this.concurrency, connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000 });
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
    const sent = await this.send(batch.map((p) => this.statement(p)));
    if (sent.ok) {
      batch.forEach((p, i) => p.resolve(sent.results[i]!));
    } else if (batch.length > 1 && sent.connected) {
      // The batch is one transaction: one bad statement (or a deadlock with another process) undoes all of them. Each
      // runs again on its own, so each caller gets its own outcome.
      await Promise.all(batch.map((p) => this.runAlone(p)));
    } else {
      // No connection (each would wait for one again, up to the connection timeout each): all fail now.
      batch.forEach((p) => p.reject(sent.error));
    }
  }

  private async runAlone(p: Pending): Promise<void> {
    const sent = await this.send([this.statement(p)]);
    if (sent.ok) p.resolve(sent.results[0]!);
    else p.reject(sent.error);
  }

  /** One batch on a connection of the pool: its results, or the error that stopped it and whether it was sent. */
  private async send(statements: BatchStatement[]): Promise<Sent> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      return { ok: false, error: error as Error, connected: false };
    }
    // A connection lost while held is reported here as well as to the batch: the batch's error is the one acted on.
    const ignoreLoss = () => undefined;
    client.on('error', ignoreLoss);
    let failed = true;
    try {
      const results = await client.query(new OneSyncBatch(statements)).answered;
      failed = false;
      return { ok: true, results };
    } catch (error) {
      return { ok: false, error: error as Error, connected: true };
    } finally {
      client.off('error', ignoreLoss);
      // A connection whose batch failed may be broken, or hold a statement name half parsed: it is not reused.
      client.release(failed);
    }
  }

  private statement(p: Pending): BatchStatement {
    return { name: this.nameOf(p.text), text: p.text, params: p.params };
  }

  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_NAMED_STATEMENTS) this.names.set(text, (name = `lgsp_group_${this.names.size + 1}`));
    return name ?? '';
  }
}
