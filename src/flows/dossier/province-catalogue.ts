// The province's procedure catalogue from DVCQG, kept in the bus's stores: served from the stored copy at start, refreshed
// on a schedule and on demand (LayDanhSachTTHC, then LayThuTuc only for the procedures added or changed since the copy).
import { normalizeNfc, payloadDigest } from '../../core/envelope';
import type { Logger } from '../../observability/logger';
import type { CatalogueRefreshRecord, ProcedureCatalogueStore, StoredProcedure } from '../../stores/stores';
import type { ThuTuc } from '../../upstreams/dvcqg';
import { merged } from '../../core/merged';

/** A procedure of the copy: what the store keeps, with DVCQG's entry read back. */
export interface CatalogueProcedure extends StoredProcedure {
  procedure: ThuTuc;
}

export interface CatalogueCopy {
  procedures: ReadonlyMap<string, CatalogueProcedure>;
  refresh: CatalogueRefreshRecord;
}

/** How a refresh ended: the copy it stored, or why the last good copy stays. */
export type RefreshOutcome =
  | { ok: true; refresh: CatalogueRefreshRecord; procedures: number }
  | { ok: false; code: string };

/** DVCQG as the catalogue asks it, each call through the catalogue's breaker. */
export interface CatalogueSource {
  list(): Promise<ThuTuc[]>;
  describe(maTTHC: string): Promise<ThuTuc | undefined>;
}

/** LayThuTuc calls in flight at once while a refresh describes what it found new or changed. */
const DESCRIBE_CONCURRENCY = 4;

export class ProvinceCatalogue {
  private copy: CatalogueCopy | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RefreshOutcome> | null = null;

  constructor(
    private readonly source: CatalogueSource,
    private readonly store: ProcedureCatalogueStore,
    private readonly logger: Logger,
  ) {}

  /** Takes the stored copy, if any: a bus started while DVCQG is away knows the catalogue at once. */
  async load(): Promise<void> {
    const stored = await this.storedCopy();
    if (!stored) return;
    this.copy = stored;
    this.logger.info({ procedures: stored.procedures.size, refreshedAt: stored.refresh.refreshedAt }, 'procedure catalogue loaded from the store');
  }

  /** True or false by the last good copy; undefined while there is none (DVCQG never answered, nothing stored). */
  knows(maTTHC: string): boolean | undefined {
    return this.copy ? this.copy.procedures.has(maTTHC) : undefined;
  }

  /** DVCQG's entry for the procedure in the copy; undefined when the copy does not hold it (or there is none). */
  entry(maTTHC: string): ThuTuc | undefined {
    return this.copy?.procedures.get(maTTHC)?.procedure;
  }

  current(): CatalogueCopy | null {
    return this.copy;
  }

