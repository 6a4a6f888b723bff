// Pipes each delivery through its route's steps (validate, transform, enrich, deliver) as an idempotent consumer:
// an upstream effect already recorded for this message is not performed again.
import type { ResolvedRoute } from '../config/load-config';
import type { Envelope, JsonValue } from '../envelope/envelope';
import type { Logger } from '../observability/logger';
import type { BusMetrics } from '../observability/metrics';
import { isBreakerOpen, type UpstreamBreaker } from '../resilience/breaker';
import type { EffectLog } from '../stores/stores';
import type { Delivery, DeliveryHandler, HandlerResult } from '../transport/transport';
import { isUpstreamError } from './adapter';
import type { StepRegistry } from './step-registry';

export interface RouteRunnerDeps {
  registry: StepRegistry;
  effects: EffectLog;
  breakers: ReadonlyMap<string, UpstreamBreaker>;
  metrics: BusMetrics;
  logger: Logger;
}

export function effectKey(route: string, adapter: string, envelope: Envelope): string {
  return `deliver:${route}:${adapter}:${envelope.id}`;
}

export function createRouteHandler(route: ResolvedRoute, deps: RouteRunnerDeps): DeliveryHandler {
  return async (delivery: Delivery): Promise<HandlerResult> => {
    const log = deps.logger.child({
      messageId: delivery.envelope.id,
      correlationId: delivery.envelope.correlationId,
      route: route.name,
      attempt: delivery.envelope.attempt,
    });
    let working: Envelope = delivery.envelope;
    for (const step of route.steps) {
      const timer = deps.metrics.stepSeconds.startTimer({ route: route.name, step: step.kind });
      try {
        switch (step.kind) {
          case 'validate': {
            const problems = deps.registry.validate(step.schema, working.payload);
            if (problems.length > 0) {
              log.warn({ code: 'VALIDATION_FAILED', fields: problems.map((p) => p.field) }, 'message failed validation on its route');
              return { outcome: 'dead-letter', code: 'VALIDATION_FAILED', reason: `invalid fields: ${problems.map((p) => p.field).join(', ')}` };
            }
            break;
          }
          case 'transform': {
            const transform = deps.registry.transformers.get(step.transformer);
            if (!transform) return { outcome: 'dead-letter', code: 'NO_TRANSFORMER', reason: `no transformer ${step.transformer}` };
            working = withPayload(working, transform(working));
            break;
          }
          case 'enrich': {
            const enrich = deps.registry.enrichers.get(step.enricher);
            if (!enrich) return { outcome: 'dead-letter', code: 'NO_ENRICHER', reason: `no enricher ${step.enricher}` };
            working = withPayload(working, await enrich(working, AbortSignal.timeout(30_000)));
            break;
          }
          case 'deliver': {
            const result = await deliverOnce(route, step.adapter, delivery.envelope, working, deps, log);
            if (result) return result;
            break;
          }
        }
      } finally {
        timer();
      }
    }
    deps.metrics.delivered.inc({ route: route.name });
    return { outcome: 'ack' };
  };
}

/**
 * Deliveries of one effect key under way in this process. After a lost connection the broker may hand a message
 * out again while its first delivery is still talking to the upstream: the second waits for the first (eager
 * idempotent consumer) instead of repeating the call.
 */
const inFlightEffects = new Map<string, Promise<HandlerResult | null>>();

async function deliverOnce(
  route: ResolvedRoute,
  adapterName: string,
  original: Envelope,
  working: Envelope,
  deps: RouteRunnerDeps,
  log: Logger,
): Promise<HandlerResult | null> {
  const key = effectKey(route.name, adapterName, original);
  for (let running = inFlightEffects.get(key); running; running = inFlightEffects.get(key)) await running.catch(() => null);
  const attempt = performOnce(key, route, adapterName, original, working, deps, log);
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
  adapterName: string,
  original: Envelope,
  working: Envelope,
  deps: RouteRunnerDeps,
  log: Logger,
): Promise<HandlerResult | null> {
  if (await deps.effects.isDone(key)) {
    deps.metrics.duplicatesSkipped.inc({ route: route.name });
    log.info({ code: 'EFFECT_ALREADY_DONE' }, 'redelivered message: upstream effect already recorded, not repeated');
    return null;
  }
  const adapter = deps.registry.adapter(adapterName);
  const breaker = deps.breakers.get(adapterName);
  try {
    if (breaker) await breaker.call((signal) => adapter.deliver(working, signal));
    else await adapter.deliver(working, AbortSignal.timeout(30_000));
  } catch (error) {
    if (isBreakerOpen(error)) {
      deps.metrics.failed.inc({ route: route.name, code: 'BREAKER_OPEN' });
      return { outcome: 'retry', code: 'BREAKER_OPEN', reason: `circuit to ${adapterName} is open`, countAttempt: false };
    }
    const code = isUpstreamError(error) ? error.code : 'DELIVERY_ERROR';
    const reason = error instanceof Error ? error.message : String(error);
    deps.metrics.failed.inc({ route: route.name, code });
    log.warn({ code, adapter: adapterName }, 'delivery attempt failed');
    if (isUpstreamError(error) && !error.transient) return { outcome: 'dead-letter', code, reason };
    return { outcome: 'retry', code, reason };
  }
  await deps.effects.markDone(key, original.id);
  return null;
}

function withPayload(envelope: Envelope, payload: JsonValue): Envelope {
  // The digest keeps describing the accepted payload; transformed payloads live only within this delivery.
  return { ...envelope, payload };
}
