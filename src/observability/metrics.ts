// Prometheus metrics of the bus (prom-client): message counts per route and outcome, step and upstream call latency,
// queue depth, dead letters, the oldest waiting message against its route's deadline, breaker state and audit
// writability. Label values are routes, types, codes, outcomes and upstream names: never personal data. Node's process
// metrics keep their conventional names (process_*, nodejs_*) so the usual dashboards and alerts find them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';
import type { TransportStats } from '../transport/transport';

/**
 * An error code as a label value. Codes may come from an upstream's answer (DVCQG's error_code), so anything that is
 * not a short identifier, or that holds a run of digits as long as a CMND/CCCD number, is counted as OTHER: no
 * personal data and no unbounded label set in the metrics.
 */
export function codeLabel(code: string | number | undefined): string {
  const text = String(code ?? '');
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(text) && !/\d{9}/.test(text) ? text : 'OTHER';
}

/** A counter labelled with an error code, which goes through codeLabel on every increment. */
class CodeCounter<T extends string> {
  private readonly counter: Counter<T | 'code'>;
  constructor(configuration: ConstructorParameters<typeof Counter<T | 'code'>>[0]) {
    this.counter = new Counter(configuration);
  }

  inc(labels: LabelValues<T | 'code'>, value?: number): void {
    this.counter.inc({ ...labels, code: codeLabel(labels.code) }, value);
  }

  get(): ReturnType<Counter<T | 'code'>['get']> {
    return this.counter.get();
  }
}

