// Runs each delivery through its route's pipeline (steps, then the delivery) as an idempotent consumer: an upstream
// effect already recorded for this message is not performed again. Ordered routes pass a resequencer gate first, so
// messages of one subject settle in the order the bus accepted them.
import type { AuditStep } from '../audit';
import type { ResolvedRoute } from '../config/load-config';
import type { Envelope } from '../core/envelope';
import { loggableText, messageLog, messageLogFields, type MessageLog } from '../observability/log-fields';
import type { Logger } from '../observability/logger';
import type { BusMetrics } from '../observability/metrics';
import { failSpan, subjectAttributes, SpanKind, TRACE_ATTR, TRACING_OFF, withSpan, type BusTracing, type Span } from '../observability/tracing';
import { failedDuringOutage, isBreakerOpen, type UpstreamBreaker } from './breaker';
import type { EffectLog } from '../stores/stores';
import { isStoreUnavailable, persist } from '../stores/store-unavailable';
import type { Delivery, DeliveryFailure, DeliveryHandler, HandlerResult } from '../transport/transport';
import { isUpstreamError, leftUnanswered, MessageRejectedError } from './delivery/adapter';
import type { DeliveryLedger, MessageLedger } from './ledger';
import type { Resequencer } from './resequencer';
import type { Pipeline, StageContext, StepKind } from './pipeline';
import { withCallDeadline, type CallDeadline } from '../core/deadline';

export interface RouteRunnerDeps {
  /** Writes what becomes of each delivery: its status, audit records and sequence settlement. */
  ledger: MessageLedger;
  effects: EffectLog;
  resequencer: Resequencer;
  breakers: ReadonlyMap<string, UpstreamBreaker>;
  metrics: BusMetrics;
  logger: Logger;
  /** Each delivery is a span continuing its message's trace; default off. */
  tracing?: BusTracing;
}

/**
 * The effect of one message on one adapter: one message id has one effect, whatever copy carries it. An intake that
 * died after its publish leaves a copy in the queue; the client's resend, taken over under the same message id, may
 * carry another sequence number, and must find the first copy's effect.
 */
export function effectKey(route: string, adapter: string, envelope: Envelope): string {
  return `deliver:${route}:${adapter}:${envelope.id}`;
}

export function createRouteHandler(route: ResolvedRoute, pipeline: Pipeline, deps: RouteRunnerDeps): DeliveryHandler {
  const handle = handlerFor(route, pipeline, deps);
  const tracing = deps.tracing ?? TRACING_OFF;
  const run = async (delivery: Delivery, settled?: SettledAs): Promise<HandlerResult> => {
    try {
      return await handle(delivery, settled);
    } catch (error) {
      // The store or the audit log is away (PostgreSQL restarting): not the message's fault, so it waits without
      // using up an attempt, as behind an open breaker; an outage of any length ends in delivery.
      if (!isStoreUnavailable(error)) throw error;
      deps.logger.warn(messageLogFields(delivery.envelope, route.name, { code: 'STORE_UNAVAILABLE' }), 'store unavailable during delivery; waiting');
      return { outcome: 'retry', code: 'STORE_UNAVAILABLE', reason: `store unavailable: ${(error as Error).message}`, countAttempt: false };
    }
  };
  if (!tracing.enabled) return run;
  return (delivery) => {
    const envelope = delivery.envelope;
    const attributes = {
      [TRACE_ATTR.route]: route.name,
      [TRACE_ATTR.attempt]: envelope.attempt,
      [TRACE_ATTR.messageId]: envelope.id,
      [TRACE_ATTR.messageType]: envelope.type,
      ...subjectAttributes(envelope.type, envelope.subject),
    };
    return tracing.inTrace(envelope.traceContext, `route ${route.name}`, { kind: SpanKind.CONSUMER, attributes }, async (span) => {
      // An ack may be a delivery or a final refusal (rejected, voided): the handler says which.
      const settled: SettledAs = {};
      const result = await run(delivery, settled);
      if (result.outcome === 'ack' && settled.outcome !== undefined && span) {
        span.setAttribute(TRACE_ATTR.outcome, settled.outcome);
        failSpan(span, new Error(settled.reason ?? settled.outcome), settled.code);
      } else settleSpan(span, result);
      return result;
    });
  };
}

