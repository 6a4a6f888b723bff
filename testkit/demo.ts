// `npm start`: the demo. The bus in the development profile (config/bus.development.yaml over config/bus.yaml: demo
// keys, the demo admin, inline demo secrets) with the reference simulators of every upstream, and the banner says
// where everything is. Never for production: the development profile refuses to run under NODE_ENV=production.
import { DEFAULT_SIMULATOR_PORTS, DEMO_EDOC_SECRETS, startReferenceSimulators, type RunningSimulator } from './simulators/reference';
import { ConfigError } from '../src/config/load-config';
import { loadBusConfig } from '../src/bus-config';
import { PROFILE_ENV } from '../src/config/deployment-profile';
import { DEMO_ADMIN_PASSWORD } from '../src/config/production-guard';
import { verifyPassword } from '../src/core/password-hash';
import { exitOnStartFailure, runBus } from '../src/cli/start';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError([`environment: ${name} must be a port number`]);
  return Number(raw);
}

async function main(): Promise<void> {
  process.env[PROFILE_ENV] ??= 'development';
  for (const [name, value] of Object.entries(DEMO_EDOC_SECRETS)) process.env[name] ??= value;
  const config = loadBusConfig();
  let simulators: RunningSimulator[] = [];
  if ((process.env.LGSP_SIMULATORS ?? 'on') !== 'off') {
    simulators = await startReferenceSimulators({
      dvcqg: portFromEnv('LGSP_SIM_DVCQG_PORT', DEFAULT_SIMULATOR_PORTS.dvcqg),
      population: portFromEnv('LGSP_SIM_POPULATION_PORT', DEFAULT_SIMULATOR_PORTS.population),
      axis: portFromEnv('LGSP_SIM_AXIS_PORT', DEFAULT_SIMULATOR_PORTS.axis),
      qlvb: portFromEnv('LGSP_SIM_QLVB_PORT', DEFAULT_SIMULATOR_PORTS.qlvb),
    });
    for (const sim of simulators) process.stdout.write(`reference simulator ${sim.name}: ${sim.url}\n`);
  }
  const bus = await runBus(config, async () => {
    await Promise.all(simulators.map((s) => s.close()));
  });
  const demoAdmin = config.admins.find((a) => verifyPassword(DEMO_ADMIN_PASSWORD, a.passwordHash));
  process.stdout.write(
    [
      `LGSP bus on ${bus.url()}  (transport: ${bus.transport.kind}, stores: ${bus.stores.kind}, ${config.development ? 'development profile: demo keys, never for production' : 'production profile'})`,
      `  admin console: ${bus.url()}/admin/${demoAdmin ? `  (demo sign-in: ${demoAdmin.username} / ${DEMO_ADMIN_PASSWORD})` : ''}`,
      `  health: ${bus.url()}/healthz  readiness: ${bus.url()}/readyz  metrics: ${bus.url()}/metrics`,
      '',
    ].join('\n'),
  );
}

main().catch(exitOnStartFailure);
