// Validates request bodies against the component schemas of the OpenAPI 3.1 contracts in contracts/openapi/, so
// the documents users read are the ones the bus enforces, `x-text` (the text policy's kind of a field) included.
import Ajv2020, { type FuncKeywordDefinition, type ValidateFunction } from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { contractPath } from '../core/repo-files';
import { fieldProblemsOf, type FieldProblem } from '../core/field-problems';
import { TEXT_KINDS, textViolation } from '../core/text-policy';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether the text is a `format: date-time` of the contracts: RFC 3339, seconds and offset required, a real time. */
export function isDateTime(text: string): boolean {
  return DATE_TIME.test(text) && !Number.isNaN(Date.parse(text));
}

export class ContractValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly loaded = new Set<string>();

  constructor() {
    this.ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
    this.ajv.addFormat('date', { type: 'string', validate: (v: string) => DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) });
    this.ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    this.ajv.addFormat('uri', { type: 'string', validate: (v: string) => URL.canParse(v) });
    this.ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
    this.ajv.addKeyword({ keyword: 'x-text', type: 'string', schemaType: 'string', errors: true, compile: textKindCheck });
  }

  /** Problems of value against contracts/openapi/<contract>.yaml#/components/schemas/<schema>; [] when valid. */
  validate(contract: string, schema: string, value: unknown): FieldProblem[] {
    const validator = this.validatorFor(contract, schema);
    if (validator(value)) return [];
    return fieldProblemsOf(validator.errors);
  }

  /**
   * A type guard for T, checked against the contract schema T was generated from (contracts/generated/<contract>.ts):
   * how a pipeline reads a queued payload as its flow's own type.
   */
  guard<T>(contract: string, schema: string): (value: unknown) => value is T {
    const validator = this.validatorFor(contract, schema);
    return (value: unknown): value is T => validator(value);
  }

  private validatorFor(contract: string, schema: string): ValidateFunction {
    const key = `${contract}#/components/schemas/${schema}`;
    let validator = this.compiled.get(key);
    if (!validator) {
      if (!this.loaded.has(contract)) {
        const document = YAML.parse(readFileSync(contractPath(contract), 'utf8')) as Record<string, unknown>;
        this.ajv.addSchema({ ...document, $id: contract }, contract);
        this.loaded.add(contract);
      }
      validator = this.ajv.getSchema(key);
      if (!validator) throw new Error(`no schema ${schema} in contract ${contract}`);
      this.compiled.set(key, validator);
    }
    return validator;
  }
}

type KeywordCheck = ReturnType<NonNullable<FuncKeywordDefinition['compile']>>;

/** The check of an `x-text: <kind>` keyword: the string holds nothing the text policy refuses for that kind. */
function textKindCheck(kind: unknown): KeywordCheck {
  const textKind = TEXT_KINDS.find((k) => k === kind);
  if (textKind === undefined) throw new Error(`x-text is one of ${TEXT_KINDS.join(', ')}, not ${String(kind)}`);
  const check: KeywordCheck = (data: unknown) => {
    const violation = typeof data === 'string' ? textViolation(data, textKind) : null;
    check.errors = violation === null ? undefined : [{ keyword: 'x-text', message: violation, params: { kind: textKind } }];
    return violation === null;
  };
  return check;
}