/** What became of a delivery, on its span: delivered (ack), retry, dead-letter, with the code of a failure. */
function settleSpan(span: Span | undefined, result: HandlerResult | null, failed = 'failed'): void {
  if (!span) return;
  if (result === null || result.outcome === 'ack') {
    span.setAttribute(TRACE_ATTR.outcome, 'ok');
    return;
  }
  span.setAttribute(TRACE_ATTR.outcome, result.outcome === 'retry' ? 'retry' : result.outcome === 'dead-letter' ? 'dead-letter' : failed);
  failSpan(span, new Error(result.reason), result.code);
}

/** The attributes every span of a stage carries. */
function stageAttributes(route: ResolvedRoute, envelope: Envelope, step: string, kind: string, adapter: string | undefined) {
  return {
    [TRACE_ATTR.route]: route.name,
    [TRACE_ATTR.step]: step,
    [TRACE_ATTR.stepKind]: kind,
    [TRACE_ATTR.attempt]: envelope.attempt,
    ...(adapter === undefined ? {} : { [TRACE_ATTR.adapter]: adapter }),
    ...subjectAttributes(envelope.type, envelope.subject),
  };
}

/** How a delivery that was acked ended when it was not delivered: for its trace span. */
interface SettledAs {
  outcome?: 'rejected' | 'voided';
  code?: string;
  reason?: string;
}

function handlerFor(route: ResolvedRoute, pipeline: Pipeline, deps: RouteRunnerDeps): (delivery: Delivery, settled?: SettledAs) => Promise<HandlerResult> {
  return async (delivery: Delivery, settled: SettledAs = {}): Promise<HandlerResult> => {
    const envelope = delivery.envelope;
    const log = messageLog(deps.logger, envelope, route.name);
    if (route.ordered && envelope.subject !== null && envelope.sequence !== null) {
      if (await deps.resequencer.isVoided(envelope.subject, envelope.sequence, envelope.createdAt)) {
        // Its intake died before confirming it (the caller got no 202 and sent it again); a successor voided it.
        log.warn({ code: 'SEQUENCE_VOIDED' }, 'late copy of a message that was never accepted; not delivered');
        await deps.ledger.delivery(route, envelope).voided();
        Object.assign(settled, { outcome: 'voided', code: 'SEQUENCE_VOIDED', reason: 'never accepted' });
        return { outcome: 'ack' };
      }
      const ready = await deps.resequencer.waitForPredecessor(envelope.subject, envelope.sequence);
      if (!ready) {
        return { outcome: 'retry', code: 'WAITING_FOR_PREDECESSOR', reason: `message ${envelope.sequence - 1} of this subject has not settled`, countAttempt: false };
      }
    }
    const fate = deps.ledger.delivery(route, envelope);
    // A first delivery asks the effect log now, in the same turn as the ledger's "in progress", so both go to the
    // store in one round trip instead of one each.
    const lookup = beginEffectLookup(effectKey(route.name, pipeline.delivery.name, envelope), deps.effects, !delivery.redelivered && delivery.history.length === 0);
    try {
      const result = await runPipeline(route, pipeline, delivery, deps, log, fate, lookup);
      if (result.outcome === 'ack') await (pipeline.delivery.fansOut === true ? fate.fannedOut() : fate.delivered());
      else await fate.failed(result.code, result.reason);
      return result;
    } catch (error) {
      if (!(error instanceof MessageRejectedError)) {
        await fate.abandoned();
        throw error;
      }
      await fate.rejected(error.code, error.message);
      Object.assign(settled, { outcome: 'rejected', code: error.code, reason: error.message });
      return { outcome: 'ack' };
    } finally {
      lookup.end();
    }
  };
}

const STEP_RECORD: Record<StepKind, AuditStep> = {
  validate: 'validated',
  transform: 'transformed',
  enrich: 'enriched',
};

