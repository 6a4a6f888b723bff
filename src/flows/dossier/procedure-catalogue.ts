// Cache of DVCQG's procedure catalogue (LayThuTuc): one lookup per procedure code an hour, not one per dossier.
import type { ThuTuc } from '../../upstreams/dvcqg';

export class ProcedureCatalogue {
  private readonly entries = new Map<string, { procedure: ThuTuc | undefined; until: number }>();

  constructor(
    private readonly lookup: (maTTHC: string, signal: AbortSignal) => Promise<ThuTuc | undefined>,
    private readonly ttlMs = 60 * 60_000,
  ) {}

  async get(maTTHC: string, signal: AbortSignal): Promise<ThuTuc | undefined> {
    const cached = this.entries.get(maTTHC);
    if (cached && cached.until > Date.now()) return cached.procedure;
    const procedure = await this.lookup(maTTHC, signal);
    this.entries.set(maTTHC, { procedure, until: Date.now() + this.ttlMs });
    return procedure;
  }
}
