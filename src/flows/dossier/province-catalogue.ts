// The province's procedure list from DVCQG (LayDanhSachTTHC), refreshed on a schedule: the last good copy is kept while
// DVCQG is away, so intake can refuse a dossier whose procedure DVCQG does not list (unknown or withdrawn) at the door.
import type { Logger } from '../../observability/logger';
import type { ThuTuc } from '../../upstreams/dvcqg';

export interface CatalogueCopy {
  procedures: ReadonlyMap<string, ThuTuc>;
  refreshedAt: Date;
  /** Codes listed now and not in the copy before, and the other way round (withdrawn). */
  added: readonly string[];
  removed: readonly string[];
}

export class ProvinceCatalogue {
  private copy: CatalogueCopy | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly fetchAll: () => Promise<ThuTuc[]>,
    private readonly logger: Logger,
  ) {}

  /** True or false by the last good copy; undefined while there is none (DVCQG never answered since start). */
  knows(maTTHC: string): boolean | undefined {
    return this.copy ? this.copy.procedures.has(maTTHC) : undefined;
  }

  current(): CatalogueCopy | null {
    return this.copy;
  }

  /** Asks DVCQG for the list once; a failure keeps the last good copy. Concurrent calls share one request. */
  refresh(): Promise<void> {
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

  private async fetch(): Promise<void> {
    let list: ThuTuc[];
    try {
      list = await this.fetchAll();
    } catch (error) {
      const code = error !== null && typeof error === 'object' && 'code' in error ? String((error as { code: unknown }).code) : 'UNKNOWN';
      this.logger.warn({ code, kept: this.copy?.procedures.size ?? 0 }, 'procedure catalogue refresh failed; the last good copy stays');
      return;
    }
    // An empty list is taken for a DVCQG fault, not for a province without procedures.
    if (list.length === 0) {
      this.logger.warn({ kept: this.copy?.procedures.size ?? 0 }, 'DVCQG listed no procedures; the last good copy stays');
      return;
    }
    const procedures = new Map(list.map((p) => [p.MATTHC, p]));
    const before = this.copy?.procedures ?? new Map<string, ThuTuc>();
    this.copy = {
      procedures,
      refreshedAt: new Date(),
      added: [...procedures.keys()].filter((code) => !before.has(code)),
      removed: [...before.keys()].filter((code) => !procedures.has(code)),
    };
    this.logger.info({ procedures: procedures.size, added: this.copy.added.length, removed: this.copy.removed.length }, 'procedure catalogue refreshed');
  }
}
