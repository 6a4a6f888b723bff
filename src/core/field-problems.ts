// The machine-readable list of bad fields every 400 carries, built from ajv's errors (contracts and route schemas alike).
import type { ErrorObject } from 'ajv';

export interface FieldProblem {
  /** JSON pointer of the bad field; a missing or unexpected property is named by its own path. */
  field: string;
  message: string;
}

export function fieldProblemsOf(errors: readonly ErrorObject[] | null | undefined): FieldProblem[] {
  return (errors ?? []).map((e) => {
    const missing = typeof e.params.missingProperty === 'string' ? `/${e.params.missingProperty}` : '';
    const extra = typeof e.params.additionalProperty === 'string' ? `/${e.params.additionalProperty}` : '';
    return { field: `${e.instancePath}${missing || extra}` || '/', message: e.message ?? 'invalid' };
  });
}
