// The reference simulators alone, for docker/compose.yaml's simulators service: every upstream on its default port on
// all interfaces, accepting the secrets the bus containers are given (DVCQG_PASSWORD, POPULATION_SECRET_KEY,
// POPULATION_API_KEY, EDOC_AXIS_SECRET, QLVB_BUDANG_PUSH_TOKEN; the demo values where unset); stops on SIGTERM/SIGINT.
import { DEFAULT_SIMULATOR_PORTS, startReferenceSimulators } from './reference';

async function main(): Promise<void> {
  const simulators = await startReferenceSimulators(DEFAULT_SIMULATOR_PORTS, process.env.SIMULATORS_HOST ?? '0.0.0.0', {
    dvcqgPassword: process.env.DVCQG_PASSWORD,
    populationSecretKey: process.env.POPULATION_SECRET_KEY,
    populationApiKey: process.env.POPULATION_API_KEY,
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
