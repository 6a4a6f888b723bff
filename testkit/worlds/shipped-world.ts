// The shipped demo configuration (config/bus.yaml + bus.development.yaml + routes.yaml, as `npm start` runs it) in a
// throw-away directory, with the reference simulators on free ports and the bus's port and data dir of its own.
import { repoFile } from '../../src/core/repo-files';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { startDocumentAxisSimulator, type DocumentAxisSimulator } from '../simulators/document-axis';
import { startDvcqgSimulator, type DvcqgSimulator } from '../simulators/dvcqg';
import { startPopulationSimulator, type RunningPopulationSimulator } from '../simulators/population';
import { startQlvbPushSimulator, type QlvbPushSimulator } from '../simulators/qlvb-push';
import { DEMO_AXIS_SYSTEM_ID, DEMO_DVCQG_CREDENTIALS, DEMO_EDOC_SECRETS, DEMO_POPULATION_CREDENTIALS, DEMO_PROVINCE_ORGANS } from '../simulators/reference';
import { startBus, type Bus } from '../../src/bus';
import { type BusConfig } from '../../src/config/load-config';
import { loadBusConfig } from '../../src/bus-config';
import { mintToken } from '../../src/http/auth/auth';
import { createLogger } from '../../src/observability/logger';
import { DEVELOPMENT_PROFILE } from '../env';

const SHIPPED = repoFile('config');

export interface ShippedBus {
  bus: Bus;
  config: BusConfig;
  dir: string;
  dvcqg: DvcqgSimulator;
  population: RunningPopulationSimulator;
  axis: DocumentAxisSimulator;
  push: QlvbPushSimulator;
  /** A token of a configured client, signed with the development key. */
  token(clientId: string): string;
  dispose(): Promise<void>;
}

/** `edit` may change the shipped bus.yaml (after the test's own port, data dir and simulator URLs are set). */
export async function startShippedBus(edit: (bus: Record<string, unknown>) => void = () => undefined): Promise<ShippedBus> {
  const saved = Object.fromEntries(Object.keys(DEMO_EDOC_SECRETS).map((name) => [name, process.env[name]]));
  Object.assign(process.env, DEMO_EDOC_SECRETS);
  const dvcqg = await startDvcqgSimulator({ credentials: { ...DEMO_DVCQG_CREDENTIALS } });
  const population = await startPopulationSimulator({ credentials: { ...DEMO_POPULATION_CREDENTIALS } });
  const axis = await startDocumentAxisSimulator({
    secrets: { [DEMO_AXIS_SYSTEM_ID]: DEMO_EDOC_SECRETS.EDOC_AXIS_SECRET },
    organsBySystem: { [DEMO_AXIS_SYSTEM_ID]: [DEMO_AXIS_SYSTEM_ID, ...DEMO_PROVINCE_ORGANS] },
  });
  const push = await startQlvbPushSimulator({ token: DEMO_EDOC_SECRETS.QLVB_BUDANG_PUSH_TOKEN });
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-shipped-'));
  const configDir = path.join(dir, 'config');
  mkdirSync(configDir);
  const bus = YAML.parse(readFileSync(path.join(SHIPPED, 'bus.yaml'), 'utf8')) as Record<string, unknown> & { flows: ShippedFlows };
  bus.http = { host: '127.0.0.1', port: 0 };
  bus.stores = { dataDir: path.join(dir, 'data'), databaseUrl: null };
  bus.logging = { level: 'silent' };
  bus.flows.dossier.dvcqg.url = dvcqg.url;
  bus.flows.dossier.population.url = population.url;
  bus.flows.edoc.axis.url = axis.url;
  for (const organ of Object.values(bus.flows.edoc.organs)) if (organ.delivery === 'push') organ.pushUrl = push.url;
  edit(bus);
  writeFileSync(path.join(configDir, 'bus.yaml'), YAML.stringify(bus));
  for (const file of ['bus.development.yaml', 'routes.yaml']) writeFileSync(path.join(configDir, file), readFileSync(path.join(SHIPPED, file)));
  const config = loadBusConfig({ configDir, env: DEVELOPMENT_PROFILE });
  const running = await startBus(config, { logger: createLogger('silent') });
  return {
    bus: running,
    config,
    dir,
    dvcqg,
    population,
    axis,
    push,
    token: (clientId) => mintToken(config, clientId),
    async dispose() {
      await running.stop();
      await Promise.all([dvcqg.close(), population.close(), axis.close(), push.close()]);
      rmSync(dir, { recursive: true, force: true });
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

interface ShippedFlows {
  dossier: { dvcqg: { url: string }; population: { url: string } };
  edoc: { axis: { url: string }; organs: Record<string, { delivery: string; pushUrl?: string }> };
}
