// `npm start`: loads config, starts the reference simulators (unless LGSP_SIMULATORS=off) and the bus, prints
// where everything listens, and stops gracefully on SIGTERM or SIGINT.
import { DEFAULT_SIMULATOR_PORTS, DEMO_EDOC_SECRETS, startReferenceSimulators, type RunningSimulator } from '../../adapters/reference-simulators';
import { startBus } from '../bus';
import { ConfigError, loadConfig } from '../config/load-config';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError([`environment: ${name} must be a port number`]);
  return Number(raw);
}

async function main(): Promise<void> {
  const config = loadConfig();
  let simulators: RunningSimulator[] = [];
  if ((process.env.LGSP_SIMULATORS ?? 'on') !== 'off') {
    for (const [name, value] of Object.entries(DEMO_EDOC_SECRETS)) process.env[name] ??= value;
    simulators = await startReferenceSimulators({
      dvcqg: portFromEnv('LGSP_SIM_DVCQG_PORT', DEFAULT_SIMULATOR_PORTS.dvcqg),
      population: portFromEnv('LGSP_SIM_POPULATION_PORT', DEFAULT_SIMULATOR_PORTS.population),
      axis: portFromEnv('LGSP_SIM_AXIS_PORT', DEFAULT_SIMULATOR_PORTS.axis),
      qlvb: portFromEnv('LGSP_SIM_QLVB_PORT', DEFAULT_SIMULATOR_PORTS.qlvb),
    });
    for (const sim of simulators) process.stdout.write(`reference simulator ${sim.name}: ${sim.url}\n`);
  }
  const bus = await startBus(config);
  process.stdout.write(
    [
      `LGSP bus on ${bus.url()}  (transport: ${bus.transport.kind}, stores: ${bus.stores.kind})`,
      `  admin console: ${bus.url()}/admin/  (development sign-in: admin / admin-dev-password)`,
      `  health: ${bus.url()}/healthz  readiness: ${bus.url()}/readyz  metrics: ${bus.url()}/metrics`,
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bus.logger.info({ signal }, 'stopping');
    void bus
      .stop()
      .then(() => Promise.all(simulators.map((s) => s.close())))
      .then(() => process.exit(0))
      .catch((error: Error) => {
        bus.logger.error({ err: error.message }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bus failed to start: ${error.message}\n`);
  process.exit(1);
});
