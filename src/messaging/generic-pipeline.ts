// Pipelines made of envelope-kind delivery adapters: a generic route's, built from its routes.yaml steps (JSON Schema
// checks of the payload at intake and again before delivery, then one delivery to an adapter of bus.yaml `adapters`),
// and a flow's single-delivery ones.
import Ajv, { type ValidateFunction } from 'ajv';
import type { ResolvedRoute } from '../config/load-config';
import type { JsonValue } from '../core/envelope';
import { fieldProblemsOf, type FieldProblem } from '../core/field-problems';
import { MessageRejectedError, type DeliveryAdapter } from './delivery/adapter';
import { pipeline, type Delivery, type Pipeline, type StageContext } from './pipeline';

/** The name a generic route's pipeline is registered under. */
export function genericPipelineName(route: string): string {
  return `route:${route}`;
}

/** The pipeline a route runs: the one it names, or the one its generic steps describe. */
export function pipelineNameOf(route: Pick<ResolvedRoute, 'name' | 'pipeline'>): string {
  return route.pipeline ?? genericPipelineName(route.name);
}


const ajv = new Ajv({ allErrors: true, strict: false });

export function genericPipeline(route: ResolvedRoute, adapters: ReadonlyMap<string, DeliveryAdapter>): Pipeline {
  const validators: ValidateFunction[] = [];
  let target: DeliveryAdapter | undefined;
  for (const step of route.steps ?? []) {
    if (step.kind === 'validate') validators.push(ajv.compile(step.schema));
    else target = adapters.get(step.adapter);
  }
  if (!target) throw new Error(`route ${route.name}: no adapter to deliver to`);
  const adapter = target;
  const intakeProblems = (payload: JsonValue): FieldProblem[] => validators.flatMap((validate) => (validate(payload) ? [] : fieldProblemsOf(validate.errors)));
  const built = pipeline(genericPipelineName(route.name), (payload: JsonValue) => payload)
    .step({
      name: 'schema',
      kind: 'validate',
      run: (payload: JsonValue) => {
        const problems = intakeProblems(payload);
        if (problems.length > 0) throw new MessageRejectedError('VALIDATION_FAILED', `invalid fields: ${problems.map((p) => p.field).join(', ')}`);
        return payload;
      },
    })
    .deliver(adapterDelivery(adapter));
  return { ...built, stages: validators.length > 0 ? built.stages : [], intakeProblems };
}

/** A delivery adapter of the envelope kind (generic http-push, the e-document deliveries) as a pipeline's delivery. */
export function adapterDelivery(adapter: DeliveryAdapter): Delivery<JsonValue> {
  const alreadyApplied = adapter.alreadyApplied?.bind(adapter);
  return {
    name: adapter.name,
    ...(adapter.upstream === undefined ? {} : { upstream: adapter.upstream }),
    deliver: (payload, context) => adapter.deliver({ ...context.envelope, payload }, context.signal),
    ...(alreadyApplied ? { alreadyApplied: (payload: JsonValue, context: StageContext) => alreadyApplied({ ...context.envelope, payload }, context.signal) } : {}),
    ...(adapter.abandonedCallSettleMs === undefined ? {} : { abandonedCallSettleMs: adapter.abandonedCallSettleMs }),
    ...(adapter.fansOut === true ? { fansOut: true } : {}),
  };
}

/** A pipeline of no steps that hands the payload to one delivery adapter. */
export function adapterPipeline(name: string, adapter: DeliveryAdapter): Pipeline {
  return pipeline(name, (payload: JsonValue) => payload).deliver(adapterDelivery(adapter));
}
