// pino JSON logger; payloads never reach it, and fields that could carry personal data or secrets are redacted.
import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths censored wherever they appear: citizen ids, names, birth dates, credentials. */
export const REDACTED_PATHS = [
  'payload',
  '*.payload',
  'body',
  '*.body',
  'req.headers.authorization',
  'headers.authorization',
  '*.SoDinhDanh',
  '*.soDinhDanh',
  '*.ChuHoSo',
  '*.hoVaTen',
  '*.HoVaTen',
  '*.NgaySinh',
  '*.ngaySinh',
  'token',
  '*.token',
  'password',
  '*.password',
  'amqpUrl',
  'amqpUrls',
  'databaseUrl',
];

/**
 * The bus's lines go to stdout through one asynchronous destination per process (sonic-boom, `sync: false`): a line
 * is appended to a buffer, and the buffer is written once it holds STDOUT_MIN_WRITE_BYTES (a few dozen lines under
 * load) or every STDOUT_FLUSH_INTERVAL_MS when quieter, so a line written at idle reaches stdout within that interval.
 * pino's default destination (sonic-boom, minLength 0) starts a write for nearly every line, a thread-pool round trip
 * and a callback each; a synchronous one blocks the caller for the system call and, on a pipe, for waking its reader.
 * Nothing buffered is lost on an exit the process sees: pino writes the buffer out synchronously on 'exit' (which a
 * crash emits too), and the bus's own exits (stop on SIGTERM/SIGINT, failed start, crash) wait for flushLogs first,
 * which also lets a write already in flight finish. A SIGKILL or a power cut loses at most the unwritten buffer.
 */
const STDOUT_MIN_WRITE_BYTES = 4096;
const STDOUT_FLUSH_INTERVAL_MS = 250;
/** The longest flushLogs waits for stdout to take the buffer (a stuck reader must not hold an exit). */
const FLUSH_TIMEOUT_MS = 2000;

type LogDestination = ReturnType<typeof pino.destination>;

let stdoutDestination: LogDestination | undefined;

function stdoutLogDestination(): LogDestination {
  stdoutDestination ??= pino.destination({ dest: 1, sync: false, minLength: STDOUT_MIN_WRITE_BYTES, periodicFlush: STDOUT_FLUSH_INTERVAL_MS });
  return stdoutDestination;
}

/** A logger writing to `destination`, or else to the process's shared asynchronous stdout destination. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'lgsp-bus', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? stdoutLogDestination(),
  );
}

/**
 * Resolves once every line logged to stdout so far has been written: waits for a write in flight to finish, then
 * writes what is left synchronously. Called before the process exits; never rejects (an exit goes ahead regardless).
 */
export function flushLogs(): Promise<void> {
  const destination = stdoutDestination;
  if (destination === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timeout);
      flushLogsSync();
      resolve();
    };
    const timeout = setTimeout(finish, FLUSH_TIMEOUT_MS);
    try {
      // The callback's error is fsync's on a pipe or terminal (EINVAL) once the buffer is written: finished either way.
      destination.flush(finish);
    } catch {
      finish();
    }
  });
}

/** Writes the stdout buffer out now, synchronously (a write already in flight is left to finish on its own). */
export function flushLogsSync(): void {
  try {
    stdoutDestination?.flushSync();
  } catch {
    // A destroyed destination (stdout closed, or ended at beforeExit) has nothing left to write.
  }
}

/** Removes user:password from a connection URL before it is shown anywhere. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