/** The pipeline's stages in order, each recorded under its name, then its delivery. */
async function runPipeline(
  route: ResolvedRoute,
  pipeline: Pipeline,
  delivery: Delivery,
  deps: RouteRunnerDeps,
  log: MessageLog,
  fate: DeliveryLedger,
  lookup: EffectLookup,
): Promise<HandlerResult> {
  let working: unknown = pipeline.read(delivery.envelope.payload);
  for (const stage of pipeline.stages) {
    const attributes = () => ({ attributes: stageAttributes(route, delivery.envelope, stage.name, stage.kind, stage.upstream) });
    const failure = await withSpan(`step ${stage.name}`, attributes, async (span) => {
      const timer = deps.metrics.stepSeconds.startTimer({ route: route.name, step: stage.kind });
      const started = performance.now();
      try {
        const input = working;
        if (stage.upstream === undefined) {
          working = await withCallDeadline(UNGUARDED_STEP_MS, [], async (deadline) => stage.run(input, new CallContext(delivery.envelope, deadline)));
        } else {
          const result = await callUpstream(stage.upstream, deps.breakers.get(stage.upstream), (deadline) => stage.run(input, new CallContext(delivery.envelope, deadline)), route, deps, log);
          if (!result.ok) {
            settleSpan(span, result.outcome);
            return result.outcome;
          }
          working = result.value;
        }
      } catch (error) {
        if (error instanceof MessageRejectedError) rejectSpan(span, error);
        throw error;
      } finally {
        timer();
      }
      settleSpan(span, null);
      fate.note(STEP_RECORD[stage.kind], 'ok', Math.round(performance.now() - started), stage.name);
      return null;
    });
    if (failure) return failure;
  }
  const target = pipeline.delivery;
  const attributes = () => ({ attributes: stageAttributes(route, delivery.envelope, target.name, 'deliver', target.upstream ?? target.name) });
  return withSpan(`deliver ${target.name}`, attributes, async (span) => {
    const timer = deps.metrics.stepSeconds.startTimer({ route: route.name, step: 'deliver' });
    const started = performance.now();
    try {
      const result = await deliverOnce(route, pipeline, delivery, working, deps, log, lookup);
      settleSpan(span, result);
      if (result) return result;
    } catch (error) {
      if (error instanceof MessageRejectedError) rejectSpan(span, error);
      throw error;
    } finally {
      timer();
    }
    fate.note('delivered', 'ok', Math.round(performance.now() - started), target.name);
    return { outcome: 'ack' };
  });
}

/** A final business answer (a refusal of the message): outcome rejected, with its code. */
function rejectSpan(span: Span | undefined, error: MessageRejectedError): void {
  span?.setAttribute(TRACE_ATTR.outcome, 'rejected');
  failSpan(span, error, error.code);
}

/** The time a stage that calls no upstream may take (mapping, validation: milliseconds in practice). */
const UNGUARDED_STEP_MS = 30_000;

/**
 * A stage's context: its deadline's signal is made only if the stage reads it. A mapping never does, nor a step that
 * finds its answer without its upstream (a kept catalogue entry).
 */
class CallContext implements StageContext {
  constructor(
    readonly envelope: Envelope,
    private readonly deadline: CallDeadline,
  ) {}

  get signal(): AbortSignal {
    return this.deadline.signal;
  }
}

/** The time an upstream call without a breaker of its own may take; it also bounds how long an abandoned one may run. */
const UNGUARDED_CALL_MS = 30_000;

/**
 * A failed call either got an answer (a refusal, a 5xx: the upstream finished with it) or did not (`unanswered`:
 * timed out, connection cut, an unexpected client failure), in which case the upstream may still carry it out.
 */
type UpstreamCall<T> = { ok: true; value: T } | { ok: false; outcome: HandlerResult; unanswered: boolean };


