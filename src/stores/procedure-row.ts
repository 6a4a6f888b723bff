// The procedure catalogue's rows as both store backends read them, turned into the port's records.
import type { CatalogueRefreshRecord, StoredProcedure } from './stores';

export interface ProcedureRow {
  code: string;
  name: string;
  field_code: string;
  field: string;
  agency: string;
  level: string | null;
  /** SQLite keeps 0/1, PostgreSQL a boolean. */
  linked: number | boolean;
  listing_digest: string;
  entry: string;
}

export interface ProcedureRefreshRow {
  refreshed_at: string;
  added: string;
  withdrawn: string;
  changed: string;
}

export function procedureFromRow(row: ProcedureRow): StoredProcedure {
  return {
    code: row.code,
    name: row.name,
    fieldCode: row.field_code,
    field: row.field,
    agency: row.agency,
    level: row.level,
    linked: row.linked === true || row.linked === 1,
    listingDigest: row.listing_digest,
    entry: row.entry,
  };
}

function codes(json: string): string[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter((code): code is string => typeof code === 'string') : [];
}

export function refreshFromRow(row: ProcedureRefreshRow): CatalogueRefreshRecord {
  return { refreshedAt: row.refreshed_at, added: codes(row.added), withdrawn: codes(row.withdrawn), changed: codes(row.changed) };
}
