// A batch of prepared statements written with one Sync. PostgreSQL runs the statements between two Syncs as one
// implicit transaction — committed at the Sync when all succeed; when one fails, the rest are skipped and all are rolled
// back — and flushes its answers only at the Sync, so the whole batch comes back in one packet. node-postgres ends
// every statement with a Sync of its own: a batch written as BEGIN, its statements and COMMIT came back as a packet per
// statement plus two, each a wake of the bus and a flush of the backend, and BEGIN and COMMIT were two statements more
// for PostgreSQL to run.
//
// Submitted to a node-postgres client (not in pipeline mode) like a query: the client hands it the backend's messages
// until the ReadyForQuery that answers its Sync. Statements are parsed once per connection under the names given;
// parameters go as text. The statements must answer in rows or a command tag (no COPY).
import { types, type Connection, type FieldDef, type QueryResult, type QueryResultRow, type Submittable } from 'pg';

/** A value a batched statement may take. */
export type BatchParam = string | number | boolean | null;

export interface BatchStatement {
  /** The prepared statement's name on every connection, one name per text; '' (unnamed) is parsed every time. */
  name: string;
  text: string;
  params: readonly BatchParam[];
}

/** Names known parsed on each connection: a name is parsed once there and bound by every later batch. */
const parsedOn = new WeakMap<Connection, Set<string>>();

interface RowDescription {
  fields: FieldDef[];
}
interface DataRow {
  fields: (string | null)[];
}
interface CommandComplete {
  text: string;
}

const COMMAND_TAG = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/;
type TextParser = (text: string) => unknown;

class StatementResult implements QueryResult {
  command = '';
  rowCount: number | null = null;
  oid = 0;
  fields: FieldDef[] = [];
  rows: QueryResultRow[] = [];
  private parsers: TextParser[] = [];

  describe(fields: FieldDef[]): void {
    this.fields = fields;
    this.parsers = fields.map((f) => types.getTypeParser(f.dataTypeID, 'text') as TextParser);
  }

  addRow(values: (string | null)[]): void {
    const row: QueryResultRow = {};
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      row[this.fields[i]!.name] = value === null || value === undefined ? null : this.parsers[i]!(value);
    }
    this.rows.push(row);
  }

  complete(tag: string): void {
    const match = COMMAND_TAG.exec(tag);
    if (!match) return;
    this.command = match[1]!;
    if (match[3] !== undefined) {
      this.oid = Number(match[2]);
      this.rowCount = Number(match[3]);
    } else if (match[2] !== undefined) {
      this.rowCount = Number(match[2]);
    }
  }
}

const asText = (value: BatchParam): string | null => (value === null ? null : String(value));

export class OneSyncBatch implements Submittable {
  /** Each statement's result, in order, once PostgreSQL has committed them all; otherwise the error that stopped it. */
  readonly answered: Promise<QueryResult[]>;
  private resolve!: (results: QueryResult[]) => void;
  private reject!: (error: Error) => void;
  private readonly results: StatementResult[];
  /** The statement whose answer is being read: advanced by each command tag. */
  private current = 0;
  /** Names this batch asked the connection to parse: known parsed once the batch is answered. */
  private readonly parsing = new Set<string>();
  private settled = false;

  constructor(private readonly statements: readonly BatchStatement[]) {
    this.results = statements.map(() => new StatementResult());
    this.answered = new Promise<QueryResult[]>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: Connection): void {
    const parsed = parsedOn.get(connection);
    // Corked, the whole batch leaves in one write.
    connection.stream.cork();
    try {
      for (const statement of this.statements) {
        const unnamed = statement.name === '';
        if (unnamed || (!parsed?.has(statement.name) && !this.parsing.has(statement.name))) {
          connection.parse({ name: statement.name, text: statement.text, types: [] }, true);
          if (!unnamed) this.parsing.add(statement.name);
        }
        connection.bind({ statement: statement.name, portal: '', values: statement.params.map(asText) }, true);
        connection.describe({ type: 'P', name: '' }, true);
        connection.execute({ portal: '' }, true);
      }
      connection.sync();
    } finally {
      connection.stream.uncork();
    }
  }

  handleRowDescription(message: RowDescription): void {
    this.results[this.current]?.describe(message.fields);
  }

  handleDataRow(message: DataRow): void {
    this.results[this.current]?.addRow(message.fields);
  }

  handleCommandComplete(message: CommandComplete): void {
    this.results[this.current]?.complete(message.text);
    this.current++;
  }

  handleEmptyQuery(): void {
    this.current++;
  }

  /**
   * A COPY among the statements: refused (the batch fails with PostgreSQL's error) rather than left waiting for data.
   * The backend ignored the batch's Sync while it waited for the copy's data, so the batch is ended with another.
   */
  handleCopyInResponse(connection: Connection): void {
    if ('sendCopyFail' in connection && typeof connection.sendCopyFail === 'function') connection.sendCopyFail('COPY is not run in a batch');
    connection.sync();
  }

  handleCopyData(): void {}

  /**
   * An ErrorResponse (the batch is rolled back; the client does not hand on the Sync's ReadyForQuery) or a lost
   * connection. Whether the failing statement's name was parsed is not known: the connection is not to be reused.
   */
  handleError(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  /** The Sync's answer, handed on with the connection the batch was submitted to. */
  handleReadyForQuery(connection: Connection): void {
    if (this.settled) return;
    this.settled = true;
    if (this.parsing.size > 0) {
      const parsed = parsedOn.get(connection) ?? new Set<string>();
      for (const name of this.parsing) parsed.add(name);
      parsedOn.set(connection, parsed);
    }
    this.resolve(this.results);
  }
}
