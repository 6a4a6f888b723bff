// Search of the province's procedure catalogue: by code, by name or field with or without Vietnamese accents, a page at a time.
import type { CatalogueProcedure } from './province-catalogue';

export interface ProcedureQuery {
  /** Words looked for in the code, the name, the field and the agency; every word must match. */
  q?: string;
  /** A field (lĩnh vực) by its code, or words of its name. */
  field?: string;
  linked?: boolean;
  offset: number;
  limit: number;
}

export interface ProcedurePage {
  total: number;
  items: CatalogueProcedure[];
}

/**
 * Text as it is compared: lower case, accents and tone marks dropped, đ read as d, spaces collapsed, so that "dang ky
 * khai sinh" finds "Đăng ký khai sinh" and a name given in NFD finds one stored in NFC.
 */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** The procedures that match, in code order, and how many match in all. */
export function searchProcedures(procedures: Iterable<CatalogueProcedure>, query: ProcedureQuery): ProcedurePage {
  const words = foldVietnamese(query.q ?? '').split(' ').filter((word) => word !== '');
  const field = query.field === undefined ? '' : foldVietnamese(query.field);
  const matches: CatalogueProcedure[] = [];
  for (const p of procedures) {
    if (query.linked !== undefined && p.linked !== query.linked) continue;
    if (field !== '' && foldVietnamese(p.fieldCode) !== field && !foldVietnamese(p.field).includes(field)) continue;
    if (words.length > 0) {
      const haystack = foldVietnamese(`${p.code} ${p.name} ${p.field} ${p.agency}`);
      if (!words.every((word) => haystack.includes(word))) continue;
    }
    matches.push(p);
  }
  matches.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return { total: matches.length, items: matches.slice(query.offset, query.offset + query.limit) };
}