/** Calls an upstream through its breaker and turns every failure into the right settlement. */
async function callUpstream<T>(
  upstream: string,
  breaker: UpstreamBreaker | undefined,
  work: (deadline: CallDeadline) => Promise<T>,
  route: ResolvedRoute,
  deps: RouteRunnerDeps,
  log: MessageLog,
): Promise<UpstreamCall<T>> {
  try {
    const value = breaker ? await breaker.call(work) : await withCallDeadline(UNGUARDED_CALL_MS, [], work);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof MessageRejectedError) throw error;
    if (isBreakerOpen(error)) {
      deps.metrics.failed.inc({ route: route.name, code: 'BREAKER_OPEN' });
      return { ok: false, unanswered: false, outcome: { outcome: 'retry', code: 'BREAKER_OPEN', reason: `circuit to ${upstream} is open`, countAttempt: false } };
    }
    const unanswered = !isUpstreamError(error) || leftUnanswered(error.kind);
    const code = isUpstreamError(error) ? error.code : 'UPSTREAM_ERROR';
    const reason = error instanceof Error ? error.message : String(error);
    deps.metrics.failed.inc({ route: route.name, code });
    log.warn({ code, upstream, reason: loggableText(reason) }, 'upstream call failed');
    if (isUpstreamError(error) && !error.transient) return { ok: false, unanswered, outcome: { outcome: 'dead-letter', code, reason } };
    // A failure the upstream's breaker judged an outage (consecutive failures, a failed probe, an open circuit; also
    // an inner breaker of the adapter's own) is not this message's fault: it waits without using up its attempts, so
    // an outage of any length ends in delivery; only the message's own failures count.
    const outage = failedDuringOutage(error) || breaker?.state() === 'open';
    return { ok: false, unanswered, outcome: { outcome: 'retry', code, reason, countAttempt: !outage } };
  }
}

/**
 * Deliveries of one effect key under way in this process. After a lost connection the broker may hand a message
 * out again while its first delivery is still talking to the upstream: the second waits for the first (eager
 * idempotent consumer) instead of repeating the call.
 */
const inFlightEffects = new Map<string, Promise<HandlerResult | null>>();

/**
 * Deliveries of each effect key under way in this process (from their start, before their steps), and how many have
 * begun while any was under way: an answer of the effect log read when a delivery began still holds when it acts only
 * if no other delivery of that key in this process was under way then or has begun since. A redelivery or a retry
 * reads the log when it acts, as an earlier delivery elsewhere may record its effect meanwhile.
 */
const deliveriesOfEffect = new Map<string, { underWay: number; begun: number }>();

/** The effect log's answer for one delivery's key, read when the delivery began. */
interface EffectLookup {
  /** Whether the effect was recorded, if that answer still holds now; null when it must be read again. */
  answer(): Promise<boolean | null>;
  /** The delivery has ended (called once, when its handler returns). */
  end(): void;
}

/** For the delivery of `key` that begins: reads now whether its effect is recorded, if `firstDelivery`. */
function beginEffectLookup(key: string, effects: EffectLog, firstDelivery: boolean): EffectLookup {
  const entry = deliveriesOfEffect.get(key) ?? { underWay: 0, begun: 0 };
  deliveriesOfEffect.set(key, entry);
  entry.underWay += 1;
  entry.begun += 1;
  const alone = entry.underWay === 1;
  const begun = entry.begun;
  // A failed read is read again when the delivery acts (where a store away is reported as such).
  const read: Promise<boolean | null> = alone && firstDelivery ? effects.isDone(key).catch(() => null) : Promise.resolve(null);
  return {
    answer: async () => {
      const done = await read;
      return entry.begun === begun ? done : null;
    },
    end: () => {
      entry.underWay -= 1;
      if (entry.underWay === 0) deliveriesOfEffect.delete(key);
    },
  };
}

async function deliverOnce(
  route: ResolvedRoute,
  pipeline: Pipeline,
  delivery: Delivery,
  working: unknown,
  deps: RouteRunnerDeps,
  log: MessageLog,
  lookup: EffectLookup,
): Promise<HandlerResult | null> {
  const key = effectKey(route.name, pipeline.delivery.name, delivery.envelope);
  for (let running = inFlightEffects.get(key); running; running = inFlightEffects.get(key)) await running.catch(() => null);
  // Nothing awaits between the wait's end and the attempt's entry in inFlightEffects, so a delivery arriving meanwhile
  // waits for this attempt: the early answer is awaited inside it. (An attempt waited for was another delivery's of
  // the same key, under way when this one began or begun since: the early answer does not hold then.)
  const attempt = performOnce(key, route, pipeline, delivery, working, deps, log, lookup);
  inFlightEffects.set(key, attempt);
  try {
    return await attempt;
  } finally {
    if (inFlightEffects.get(key) === attempt) inFlightEffects.delete(key);
  }
}

