// What an admin sees of personal data (NĐ 13/2023): CCCD numbers, names and birth dates masked in every admin answer,
// unless the admin holds the personal-data right and asks for them (`?personalData=show`); each such view is audited
// by the admin API. Structured bodies are masked by field name (the audit log's fields); free texts (reasons) by shape.
import type { Request } from 'express';
import { DEFAULT_PERSONAL_FIELDS, MASK, PersonalDataProtector } from '../../audit/personal-data';
import type { JsonValue } from '../../core/envelope';

export type PersonalDataRequest = 'mask' | 'show';

/** The mode asked for in the query; undefined when the value is not one of the two. */
export function personalDataRequestOf(req: Request): PersonalDataRequest | undefined {
  const value = req.query.personalData;
  if (value === undefined || value === 'mask') return 'mask';
  return value === 'show' ? 'show' : undefined;
}

export interface PersonalDataView {
  readonly shown: boolean;
  body(value: JsonValue): JsonValue;
  text(value: string): string;
  text(value: string | null): string | null;
}

const masker = new PersonalDataProtector({ mode: 'mask', fields: DEFAULT_PERSONAL_FIELDS });

/**
 * Shapes of personal data in free text: 12-digit CCCD / personal ids and 9-digit CMND (digits possibly grouped by
 * spaces or dots), and calendar dates (dd/mm/yyyy, yyyy-mm-dd, yyyyMMdd) that are not part of a timestamp.
 */
const TEXT_PATTERNS = [
  /(?<!\d|\d\.)\d{3}[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{3})?(?!\d|\.\d)/g,
  /(?<!\d)\d{1,2}[/-]\d{1,2}[/-]\d{4}(?!\d)/g,
  /(?<!\d)\d{4}-\d{2}-\d{2}(?![\dT:])/g,
  /(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)/g,
];

function maskText(text: string): string {
  return TEXT_PATTERNS.reduce((masked, pattern) => masked.replace(pattern, MASK), text);
}

export const MASKED_VIEW: PersonalDataView = {
  shown: false,
  body: (value) => masker.protect(value),
  text: ((value: string | null) => (value === null ? null : maskText(value))) as PersonalDataView['text'],
};

export const CLEAR_VIEW: PersonalDataView = {
  shown: true,
  body: (value) => value,
  text: ((value: string | null) => value) as PersonalDataView['text'],
};
