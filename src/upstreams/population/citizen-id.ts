// Validator and parser of the 12-digit personal id (số định danh cá nhân / CCCD): format and the facts it embeds.
import { isKnownProvinceCode } from './province-codes';

/** Layout `PPP G YY NNNNNN` (vn-standards §3.5); there is no checksum. */
export interface CitizenIdParts {
  /** 3-digit GSO code of the province where the birth was registered. */
  provinceCode: string;
  /** The gender-and-century digit G. */
  genderCenturyDigit: number;
  gender: 'male' | 'female';
  /** Full birth year derived from G and YY. */
  birthYear: number;
  /** The 6 trailing digits. */
  sequence: string;
}

export type CitizenIdProblem =
  | 'not-12-digits'
  | 'unknown-province'
  | 'birth-year-in-future'
  | 'birth-year-mismatch'
  | 'gender-mismatch';

export type CitizenIdValidation = { valid: true; parts: CitizenIdParts } | { valid: false; problem: CitizenIdProblem };

export interface CitizenIdExpectations {
  /** YYYY-MM-DD or YYYY; when given, the year must equal the one the id encodes. */
  birthDate?: string;
  gender?: 'male' | 'female';
  /** The clock for the "not born in the future" check; defaults to now. */
  now?: Date;
}

const TWELVE_DIGITS = /^\d{12}$/;

/** Splits a syntactically valid id; returns null if it is not 12 ASCII digits. Checks nothing else. */
export function parseCitizenId(id: string): CitizenIdParts | null {
  if (!TWELVE_DIGITS.test(id)) return null;
  const genderCenturyDigit = Number(id[3]);
  // 0/1 = male/female born 1900-1999, 2/3 = 2000s, 4/5 = 2100s, and so on.
  const century = 1900 + Math.floor(genderCenturyDigit / 2) * 100;
  return {
    provinceCode: id.slice(0, 3),
    genderCenturyDigit,
    gender: genderCenturyDigit % 2 === 0 ? 'male' : 'female',
    birthYear: century + Number(id.slice(4, 6)),
    sequence: id.slice(6),
  };
}

/**
 * Checks the format, the province code, that the encoded birth year is not in the future and, when
 * given, that it agrees with the expected birth date and gender. The answer never echoes the id.
 */
export function validateCitizenId(id: string, expected: CitizenIdExpectations = {}): CitizenIdValidation {
  const parts = parseCitizenId(id);
  if (!parts) return { valid: false, problem: 'not-12-digits' };
  if (!isKnownProvinceCode(parts.provinceCode)) return { valid: false, problem: 'unknown-province' };
  const currentYear = (expected.now ?? new Date()).getUTCFullYear();
  if (parts.birthYear > currentYear) return { valid: false, problem: 'birth-year-in-future' };
  if (expected.birthDate !== undefined) {
    const year = /^(\d{4})(?:-\d{2}-\d{2})?$/.exec(expected.birthDate)?.[1];
    if (year === undefined || Number(year) !== parts.birthYear) return { valid: false, problem: 'birth-year-mismatch' };
  }
  if (expected.gender !== undefined && expected.gender !== parts.gender) return { valid: false, problem: 'gender-mismatch' };
  return { valid: true, parts };
}

export function isValidCitizenId(id: string): boolean {
  return validateCitizenId(id).valid;
}

/** The 9-digit old identity card number (CMND); it has no structure to check (§3.5). */
export function isOldIdentityCardNumber(value: string): boolean {
  return /^\d{9}$/.test(value);
}
