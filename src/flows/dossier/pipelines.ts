// The dossier flow's pipelines, read top to bottom as a dossier travels: the applicant checked against the national
// population database, the procedure's names taken from DVCQG's catalogue, the dossier mapped to DVCQG's item, and
// the item synced to DVCQG (TraCuuHoSo when in doubt, then DongBoHoSoMC); a progress step mapped and sent
// (CapNhatTienDoHoSoMC). Every type is the contract's: the compiler checks each step takes what the previous gives.
import type { JsonValue } from '../../core/envelope';
import { MessageRejectedError } from '../../messaging/delivery/adapter';
import { pipeline, type Delivery, type Pipeline, type Step } from '../../messaging/pipeline';
import {
  DossierMappingError,
  toDongBoHoSoItem,
  toTienDoHoSoItem,
  type DongBoHoSoMCItem,
  type DossierIntake,
  type DossierProgressUpdate,
  type DvcqgClient,
  type MaDoiTuongPolicy,
  type ThuTuc,
  type TienDoHoSoItem,
} from '../../upstreams/dvcqg';
import type { PopulationClient } from '../../upstreams/population';
import { checkApplicant } from './applicant-check';
import type { ProcedureCatalogue } from './procedure-catalogue';
import { DOSSIER_PIPELINES } from './settings';

/** The upstreams' breaker names: DVCQG's dossier calls, its procedure catalogue (cached), the population database. */
export const DOSSIER_UPSTREAMS = { dvcqg: 'dvcqg', catalogue: 'dvcqg-catalogue', population: 'population' } as const;

/** The dossier with DVCQG's own catalogue entry for its procedure, whose names DVCQG expects back. */
export interface CataloguedDossier {
  dossier: DossierIntake;
  procedure: ThuTuc;
}

export interface DossierPipelineDeps {
  dvcqg: DvcqgClient;
  population: Pick<PopulationClient, 'lookupCitizen'>;
  catalogue: ProcedureCatalogue;
  /** What DVCQG's MaDoiTuong carries (flows.dossier.dvcqg.maDoiTuong); default the citizen id. */
  maDoiTuong?: MaDoiTuongPolicy;
  /** Type guards of the dossier-intake contract (the intake already checked every message against them). */
  isDossier(value: unknown): value is DossierIntake;
  isProgress(value: unknown): value is DossierProgressUpdate;
}

export function dossierPipelines(deps: DossierPipelineDeps): Pipeline[] {
  const applicantCheck: Step<DossierIntake, DossierIntake> = {
    name: 'population-verify',
    kind: 'enrich',
    upstream: DOSSIER_UPSTREAMS.population,
    run: async (dossier, { signal }) => {
      await checkApplicant(dossier, deps.population, signal);
      return dossier;
    },
  };
  const procedureLookup: Step<DossierIntake, CataloguedDossier> = {
    name: 'dvcqg-catalogue',
    kind: 'enrich',
    upstream: DOSSIER_UPSTREAMS.catalogue,
    run: async (dossier, context) => {
      const procedure = await deps.catalogue.get(dossier.MaTTHC, context);
      if (!procedure) throw new MessageRejectedError('PROCEDURE_UNKNOWN', 'DVCQG does not know the procedure code MaTTHC');
      return { dossier, procedure };
    },
  };
  const toDvcqgItem: Step<CataloguedDossier, DongBoHoSoMCItem> = {
    name: 'dvcqg-dossier',
    kind: 'transform',
    run: ({ dossier, procedure }) => mapOrReject(() => toDongBoHoSoItem(dossier, { procedure, maDoiTuong: deps.maDoiTuong })),
  };
  const toDvcqgProgress: Step<DossierProgressUpdate, TienDoHoSoItem> = {
    name: 'dvcqg-progress',
    kind: 'transform',
    run: (update) => mapOrReject(() => toTienDoHoSoItem(update)),
  };
  // DVCQG takes no idempotency key: a delivery in doubt asks TraCuuHoSo whether the item is already there.
  const syncDossier: Delivery<DongBoHoSoMCItem> = {
    name: 'dvcqg-dossier-sync',
    upstream: DOSSIER_UPSTREAMS.dvcqg,
    deliver: async (item, { signal }) => void (await deps.dvcqg.syncDossier(item, { signal })),
    alreadyApplied: (item, { signal }) => deps.dvcqg.holdsDossier(item, { signal }),
  };
  const sendProgress: Delivery<TienDoHoSoItem> = {
    name: 'dvcqg-progress',
    upstream: DOSSIER_UPSTREAMS.dvcqg,
    deliver: (item, { signal }) => deps.dvcqg.updateProgress(item, { signal }),
    alreadyApplied: (item, { signal }) => deps.dvcqg.holdsProgress(item, { signal }),
  };

  return [
    pipeline(DOSSIER_PIPELINES.sync, readAs(deps.isDossier, 'dossier')).step(applicantCheck).step(procedureLookup).step(toDvcqgItem).deliver(syncDossier),
    pipeline(DOSSIER_PIPELINES.progress, readAs(deps.isProgress, 'progress update')).step(toDvcqgProgress).deliver(sendProgress),
  ];
}

/** Reads a queued payload as T; one that does not fit (a copy queued by an older version) is rejected, not retried. */
function readAs<T>(is: (value: unknown) => value is T, what: string): (payload: JsonValue) => T {
  return (payload) => {
    if (is(payload)) return payload;
    throw new MessageRejectedError('VALIDATION_FAILED', `the queued ${what} does not fit its contract`);
  };
}

/** Mapping errors the contract could not catch (e.g. an unmapped status) are final: the dossier is rejected. */
function mapOrReject<T>(map: () => T): T {
  try {
    return map();
  } catch (error) {
    if (error instanceof DossierMappingError) throw new MessageRejectedError(`DVCQG_MAPPING_${error.code}`, error.message);
    throw error;
  }
}
