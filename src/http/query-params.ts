// Reads an endpoint's query and path parameters by kind: a malformed value is a problem naming the parameter (a 400),
// never a value handed on to a store that would throw on it (PostgreSQL refuses NUL in text, BIGINT past 2^63).
import type { Request } from 'express';
import type { FieldProblem } from '../core/field-problems';
import { textViolation, type TextKind } from '../core/text-policy';
import { isDateTime } from './contract-validator';

export type QueryParam =
  /** Text of a kind of the text policy (default `code`), NFC. */
  | { kind: 'text'; text?: TextKind; maxLength?: number }
  /** An RFC 3339 time with its offset, answered as UTC ISO text (stores compare times as ISO text). */
  | { kind: 'date-time' }
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[] }
  /** `true` or `false`. */
  | { kind: 'boolean' };

type ValueOf<P extends QueryParam> = P extends { kind: 'integer' }
  ? number
  : P extends { kind: 'boolean' }
    ? boolean
    : P extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : string;

export type QueryValues<S extends Record<string, QueryParam>> = { [K in keyof S]?: ValueOf<S[K]> };

export type QueryRead<S extends Record<string, QueryParam>> = { ok: true; values: QueryValues<S> } | { ok: false; problems: FieldProblem[] };

/** Longest text a parameter takes unless its spec says otherwise. */
const DEFAULT_MAX_LENGTH = 256;

/**
 * The parameters the spec names, read from the query. An absent or empty parameter is left out; one given twice is a
 * problem, as is one not of its kind. Parameters the spec does not name are not read.
 */
export function readQuery<S extends Record<string, QueryParam>>(query: Request['query'], spec: S): QueryRead<S> {
  const values: Record<string, string | number | boolean> = {};
  const problems: FieldProblem[] = [];
  for (const [name, param] of Object.entries(spec)) {
    const raw: unknown = query[name];
    if (raw === undefined || raw === '') continue;
    if (typeof raw !== 'string') {
      problems.push({ field: name, message: 'give it once, as a plain value' });
      continue;
    }
    const read = readParam(raw, param);
    if (typeof read === 'object') problems.push({ field: name, message: read.problem });
    else values[name] = read;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values: values as QueryValues<S> };
}

/** A path parameter, which names something by its code (a message id, a dossier code): text of the `code` kind. */
export function readPathParam(req: Request, name: string): { ok: true; value: string } | { ok: false; problems: FieldProblem[] } {
  const read = readParam(String(req.params[name] ?? ''), { kind: 'text' });
  return typeof read === 'string' && read !== '' ? { ok: true, value: read } : { ok: false, problems: [{ field: name, message: typeof read === 'object' ? read.problem : 'is required' }] };
}

function readParam(raw: string, param: QueryParam): string | number | boolean | { problem: string } {
  switch (param.kind) {
    case 'text': {
      const maxLength = param.maxLength ?? DEFAULT_MAX_LENGTH;
      if (raw.length > maxLength) return { problem: `longer than ${maxLength} characters` };
      const violation = textViolation(raw, param.text ?? 'code');
      return violation === null ? raw.normalize('NFC') : { problem: violation };
    }
    case 'date-time':
      return isDateTime(raw) ? new Date(raw).toISOString() : { problem: 'must be an RFC 3339 date-time with seconds and an offset, e.g. 2026-11-27T10:00:00+07:00' };
    case 'integer': {
      const n = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
      return n >= param.min && n <= param.max ? n : { problem: `must be an integer from ${param.min} to ${param.max}` };
    }
    case 'enum':
      return param.values.includes(raw) ? raw : { problem: `must be one of ${param.values.join(', ')}` };
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : { problem: 'must be true or false' };
  }
}
