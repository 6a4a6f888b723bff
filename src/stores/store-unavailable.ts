// Which errors mean "a store (database, audit log) cannot be reached now" rather than "this message is bad or the
// code is wrong": the bus waits those out without using up the message's attempts.

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'AUDIT_UNAVAILABLE']);
// A data directory that takes no more writes: full (SQLITE_FULL, ENOSPC, EDQUOT), read-only (SQLITE_READONLY_*, EROFS)
// or failing its writes (SQLITE_IOERR_*, EIO). Waited out like an outage: once space is freed, writes go through again.
const SQLITE_DISK = /^SQLITE_(FULL|IOERR|READONLY)(_[A-Z]+)?$/;
const FILE_SYSTEM_UNWRITABLE = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);
// PostgreSQL SQLSTATEs: 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now; class 08: connection;
// 53100 disk full, 25006 read-only transaction (a server or volume gone read-only).
const POSTGRES_UNAVAILABLE = /^(57P0[123]|08...|53100|25006)$/;
// node-postgres reports a dropped connection or a pool wait that ran out with plain messages and no code.
const PG_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;

export function isStoreUnavailable(error: unknown): boolean {
  // Duck-typed: errors of Node's own sockets may come from another realm (a vm context), where instanceof fails.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code) || SQLITE_DISK.test(code) || FILE_SYSTEM_UNWRITABLE.has(code))) return true;
  return typeof message === 'string' && PG_MESSAGES.test(message);
}

export interface PersistOptions {
  /** Give up (rethrow the last error) once this long has passed; default 120 s. */
  maxWaitMs?: number;
  /** Which errors are worth waiting out; default every error. */
  retryIf?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log that the write is still pending. */
  onRetry?: (error: unknown) => void;
}

/**
 * Runs a write that must not be lost, trying again (100 ms doubling to 2 s) while it fails, for up to maxWaitMs: the
 * store restarting should delay the bus, not drop what it has to record.
 */
export async function persist<T>(write: () => Promise<T>, options: PersistOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.maxWaitMs ?? 120_000);
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await write();
    } catch (error) {
      if (Date.now() > deadline || (options.retryIf && !options.retryIf(error))) throw error;
      options.onRetry?.(error);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
