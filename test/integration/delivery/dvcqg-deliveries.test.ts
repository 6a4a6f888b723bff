// The delivery adapter contract for the dossier flow's DVCQG deliveries (DongBoHoSoMC, CapNhatTienDoHoSoMC), against
// the reference DVCQG simulator.
import { isDeepStrictEqual } from 'node:util';
import { createEnvelope } from '../../../src/core/envelope';
import { dossierPipelines } from '../../../src/flows/dossier/pipelines';
import { ProcedureCatalogue } from '../../../src/flows/dossier/procedure-catalogue';
import { DOSSIER_PIPELINES } from '../../../src/flows/dossier/settings';
import type { DeliveryStage, StageContext } from '../../../src/messaging/pipeline';
import { DvcqgClient, toDongBoHoSoItem, toTienDoHoSoItem, type DongBoHoSoMCItem, type DossierIntake, type DossierProgressUpdate, type ThuTuc, type TienDoHoSoItem } from '../../../src/upstreams/dvcqg';
import { deliveryAdapterContract, type DeliveryWorld } from '../../../testkit/contracts/delivery-adapter-contract';
import { DEFAULT_SIMULATOR_CREDENTIALS, startDvcqgSimulator, type DvcqgSimulator } from '../../../testkit/simulators/dvcqg';
import { birthRegistration, birthRegistrationProgress } from '../../fixtures/dvcqg/load-fixtures';

interface DvcqgWorld {
  sim: DvcqgSimulator;
  /** The client the deliveries call through. */
  client: DvcqgClient;
  /** A second client that prepares the simulator's state (its calls are not the adapter's). */
  setup: DvcqgClient;
  procedure: ThuTuc;
  delivery(pipeline: string): DeliveryStage;
  context(signal: AbortSignal): StageContext;
  /** A dossier item under a MaHoSo of its own. */
  dossierItem(): DongBoHoSoMCItem;
  dispose(): Promise<void>;
}

async function dvcqgWorld(): Promise<DvcqgWorld> {
  const sim = await startDvcqgSimulator({ port: 0, sessionTtlMs: 60_000 });
  const config = { baseUrl: sim.url, ...DEFAULT_SIMULATOR_CREDENTIALS, madonvi: '000.00.04.H40', dstcode: 'DVCQG', timeoutMs: 10_000 };
  const client = new DvcqgClient(config);
  const setup = new DvcqgClient(config);
  const procedure = await setup.getProcedure('1.001193');
  if (!procedure) throw new Error('the simulator catalogue has no procedure 1.001193');
  const pipelines = dossierPipelines({
    dvcqg: client,
    population: { lookupCitizen: () => Promise.reject(new Error('the deliveries never check the applicant')) },
    catalogue: new ProcedureCatalogue((maTTHC, signal) => client.getProcedure(maTTHC, { signal })),
    isDossier: (value): value is DossierIntake => value !== null,
    isProgress: (value): value is DossierProgressUpdate => value !== null,
  });
  let n = 0;
  return {
    sim,
    client,
    setup,
    procedure,
    delivery: (name) => {
      const found = pipelines.find((p) => p.name === name);
      if (!found) throw new Error(`no pipeline ${name}`);
      return found.delivery;
    },
    context: (signal) => ({ envelope: createEnvelope({ type: 'dossier.test', source: 'contract-test', payload: {} }), signal }),
    dossierItem: () => toDongBoHoSoItem({ ...birthRegistration(), MaHoSo: `000.00.04.H40-240315-${String(++n).padStart(4, '0')}` }, { procedure }),
    dispose: async () => {
      await Promise.all([client.close(), setup.close()]);
      await sim.close();
    },
  };
}

async function dossierSyncWorld(): Promise<DeliveryWorld<DongBoHoSoMCItem>> {
  const world = await dvcqgWorld();
  const delivery = world.delivery(DOSSIER_PIPELINES.sync);
  return {
    control: world.sim.control,
    refusal: 'final-error',
    message: async () => world.dossierItem(),
    // DVCQG refuses an item that breaks its contract (400 INVALID_INPUT).
    refusedMessage: async () => ({ ...world.dossierItem(), NgayTiepNhan: 'hôm qua' }),
    refusalCode: 'INVALID_INPUT',
    deliver: (item, signal) => delivery.deliver(item, world.context(signal)),
    alreadyApplied: (item, signal) => delivery.alreadyApplied!(item, world.context(signal)),
    applied: async (item) => world.sim.store.dossier(item.MaHoSo)?.syncCount ?? 0,
    dispose: world.dispose,
  };
}

async function progressWorld(): Promise<DeliveryWorld<TienDoHoSoItem>> {
  const world = await dvcqgWorld();
  const delivery = world.delivery(DOSSIER_PIPELINES.progress);
  const progressOf = (item: DongBoHoSoMCItem): TienDoHoSoItem => toTienDoHoSoItem({ ...birthRegistrationProgress()[0]!, MaHoSo: item.MaHoSo });
  return {
    control: world.sim.control,
    refusal: 'final-error',
    // Progress of a dossier DVCQG holds.
    message: async () => {
      const item = world.dossierItem();
      await world.setup.syncDossier(item);
      return progressOf(item);
    },
    // DVCQG refuses progress of a dossier it never received (404 DOSSIER_NOT_FOUND).
    refusedMessage: async () => progressOf(world.dossierItem()),
    refusalCode: 'DOSSIER_NOT_FOUND',
    deliver: (item, signal) => delivery.deliver(item, world.context(signal)),
    alreadyApplied: (item, signal) => delivery.alreadyApplied!(item, world.context(signal)),
    applied: async (item) => (world.sim.store.dossier(item.MaHoSo)?.progress ?? []).filter((p) => isDeepStrictEqual(p.item, item)).length,
    dispose: world.dispose,
  };
}

deliveryAdapterContract('dvcqg-dossier-sync', dossierSyncWorld, { alreadyApplied: true });
deliveryAdapterContract('dvcqg-progress', progressWorld, { alreadyApplied: true });
