// A route's work as typed code: the message's payload read as its flow's own type, steps from one type to the next (the
// compiler checks the chain: a step taking what the previous one gives), and the delivery of the last value upstream.
//
//   pipeline('dossier-sync', readDossier)          // JsonValue → DossierIntake
//     .step(applicantCheck)                          // DossierIntake → DossierIntake       (population, breaker)
//     .step(procedureLookup)                         // DossierIntake → CataloguedDossier  (DVCQG catalogue)
//     .step(toDvcqgItem)                             // CataloguedDossier → DongBoHoSoMCItem
//     .deliver(dvcqgSync)                            // DongBoHoSoMCItem → DVCQG
//
// The route runner runs the stages in order: each step's record goes to the audit trail under its own name, a step
// that calls an upstream goes through that upstream's breaker, and the delivery is an idempotent effect.
import type { Envelope, JsonValue } from '../core/envelope';
import type { FieldProblem } from '../core/field-problems';

/** What every stage sees of the message besides its input: the envelope (ids, subject, source) and the abort signal. */
export interface StageContext {
  readonly envelope: Envelope;
  /** Aborted when the stage's time is up (the upstream's breaker timeout) or the delivery is given up. */
  readonly signal: AbortSignal;
}

/** The audit record a step leaves: validated, transformed or enriched, under the step's name. */
export type StepKind = 'validate' | 'transform' | 'enrich';

export interface Step<In, Out> {
  readonly name: string;
  readonly kind: StepKind;
  /** The upstream the step calls, whose breaker guards the call; absent for steps that call nothing. */
  readonly upstream?: string;
  run(input: In, context: StageContext): Out | Promise<Out>;
}

/** The last stage: performs the upstream effect, once per message id (the route runner keeps the effect log). */
export interface Delivery<In> {
  /** Names the effect in the effect log (with the route and the message id). */
  readonly name: string;
  /** The upstream whose breaker guards the call; absent when the delivery guards its own calls (one breaker per organ). */
  readonly upstream?: string;
  deliver(input: In, context: StageContext): Promise<void>;
  /**
   * Asked only when an earlier attempt may have reached the upstream without the bus learning the outcome, for
   * upstreams that take no idempotency key: true when the effect is already there (it is then not repeated).
   */
  alreadyApplied?(input: In, context: StageContext): Promise<boolean>;
  /**
   * For a delivery that guards its own upstream calls (no `upstream`): how long its upstream may still carry out a call
   * the bus abandoned (its breaker's `abandonedCallSettleMs`); a delivery in doubt asks `alreadyApplied` only after it.
   */
  readonly abandonedCallSettleMs?: number;
  /**
   * The delivery hands the message on as parts (new messages caused by it, one per recipient): once it is done the
   * message is in progress until every part is final, and then takes its state from them.
   */
  readonly fansOut?: boolean;
}

/** A stage with its types checked at construction; the runner passes each stage's output to the next. */
export interface Stage {
  readonly name: string;
  readonly kind: StepKind;
  readonly upstream?: string;
  run(input: unknown, context: StageContext): Promise<unknown>;
}

export interface DeliveryStage {
  readonly name: string;
  readonly upstream?: string;
  deliver(input: unknown, context: StageContext): Promise<void>;
  alreadyApplied?(input: unknown, context: StageContext): Promise<boolean>;
  readonly abandonedCallSettleMs?: number;
  readonly fansOut?: boolean;
}

export interface Pipeline {
  readonly name: string;
  /** Reads the payload as the first stage's input (the message type's rule already checked it at intake). */
  read(payload: JsonValue): unknown;
  /** Problems the intake refuses a payload for before it is accepted on this pipeline's route (generic routes' schemas). */
  intakeProblems?(payload: JsonValue): FieldProblem[];
  readonly stages: readonly Stage[];
  readonly delivery: DeliveryStage;
}

/** Builds a pipeline stage by stage; each stage's input type is the previous stage's output type. */
export class PipelineBuilder<Current> {
  constructor(
    private readonly name: string,
    private readonly reader: (payload: JsonValue) => unknown,
    private readonly stages: readonly Stage[],
  ) {}

  step<Next>(step: Step<Current, Next>): PipelineBuilder<Next> {
    const stage: Stage = {
      name: step.name,
      kind: step.kind,
      ...(step.upstream === undefined ? {} : { upstream: step.upstream }),
      // The builder's types guarantee the previous stage produced a Current.
      run: async (input, context) => step.run(input as Current, context),
    };
    return new PipelineBuilder<Next>(this.name, this.reader, [...this.stages, stage]);
  }

  deliver(delivery: Delivery<Current>): Pipeline {
    const alreadyApplied = delivery.alreadyApplied?.bind(delivery);
    const stage: DeliveryStage = {
      name: delivery.name,
      ...(delivery.upstream === undefined ? {} : { upstream: delivery.upstream }),
      deliver: (input, context) => delivery.deliver(input as Current, context),
      ...(alreadyApplied ? { alreadyApplied: (input: unknown, context: StageContext) => alreadyApplied(input as Current, context) } : {}),
      ...(delivery.abandonedCallSettleMs === undefined ? {} : { abandonedCallSettleMs: delivery.abandonedCallSettleMs }),
      ...(delivery.fansOut === true ? { fansOut: true } : {}),
    };
    return { name: this.name, read: this.reader, stages: this.stages, delivery: stage };
  }
}

/** Starts a pipeline whose payload is read as In (a type guard or decoder of the message type's shape). */
export function pipeline<In>(name: string, read: (payload: JsonValue) => In): PipelineBuilder<In> {
  return new PipelineBuilder<In>(name, read, []);
}

/** The pipelines a bus runs, by name: the flows' own and those built from routes.yaml's generic steps. */
export class PipelineRegistry {
  private readonly byName = new Map<string, Pipeline>();

  add(pipeline: Pipeline): void {
    if (this.byName.has(pipeline.name)) throw new Error(`pipeline ${pipeline.name} is defined twice`);
    this.byName.set(pipeline.name, pipeline);
  }

  get(name: string): Pipeline | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
