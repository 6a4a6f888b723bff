// Validates JSON values against named component schemas of an OpenAPI 3.1 contract file (JSON Schema 2020-12, via ajv).
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { contractPath, type ContractName } from '../../../src/core/repo-files';

export type ContractCheck = { ok: true } | { ok: false; field: string; reason: string };

export class ContractValidator {
  private readonly ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly contract: ContractName) {
    const document: unknown = parse(readFileSync(contractPath(contract), 'utf8'));
    this.ajv.addSchema(document as object, contract);
  }

  /** Checks `value` against components/schemas/<schemaName>; the reason names the rule, never the value. */
  check(schemaName: string, value: unknown): ContractCheck {
    const validate = this.validatorFor(schemaName);
    if (validate(value)) return { ok: true };
    const first = validate.errors?.[0];
    const missing = first?.keyword === 'required' ? `/${String(first.params.missingProperty)}` : '';
    return {
      ok: false,
      field: `${first?.instancePath ?? ''}${missing}` || '/',
      reason: `${first?.keyword ?? 'schema'} ${first?.message ?? 'invalid'}`,
    };
  }

  private validatorFor(schemaName: string): ValidateFunction {
    let validate = this.compiled.get(schemaName);
    if (!validate) {
      validate = this.ajv.getSchema(`${this.contract}#/components/schemas/${schemaName}`);
      if (!validate) throw new Error(`schema ${schemaName} not found in ${this.contract}`);
      this.compiled.set(schemaName, validate);
    }
    return validate;
  }
}
