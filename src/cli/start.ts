// The bus in production: loads config (the production profile unless LGSP_PROFILE says otherwise), starts the bus,
// logs where it listens (one JSON line), and stops gracefully on SIGTERM or SIGINT. It starts no simulator (`npm start` is the demo).
import { startBus, type Bus } from '../bus';
import { ConfigError, type BusConfig } from '../config/load-config';
import { loadBusConfig } from '../bus-config';
import { createLogger, flushLogs, type Logger } from '../observability/logger';

/**
 * Starts the bus on a loaded config and stops it (then `beforeExit`) on SIGTERM or SIGINT. Every exit waits for the
 * log lines written before it (flushLogs): the bus logs asynchronously.
 */
export async function runBus(config: BusConfig, beforeExit: () => Promise<void> = async () => undefined): Promise<Bus> {
  const logger = createLogger(config.logging.level);
  exitOnCrash(logger);
  const bus = await startBus(config, { announce: true, logger });
  // The banner is how an operator and a supervisor learn the address: out now, not at the next periodic flush.
  void flushLogs();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bus.logger.info({ signal }, 'stopping');
    void bus
      .stop()
      .then(beforeExit)
      .then(() => exitAfterLogs(0))
      .catch((error: Error) => {
        bus.logger.error({ err: error.message }, 'stop failed');
        exitAfterLogs(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return bus;
}

function exitAfterLogs(code: number): void {
  void flushLogs().then(() => process.exit(code));
}

/**
 * An uncaught exception or unhandled rejection ends the process with code 1, as it would without a handler, and its
 * stack still goes to stderr; first the lines logged before it are written out, then a fatal line (BUS_CRASHED) after
 * them. Nothing is stopped gracefully: after a crash the bus's state is unknown, and the broker redelivers what was
 * not acknowledged.
 */
function exitOnCrash(logger: Logger): void {
  let crashed = false;
  process.on('uncaughtException', (error: unknown, origin: NodeJS.UncaughtExceptionOrigin) => {
    if (crashed) return;
    crashed = true;
    process.exitCode = 1;
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void flushLogs().then(() => {
      logger.fatal({ err: error instanceof Error ? error.message : String(error), origin, code: 'BUS_CRASHED' }, 'the bus crashed');
      process.exit(1);
    });
  });
}

/** Exit codes: 2 for a configuration the bus refuses (the message names the setting), 1 for any other failure. */
export function exitOnStartFailure(error: Error): void {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    exitAfterLogs(2);
    return;
  }
  process.stderr.write(`bus failed to start: ${error.message}\n`);
  exitAfterLogs(1);
}

/** The start banner is the bus's own JSON line (`LGSP bus on <url>`, code BUS_STARTED): nothing else goes to stdout. */
async function main(): Promise<void> {
  await runBus(loadBusConfig());
}

if (require.main === module) main().catch(exitOnStartFailure);