  /** Asks DVCQG for the list once; a failure keeps the last good copy. Concurrent calls share one refresh. */
  refresh(): Promise<RefreshOutcome> {
    this.running ??= this.fetch().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Refreshes now and every intervalMs until stop(). */
  start(intervalMs: number): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async fetch(): Promise<RefreshOutcome> {
    let listed: ThuTuc[];
    try {
      // An entry without a code cannot be listed, looked up or refused by: it is left out.
      listed = normalizeNfc(await this.source.list()).filter((entry) => typeof entry.MATTHC === 'string' && entry.MATTHC !== '');
    } catch (error) {
      return this.failed('list', error);
    }
    // An empty list is taken for a DVCQG fault, not for a province without procedures.
    if (listed.length === 0) {
      this.logger.warn({ kept: this.copy?.procedures.size ?? 0 }, 'DVCQG listed no procedures; the last good copy stays');
      return { ok: false, code: 'CATALOGUE_EMPTY' };
    }
    await this.adoptNewerStoredCopy();
    const before = this.copy?.procedures ?? new Map<string, CatalogueProcedure>();
    const listing = new Map(listed.map((entry) => [entry.MATTHC, { entry, digest: payloadDigest(entry) }]));
    const added = [...listing.keys()].filter((code) => !before.has(code));
    const changed = [...listing.entries()].filter(([code, { digest }]) => before.has(code) && before.get(code)!.listingDigest !== digest).map(([code]) => code);
    const withdrawn = [...before.keys()].filter((code) => !listing.has(code));

    let described: Map<string, ThuTuc | undefined>;
    try {
      described = await this.describeAll([...added, ...changed]);
    } catch (error) {
      return this.failed('describe', error);
    }
    const upserted = [...added, ...changed].map((code) => {
      const { entry, digest } = listing.get(code)!;
      // LayThuTuc's entry where DVCQG gives one (it holds more than the list), else the list's own.
      return storedProcedure(described.get(code) ?? entry, entry, digest);
    });
    const refresh: CatalogueRefreshRecord = { refreshedAt: new Date().toISOString(), added, withdrawn, changed };
    try {
      await this.store.save({ upserted, withdrawn, refresh });
    } catch (error) {
      return this.failed('store', error);
    }
    const procedures = new Map(before);
    for (const code of withdrawn) procedures.delete(code);
    for (const p of upserted) procedures.set(p.code, withEntry(p));
    this.copy = { procedures, refresh };
    this.logger.info({ procedures: procedures.size, added: added.length, changed: changed.length, withdrawn: withdrawn.length }, 'procedure catalogue refreshed');
    return { ok: true, refresh, procedures: procedures.size };
  }

  /**
   * Takes the stored copy when another instance sharing the store refreshed after this one: the differences are then
   * found against the latest copy, and what that instance already described is not asked for again.
   */
  private async adoptNewerStoredCopy(): Promise<void> {
    try {
      const stored = await this.storedCopy();
      if (stored && (!this.copy || stored.refresh.refreshedAt > this.copy.refresh.refreshedAt)) this.copy = stored;
    } catch {
      // The store is read again at the next refresh; this one compares with the copy in hand.
    }
  }

  /**
   * The stored copy; null when nothing is stored or the copy lists no procedures. A copy without procedures is taken
   * for none, as an empty list from DVCQG is: by it intake would refuse every dossier until DVCQG answered.
   */
  private async storedCopy(): Promise<CatalogueCopy | null> {
    const stored = await this.store.load();
    if (!stored) return null;
    if (stored.procedures.length === 0) {
      this.logger.warn({ refreshedAt: stored.refresh.refreshedAt }, 'the stored procedure catalogue lists no procedures; it is not used');
      return null;
    }
    return copyOf(stored);
  }

  /** LayThuTuc for each code, a few at a time; any failure ends the refresh (the last good copy stays whole). */
  private async describeAll(codes: string[]): Promise<Map<string, ThuTuc | undefined>> {
    const described = new Map<string, ThuTuc | undefined>();
    let next = 0;
    const worker = async () => {
      while (next < codes.length) {
        const code = codes[next++]!;
        const entry = await this.source.describe(code);
        described.set(code, entry === undefined ? undefined : normalizeNfc(entry));
      }
    };
    await Promise.all(Array.from({ length: Math.min(DESCRIBE_CONCURRENCY, codes.length) }, worker));
    return described;
  }

  private failed(stage: 'list' | 'describe' | 'store', error: unknown): RefreshOutcome {
    const code = error !== null && typeof error === 'object' && 'code' in error ? String((error as { code: unknown }).code) : 'UNKNOWN';
    this.logger.warn({ stage, code, kept: this.copy?.procedures.size ?? 0 }, 'procedure catalogue refresh failed; the last good copy stays');
    return { ok: false, code };
  }
}

/** The row of a procedure: its names from DVCQG's entry, whether it is linked from the list's. */
function storedProcedure(entry: ThuTuc, listed: ThuTuc, listingDigest: string): StoredProcedure {
  const fields = Array.isArray(entry.LINHVUCTHUCHIEN) && entry.LINHVUCTHUCHIEN.length > 0 ? entry.LINHVUCTHUCHIEN : Array.isArray(listed.LINHVUCTHUCHIEN) ? listed.LINHVUCTHUCHIEN : [];
  const field = fields[0];
  return {
    code: listed.MATTHC,
    name: typeof entry.TENTTHC === 'string' ? entry.TENTTHC : listed.TENTTHC,
    fieldCode: field?.MALINHVUC ?? '',
    field: field?.TENLINHVUC ?? '',
    agency: entry.COQUANTHUCHIEN ?? listed.COQUANTHUCHIEN ?? '',
    level: entry.MUCDO ?? listed.MUCDO ?? null,
    // DVCQG lists a procedure without the flag as one it syncs (contracts/openapi/dvcqg.yaml).
    linked: (listed.TICHHOPDVCQG ?? entry.TICHHOPDVCQG) !== '0',
    listingDigest,
    entry: JSON.stringify(entry),
  };
}

function copyOf(stored: { procedures: StoredProcedure[]; refresh: CatalogueRefreshRecord }): CatalogueCopy {
  return { procedures: new Map(stored.procedures.map((p) => [p.code, withEntry(p)])), refresh: stored.refresh };
}

function withEntry(stored: StoredProcedure): CatalogueProcedure {
  return merged(stored, { procedure: JSON.parse(stored.entry) as ThuTuc });
}
