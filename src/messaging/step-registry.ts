// Named building blocks that routes refer to in config: payload validators, transformers, enrichers and adapters.
import Ajv, { type ValidateFunction } from 'ajv';
import type { Envelope, JsonValue } from '../core/envelope';
import { fieldProblemsOf, type FieldProblem } from '../core/field-problems';
import type { DeliveryAdapter } from './delivery/adapter';

export type Transformer = (envelope: Envelope) => JsonValue;
/** Adds what an upstream knows to the payload (e.g. the applicant checked against the population database). */
export interface Enricher {
  /** Name of the upstream it calls, whose circuit breaker guards the call. */
  readonly upstream: string;
  enrich(envelope: Envelope, signal: AbortSignal): Promise<JsonValue>;
}

export class StepRegistry {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly validators = new Map<object, ValidateFunction>();
  readonly transformers = new Map<string, Transformer>([['identity', (e) => e.payload]]);
  readonly enrichers = new Map<string, Enricher>();
  readonly adapters = new Map<string, DeliveryAdapter>();

  /** Validates a payload against a route's JSON Schema; compiled once per schema object. */
  validate(schema: Record<string, unknown>, payload: JsonValue): FieldProblem[] {
    let validator = this.validators.get(schema);
    if (!validator) {
      validator = this.ajv.compile(schema);
      this.validators.set(schema, validator);
    }
    if (validator(payload)) return [];
    return fieldProblemsOf(validator.errors);
  }

  adapter(name: string): DeliveryAdapter {
    const adapter = this.adapters.get(name);
    if (!adapter) throw new Error(`no adapter registered as ${name}`);
    return adapter;
  }
}
