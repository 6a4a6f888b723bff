// `npm start`: the demo. The bus in the development profile (config/bus.development.yaml over config/bus.yaml: demo
// keys, the demo admin, inline demo secrets) with the reference simulators of every upstream, and the banner says
// where everything is. Never for production: the development profile refuses to run under NODE_ENV=production.
import { DEMO_EDOC_SECRETS, simulatorPortsFromEnv, startReferenceSimulators, type RunningSimulator } from './simulators/reference';
import { loadBusConfig } from '../src/bus-config';
import { PROFILE_ENV } from '../src/config/deployment-profile';
import { DEMO_ADMIN_PASSWORD } from '../src/config/production-guard';
import { verifyPassword } from '../src/core/password-hash';
import { exitOnStartFailure, runBus } from '../src/cli/start';

async function main(): Promise<void> {
  process.env[PROFILE_ENV] ??= 'development';
  for (const [name, value] of Object.entries(DEMO_EDOC_SECRETS)) process.env[name] ??= value;
  const config = loadBusConfig();
  let simulators: RunningSimulator[] = [];
  if ((process.env.LGSP_SIMULATORS ?? 'on') !== 'off') {
    simulators = await startReferenceSimulators(simulatorPortsFromEnv(process.env));
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
