// The reference simulators alone, for docker/compose.yaml's simulators service: every upstream on its port
// (LGSP_SIM_<NAME>_PORT or the default) on SIMULATORS_HOST (all interfaces by default), accepting the secrets the bus
// containers are given (DVCQG_PASSWORD, POPULATION_SECRET_KEY, POPULATION_API_KEY, EDOC_AXIS_SECRET,
// QLVB_BUDANG_PUSH_TOKEN; the demo values where unset); stops on SIGTERM or SIGINT.
import { simulatorPortsFromEnv, startReferenceSimulators } from './reference';

async function main(): Promise<void> {
  const ports = simulatorPortsFromEnv(process.env);
  const host = process.env.SIMULATORS_HOST ?? '0.0.0.0';
  // Population requests are signed with the URL the bus calls, so the simulator checks them against that address.
  const publicHost = process.env.SIMULATORS_PUBLIC_HOST ?? (host === '0.0.0.0' ? '127.0.0.1' : host);
  const simulators = await startReferenceSimulators(ports, host, {
    dvcqgPassword: process.env.DVCQG_PASSWORD,
    populationSecretKey: process.env.POPULATION_SECRET_KEY,
    populationApiKey: process.env.POPULATION_API_KEY,
    populationAuthUrl: `http://${publicHost}:${ports.population}/population`,
  });
  for (const sim of simulators) process.stdout.write(`reference simulator ${sim.name}: ${sim.url}\n`);
  const stop = () => void Promise.all(simulators.map((s) => s.close())).then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`simulators failed to start: ${error.message}\n`);
  process.exit(1);
});
