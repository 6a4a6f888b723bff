// The bus in production: loads config (the production profile unless LGSP_PROFILE says otherwise), starts the bus,
// logs where it listens (one JSON line), and stops gracefully on SIGTERM or SIGINT. It starts no simulator (`npm start` is the demo).
import { startBus, type Bus } from '../bus';
import { ConfigError, type BusConfig } from '../config/load-config';
import { loadBusConfig } from '../bus-config';

/** Starts the bus on a loaded config and stops it (then `beforeExit`) on SIGTERM or SIGINT. */
export async function runBus(config: BusConfig, beforeExit: () => Promise<void> = async () => undefined): Promise<Bus> {
  const bus = await startBus(config, { announce: true });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bus.logger.info({ signal }, 'stopping');
    void bus
      .stop()
      .then(beforeExit)
      .then(() => process.exit(0))
      .catch((error: Error) => {
        bus.logger.error({ err: error.message }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return bus;
}

/** Exit codes: 2 for a configuration the bus refuses (the message names the setting), 1 for any other failure. */
export function exitOnStartFailure(error: Error): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bus failed to start: ${error.message}\n`);
  process.exit(1);
}

/** The start banner is the bus's own JSON line (`LGSP bus on <url>`, code BUS_STARTED): nothing else goes to stdout. */
async function main(): Promise<void> {
  await runBus(loadBusConfig());
}

if (require.main === module) main().catch(exitOnStartFailure);
