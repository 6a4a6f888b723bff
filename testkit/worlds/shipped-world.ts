// The shipped demo configuration (config/bus.yaml + bus.development.yaml + routes.yaml, as `npm start` runs it) in a
// throw-away directory, with the reference simulators on free ports and the bus's port and data dir of its own.
import { repoFile } from '../../src/core/repo-files';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import type { RoutesFileInput } from '../../src/config/schema';
import { loadDocuments, type BusDocument } from '../config/bus-documents';
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
export async function startShippedBus(edit: (bus: BusDocument) => void = () => undefined): Promise<ShippedBus> {
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
  const shipped = YAML.parse(readFileSync(path.join(SHIPPED, 'bus.yaml'), 'utf8')) as BusDocument;
  const { dossier, edoc } = shipped.flows ?? {};
  if (!dossier || !edoc?.axis) throw new Error('the shipped bus.yaml has no dossier or edoc (with axis) section');
  const bus: BusDocument = {
    ...shipped,
    http: { host: '127.0.0.1', port: 0 },
    stores: { dataDir: path.join(dir, 'data'), databaseUrl: null },
    logging: { level: 'silent' },
    flows: {
      ...shipped.flows,
      dossier: { ...dossier, dvcqg: { ...dossier.dvcqg, url: dvcqg.url }, population: { ...dossier.population, url: population.url } },
      edoc: {
        ...edoc,
        axis: { ...edoc.axis, url: axis.url },
        organs: Object.fromEntries(Object.entries(edoc.organs ?? {}).map(([id, organ]) => [id, organ.delivery === 'push' ? { ...organ, pushUrl: push.url } : organ])),
      },
    },
  };
  edit(bus);
  // The shipped development overlay applies as it does to the shipped files: it is read from the config directory.
  copyFileSync(path.join(SHIPPED, 'bus.development.yaml'), path.join(configDir, 'bus.development.yaml'));
  const routes = YAML.parse(readFileSync(path.join(SHIPPED, 'routes.yaml'), 'utf8')) as RoutesFileInput;
  const config = loadDocuments({ bus, routes }, { configDir, env: DEVELOPMENT_PROFILE });
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
