// A statement's $n parameters written into its text as SQL literals, for the statements that take no bind parameters
// (COPY). Strings are escaped by pg's own escapeLiteral.
import { escapeLiteral } from 'pg';
import type { BatchParam } from './pg-group-commit';

/** The statement with its $n parameters written as SQL literals. */
export function inlineParams(text: string, params: readonly BatchParam[]): string {
  return text.replace(/\$(\d+)/g, (_match, digits: string) => {
    const index = Number(digits) - 1;
    if (index < 0 || index >= params.length) throw new RangeError(`statement names $${digits} but has ${params.length} parameters`);
    return literalOf(params[index]!);
  });
}

function literalOf(value: BatchParam): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot inline ${value}`);
    return String(value);
  }
  return escapeLiteral(value);
}
