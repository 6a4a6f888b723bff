// A procedure's DVCQG entry for a dossier: from the province's stored catalogue where it holds the code, else DVCQG's
// LayThuTuc cached an hour (one lookup per procedure code, not one per dossier).
import type { CallDeadline } from '../../core/deadline';
import type { ThuTuc } from '../../upstreams/dvcqg';

export class ProcedureCatalogue {
  private readonly entries = new Map<string, { procedure: ThuTuc | undefined; until: number }>();

  constructor(
    private readonly lookup: (maTTHC: string, signal: AbortSignal) => Promise<ThuTuc | undefined>,
    /** The province's catalogue copy: its entry answers without asking DVCQG. */
    private readonly stored: (maTTHC: string) => ThuTuc | undefined = () => undefined,
    private readonly ttlMs = 60 * 60_000,
  ) {}

  /** `deadline`'s signal is read only when DVCQG is asked (most dossiers find their entry kept). */
  async get(maTTHC: string, deadline: CallDeadline): Promise<ThuTuc | undefined> {
    const kept = this.stored(maTTHC);
    if (kept) return kept;
    const cached = this.entries.get(maTTHC);
    if (cached && cached.until > Date.now()) return cached.procedure;
    const procedure = await this.lookup(maTTHC, deadline.signal);
    this.entries.set(maTTHC, { procedure, until: Date.now() + this.ttlMs });
    return procedure;
  }
}
