// Starts the reference simulator of each upstream on its port, for `npm start`, tests, benchmarks and chaos runs.
import { ConfigError } from '../../src/config/load-config';
import { startDocumentAxisSimulator } from './document-axis';
import { startDvcqgSimulator, DEFAULT_SIMULATOR_CREDENTIALS } from './dvcqg';
import { startPopulationSimulator } from './population';
import { startQlvbPushSimulator } from './qlvb-push';

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

/**
 * Development secrets of the e-document upstreams, by the environment variable names config/bus.yaml gives;
 * `npm start` sets them when unset so the demo runs with no setup. Never used outside the demo.
 */
export const DEMO_EDOC_SECRETS = {
  EDOC_AXIS_SECRET: 'dev-axis-hmac-secret',
  QLVB_BUDANG_PUSH_TOKEN: 'dev-budang-push-token',
} as const;
/** The bus's system id at the national axis in the demo config. */
export const DEMO_AXIS_SYSTEM_ID = '000.00.00.H10';
/** The in-province organs of the demo config (config/bus.yaml flows.edoc.organs). */
export const DEMO_PROVINCE_ORGANS = ['000.00.01.H10', '000.00.02.H10', '000.00.03.H10'] as const;

export interface SimulatorPorts {
  dvcqg: number;
  population: number;
  axis: number;
  qlvb: number;
}

export const DEFAULT_SIMULATOR_PORTS: SimulatorPorts = { dvcqg: 8091, population: 8092, axis: 8093, qlvb: 8094 };

/** What the simulators accept instead of the demo values (the compose file's simulators service). */
export interface SimulatorOverrides {
  dvcqgPassword?: string;
  populationSecretKey?: string;
  populationApiKey?: string;
  /** The URL callers sign population requests with (url_xacthuc): the address the bus reaches the simulator at. */
  populationAuthUrl?: string;
}

/** LGSP_SIM_<NAME>_PORT, else the default port of each simulator. */
export function simulatorPortsFromEnv(env: NodeJS.ProcessEnv): SimulatorPorts {
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) throw new ConfigError([`environment: ${name} must be a port number`]);
    return Number(raw);
  };
  return {
    dvcqg: port('LGSP_SIM_DVCQG_PORT', DEFAULT_SIMULATOR_PORTS.dvcqg),
    population: port('LGSP_SIM_POPULATION_PORT', DEFAULT_SIMULATOR_PORTS.population),
    axis: port('LGSP_SIM_AXIS_PORT', DEFAULT_SIMULATOR_PORTS.axis),
    qlvb: port('LGSP_SIM_QLVB_PORT', DEFAULT_SIMULATOR_PORTS.qlvb),
  };
}

export async function startReferenceSimulators(ports: SimulatorPorts, host = '127.0.0.1', overrides: SimulatorOverrides = {}): Promise<RunningSimulator[]> {
  const started: RunningSimulator[] = [];
  try {
    const dvcqgCredentials = { ...DEMO_DVCQG_CREDENTIALS, password: overrides.dvcqgPassword ?? DEMO_DVCQG_CREDENTIALS.password };
    const dvcqg = await startDvcqgSimulator({ port: ports.dvcqg, host, credentials: dvcqgCredentials });
    started.push({ name: 'DVCQG (Cổng DVC quốc gia)', url: dvcqg.url, close: () => dvcqg.close() });
    const populationCredentials = {
      ...DEMO_POPULATION_CREDENTIALS,
      secretKey: overrides.populationSecretKey ?? DEMO_POPULATION_CREDENTIALS.secretKey,
      apiKey: overrides.populationApiKey ?? DEMO_POPULATION_CREDENTIALS.apiKey,
      ...(overrides.populationAuthUrl === undefined ? {} : { authUrl: overrides.populationAuthUrl }),
    };
    const population = await startPopulationSimulator({ port: ports.population, host, credentials: populationCredentials });
    started.push({ name: 'CSDLQG về dân cư (SOAP)', url: population.url, close: () => population.close() });
    const axis = await startDocumentAxisSimulator({
      port: ports.axis,
      host,
      secrets: { [DEMO_AXIS_SYSTEM_ID]: process.env.EDOC_AXIS_SECRET ?? DEMO_EDOC_SECRETS.EDOC_AXIS_SECRET },
      // The province's LGSP is registered at the axis for every organ of the province.
      organsBySystem: { [DEMO_AXIS_SYSTEM_ID]: [DEMO_AXIS_SYSTEM_ID, ...DEMO_PROVINCE_ORGANS] },
    });
    started.push({ name: 'Trục liên thông văn bản quốc gia (VXP)', url: axis.url, close: () => axis.close() });
    const qlvb = await startQlvbPushSimulator({
      port: ports.qlvb,
      host,
      token: process.env.QLVB_BUDANG_PUSH_TOKEN ?? DEMO_EDOC_SECRETS.QLVB_BUDANG_PUSH_TOKEN,
    });
    started.push({ name: 'QLVB Huyện Bù Đăng (push endpoint)', url: qlvb.url, close: () => qlvb.close() });
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
  return started;
}
