// In-memory state of the DVCQG reference simulator: session tokens, dossiers by MaHoSo with their sync and progress history.
import { randomUUID } from 'node:crypto';
import type { DongBoHoSoMCItem, TienDoHoSoItem } from '../../../src/upstreams/dvcqg/contract-types';

export type SessionState = 'valid' | 'expired' | 'unknown';

export interface DossierSync {
  at: string;
  isUpdating: boolean;
  item: DongBoHoSoMCItem;
}

export interface ProgressRecord {
  /** 1-based arrival position for this dossier. */
  arrival: number;
  at: string;
  item: TienDoHoSoItem;
}

export interface StoredDossier {
  maHoSo: string;
  current: DongBoHoSoMCItem;
  syncCount: number;
  syncs: DossierSync[];
  progress: ProgressRecord[];
}

export class DvcqgSimulatorStore {
  private readonly sessions = new Map<string, number>();
  private readonly dossiers = new Map<string, StoredDossier>();

  constructor(private readonly sessionTtlMs: number, private readonly now: () => number = Date.now) {}

  issueSession(): { token: string; ttlMs: number } {
    const token = randomUUID();
    this.sessions.set(token, this.now() + this.sessionTtlMs);
    return { token, ttlMs: this.sessionTtlMs };
  }

  sessionState(token: string): SessionState {
    const expiresAt = this.sessions.get(token);
    if (expiresAt === undefined) return 'unknown';
    return this.now() < expiresAt ? 'valid' : 'expired';
  }

  /** Forgets every session, as a server restart would; clients must log in again. */
  revokeSessions(): void {
    this.sessions.clear();
  }

  upsertDossier(item: DongBoHoSoMCItem, isUpdating: boolean): StoredDossier {
    const sync: DossierSync = { at: new Date(this.now()).toISOString(), isUpdating, item };
    const existing = this.dossiers.get(item.MaHoSo);
    if (existing) {
      existing.current = item;
      existing.syncCount += 1;
      existing.syncs.push(sync);
      return existing;
    }
    const created: StoredDossier = { maHoSo: item.MaHoSo, current: item, syncCount: 1, syncs: [sync], progress: [] };
    this.dossiers.set(item.MaHoSo, created);
    return created;
  }

  dossier(maHoSo: string): StoredDossier | undefined {
    return this.dossiers.get(maHoSo);
  }

  /** Appends a progress item in arrival order; false when the dossier is unknown. */
  addProgress(item: TienDoHoSoItem): boolean {
    const dossier = this.dossiers.get(item.MaHoSo);
    if (!dossier) return false;
    dossier.progress.push({ arrival: dossier.progress.length + 1, at: new Date(this.now()).toISOString(), item });
    dossier.current = { ...dossier.current, TrangThaiHoSo: item.TrangThai };
    return true;
  }
}