export class BusMetrics {
  readonly registry = new Registry();
  readonly accepted = new Counter({ name: 'lgsp_messages_accepted_total', help: 'Messages accepted at intake (answered 202)', labelNames: ['route', 'type'], registers: [this.registry] });
  /** Counted where the refusal's audit record is written (refusal recorder, admin actions): the same set the trail holds. */
  readonly refused = new CodeCounter({
    name: 'lgsp_intake_refused_total',
    help: 'Calls refused or failed with an error code and recorded in the audit trail (rejected, admin.denied, admin actions not ok), by error code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  /** Not audited: a scanner would otherwise grow the signed trail without limit. */
  readonly unauthenticatedProbes = new Counter({ name: 'lgsp_unauthenticated_probes_total', help: 'Calls without credentials to paths the bus does not serve (404), counted and not audited', registers: [this.registry] });
  readonly delivered = new Counter({ name: 'lgsp_messages_delivered_total', help: 'Messages whose route completed', labelNames: ['route'], registers: [this.registry] });
  readonly failed = new CodeCounter({ name: 'lgsp_messages_failed_total', help: 'Failed delivery attempts, by error code', labelNames: ['route', 'code'], registers: [this.registry] });
  readonly rejected = new CodeCounter({ name: 'lgsp_messages_rejected_total', help: 'Messages settled as rejected (a final business answer)', labelNames: ['route', 'code'], registers: [this.registry] });
  readonly retried = new Counter({ name: 'lgsp_messages_retried_total', help: 'Messages sent to a broker-side delay for another attempt', labelNames: ['route'], registers: [this.registry] });
  readonly deadLettered = new CodeCounter({ name: 'lgsp_messages_dead_lettered_total', help: 'Messages moved to the dead-letter channel', labelNames: ['route', 'code'], registers: [this.registry] });
  readonly replayed = new Counter({ name: 'lgsp_messages_replayed_total', help: 'Dead letters put back on their route', labelNames: ['route'], registers: [this.registry] });
  readonly duplicatesSkipped = new Counter({ name: 'lgsp_effects_skipped_total', help: 'Redelivered messages whose upstream effect was already done', labelNames: ['route'], registers: [this.registry] });
  readonly idempotentReplays = new Counter({ name: 'lgsp_idempotent_replays_total', help: 'Requests sent again with an Idempotency-Key already accepted, answered as before', labelNames: ['route'], registers: [this.registry] });
  readonly effectsFoundUpstream = new Counter({ name: 'lgsp_effects_found_upstream_total', help: 'Deliveries in doubt whose effect the upstream already held (not sent again)', labelNames: ['route'], registers: [this.registry] });
  readonly pruned = new Counter({ name: 'lgsp_store_pruned_total', help: 'Rows deleted by store retention (effect records, Idempotency-Keys) past their window', labelNames: ['kind'], registers: [this.registry] });
  readonly stepSeconds = new Histogram({
    name: 'lgsp_step_duration_seconds',
    help: 'Duration of each route step',
    labelNames: ['route', 'step'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly brokerConnections = new Counter({ name: 'lgsp_broker_connection_events_total', help: 'Broker connection events (connected, disconnected, reconnect-failed)', labelNames: ['event'], registers: [this.registry] });
  readonly upstreamCallSeconds = new Histogram({
    name: 'lgsp_upstream_call_duration_seconds',
    help: 'Duration of each call to an upstream through its breaker, by outcome (ok, refused, failed, timeout, breaker_open)',
    labelNames: ['upstream', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly breakerState = new Gauge({ name: 'lgsp_breaker_state', help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open', labelNames: ['upstream'], registers: [this.registry] });
  private readonly queueDepth = new Gauge({ name: 'lgsp_queue_depth', help: 'Messages waiting per route', labelNames: ['route'], registers: [this.registry] });
  readonly largeBodiesInFlight = new Gauge({ name: 'lgsp_edoc_large_bodies_in_flight', help: 'Large edXML bodies being read, decoded and stored (capped by flows.edoc.largeBodies)', registers: [this.registry] });
  private readonly outboxSize = new Gauge({ name: 'lgsp_outbox_size', help: 'Published messages not yet confirmed durable', registers: [this.registry] });
  private readonly deadLetters = new Gauge({ name: 'lgsp_dead_letters', help: 'Dead letters not yet replayed, per route', labelNames: ['route'], registers: [this.registry] });
  private readonly oldestWaiting = new Gauge({
    name: 'lgsp_oldest_waiting_message_age_seconds',
    help: 'Age of the oldest message of the route not yet settled (accepted or in progress), 0 when none waits',
    labelNames: ['route'],
    registers: [this.registry],
  });
  private readonly routeDeadline = new Gauge({
    name: 'lgsp_route_deadline_seconds',
    help: "How long a message of the route may wait unsettled before the operations centre is warned (routes.yaml deadlineSeconds)",
    labelNames: ['route'],
    registers: [this.registry],
  });
  /** The configured routes: each has its gauges' series even at 0. */
  private readonly routeNames: readonly string[];
  private readonly auditWritable = new Gauge({ name: 'lgsp_audit_writable', help: 'Whether the audit trail can be written now (1) or not (0)', registers: [this.registry] });

  /** `routes`: every configured route with its deadline, so each route's series exist from the start (at 0). */
  constructor(routes: readonly { name: string; deadlineSeconds: number }[] = []) {
    collectDefaultMetrics({ register: this.registry });
    this.routeNames = routes.map((r) => r.name);
    for (const route of routes) {
      this.routeDeadline.set({ route: route.name }, route.deadlineSeconds);
      this.deadLetters.set({ route: route.name }, 0);
      this.oldestWaiting.set({ route: route.name }, 0);
    }
  }

  setTransportStats(stats: TransportStats): void {
    for (const [route, depth] of Object.entries(stats.queueDepth)) if (depth >= 0) this.queueDepth.set({ route }, depth);
    this.outboxSize.set(stats.outboxSize);
  }

  /** Dead letters per route; a configured route missing from `counts` has none. */
  setDeadLetters(counts: Readonly<Record<string, number>>): void {
    for (const route of new Set([...this.routeNames, ...Object.keys(counts)])) this.deadLetters.set({ route }, counts[route] ?? 0);
  }

  /** When the oldest unsettled message of each route was accepted; a configured route missing from `oldest` has none waiting. */
  setOldestWaiting(oldest: Readonly<Record<string, string>>, nowMs = Date.now()): void {
    for (const route of new Set([...this.routeNames, ...Object.keys(oldest)])) {
      const acceptedAt = oldest[route];
      const ageMs = acceptedAt === undefined ? 0 : nowMs - Date.parse(acceptedAt);
      this.oldestWaiting.set({ route }, Number.isFinite(ageMs) ? Math.max(0, ageMs) / 1000 : 0);
    }
  }

  setAuditWritable(writable: boolean): void {
    this.auditWritable.set(writable ? 1 : 0);
  }
}
