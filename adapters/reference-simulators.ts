// Starts the reference simulator of each upstream on its port, for `npm start`, tests, benchmarks and chaos runs.
import { startDvcqgSimulator, DEFAULT_SIMULATOR_CREDENTIALS } from './dvcqg';
import { startPopulationSimulator } from './population';

export interface RunningSimulator {
  name: string;
  /** Base URL the bus's adapter talks to. */
  url: string;
  close(): Promise<void>;
}

/** Development credentials shared by the simulators and the demo config (config/bus.yaml). */
export const DEMO_POPULATION_CREDENTIALS = {
  userName: 'lgsp-binhphuoc',
  secretKey: 'dev-population-secret',
  clientId: 'VN/GOV/000.00.00.H10/LGSP',
  apiKey: 'dev-population-api-key',
} as const;
export const DEMO_DVCQG_CREDENTIALS = DEFAULT_SIMULATOR_CREDENTIALS;

export interface SimulatorPorts {
  dvcqg: number;
  population: number;
}

export const DEFAULT_SIMULATOR_PORTS: SimulatorPorts = { dvcqg: 8091, population: 8092 };

export async function startReferenceSimulators(ports: SimulatorPorts, host = '127.0.0.1'): Promise<RunningSimulator[]> {
  const started: RunningSimulator[] = [];
  try {
    const dvcqg = await startDvcqgSimulator({ port: ports.dvcqg, host, credentials: { ...DEMO_DVCQG_CREDENTIALS } });
    started.push({ name: 'DVCQG (Cổng DVC quốc gia)', url: dvcqg.url, close: () => dvcqg.close() });
    const population = await startPopulationSimulator({ port: ports.population, host, credentials: { ...DEMO_POPULATION_CREDENTIALS } });
    started.push({ name: 'CSDLQG về dân cư (SOAP)', url: population.url, close: () => population.close() });
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
  return started;
}