async function performOnce(
  key: string,
  route: ResolvedRoute,
  pipeline: Pipeline,
  delivery: Delivery,
  working: unknown,
  deps: RouteRunnerDeps,
  log: MessageLog,
  lookup: EffectLookup,
): Promise<HandlerResult | null> {
  if ((await lookup.answer()) ?? (await deps.effects.isDone(key))) {
    deps.metrics.duplicatesSkipped.inc({ route: route.name });
    log.info({ code: 'EFFECT_ALREADY_DONE' }, 'redelivered message: upstream effect already recorded, not repeated');
    return null;
  }
  const target = pipeline.delivery;
  const upstream = target.upstream ?? target.name;
  const breaker = deps.breakers.get(upstream);
  const context = (deadline: CallDeadline): StageContext => new CallContext(delivery.envelope, deadline);
  if (target.alreadyApplied && mayHaveReachedUpstream(delivery)) {
    // An earlier attempt may have acted without its record being written (the process died, or the answer was lost
    // or came too late): an upstream that takes no idempotency key is asked before it is sent the same thing again.
    // An abandoned call may still be under way at the upstream, so it is asked only once that call must be over.
    const settleMs = breaker?.abandonedCallSettleMs ?? target.abandonedCallSettleMs ?? UNGUARDED_CALL_MS;
    const pendingMs = abandonedCallPendingMs(delivery.history, settleMs);
    if (pendingMs > 0) {
      log.info({ code: 'ABANDONED_CALL_PENDING', upstream, pendingMs }, 'an earlier call got no answer; looked up once the upstream must have finished it');
      return {
        outcome: 'retry',
        code: 'ABANDONED_CALL_PENDING',
        reason: `an earlier call to ${upstream} got no answer; it is looked up once ${upstream} must have finished it (in ${pendingMs} ms)`,
        countAttempt: false,
      };
    }
    const alreadyApplied = target.alreadyApplied.bind(target);
    const found = await callUpstream(upstream, breaker, (deadline) => alreadyApplied(working, context(deadline)), route, deps, log);
    if (!found.ok) return found.outcome;
    if (found.value) {
      await recordEffect(deps.effects, key, delivery.envelope.id, log);
      deps.metrics.effectsFoundUpstream.inc({ route: route.name });
      log.info({ code: 'EFFECT_FOUND_UPSTREAM' }, 'the upstream already holds the effect of an earlier attempt; not repeated');
      return null;
    }
  }
  const result = await callUpstream(upstream, breaker, (deadline) => target.deliver(working, context(deadline)), route, deps, log);
  if (!result.ok) return result.unanswered && result.outcome.outcome === 'retry' ? { ...result.outcome, unanswered: true } : result.outcome;
  await recordEffect(deps.effects, key, delivery.envelope.id, log);
  return null;
}

/**
 * How much longer the latest abandoned call of this message (`unanswered` in its history) may still be carried out
 * by the upstream, given how long the upstream may take over a call (`settleMs`); 0 once it must be over.
 */
export function abandonedCallPendingMs(history: readonly DeliveryFailure[], settleMs: number, now = Date.now()): number {
  for (let i = history.length - 1; i >= 0; i--) {
    const failure = history[i]!;
    if (failure.unanswered === true) return Math.max(0, Date.parse(failure.at) + settleMs - now);
  }
  return 0;
}

/** Retries that certainly stopped before any upstream call: the message waited for its turn or for a closed circuit. */
const NEVER_CALLED_UPSTREAM = new Set(['WAITING_FOR_PREDECESSOR', 'BREAKER_OPEN']);

/** A redelivery (the outcome of a handout was never learnt) or a retry after a failure that may have followed the call. */
function mayHaveReachedUpstream(delivery: Delivery): boolean {
  return delivery.redelivered || delivery.history.some((failure) => !NEVER_CALLED_UPSTREAM.has(failure.code));
}

/**
 * The upstream has acted: its record must be written before anything else happens to this delivery, or a retry
 * would act again. While the store is unreachable the delivery keeps its place and the write is tried again.
 */
async function recordEffect(effects: EffectLog, key: string, messageId: string, log: MessageLog): Promise<void> {
  await persist(() => effects.markDone(key, messageId), {
    onRetry: () => log.warn({ code: 'EFFECT_LOG_UNAVAILABLE' }, 'upstream effect done but not yet recorded; trying again'),
  });
}
