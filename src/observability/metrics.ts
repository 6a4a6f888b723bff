// Prometheus metrics of the bus (prom-client): message counts per route and outcome, step latency, queue depth,
// outbox size and breaker state.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TransportStats } from '../transport/transport';

export class BusMetrics {
  readonly registry = new Registry();
  readonly accepted = new Counter({ name: 'lgsp_messages_accepted_total', help: 'Messages accepted at intake (answered 202)', labelNames: ['route', 'type'], registers: [this.registry] });
  readonly refused = new Counter({ name: 'lgsp_intake_refused_total', help: 'Intake requests refused, by error code', labelNames: ['code'], registers: [this.registry] });
  readonly delivered = new Counter({ name: 'lgsp_messages_delivered_total', help: 'Messages whose route completed', labelNames: ['route'], registers: [this.registry] });
  readonly failed = new Counter({ name: 'lgsp_messages_failed_total', help: 'Failed delivery attempts, by error code', labelNames: ['route', 'code'], registers: [this.registry] });
  readonly rejected = new Counter({ name: 'lgsp_messages_rejected_total', help: 'Messages settled as rejected (a final business answer)', labelNames: ['route', 'code'], registers: [this.registry] });
  readonly retried = new Counter({ name: 'lgsp_messages_retried_total', help: 'Messages sent to a broker-side delay for another attempt', labelNames: ['route'], registers: [this.registry] });
  readonly deadLettered = new Counter({ name: 'lgsp_messages_dead_lettered_total', help: 'Messages moved to the dead-letter channel', labelNames: ['route', 'code'], registers: [this.registry] });
  readonly replayed = new Counter({ name: 'lgsp_messages_replayed_total', help: 'Dead letters put back on their route', labelNames: ['route'], registers: [this.registry] });
  readonly duplicatesSkipped = new Counter({ name: 'lgsp_effects_skipped_total', help: 'Redelivered messages whose upstream effect was already done', labelNames: ['route'], registers: [this.registry] });
  readonly stepSeconds = new Histogram({
    name: 'lgsp_step_duration_seconds',
    help: 'Duration of each route step',
    labelNames: ['route', 'step'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly brokerConnections = new Counter({ name: 'lgsp_broker_connection_events_total', help: 'Broker connection events (connected, disconnected, reconnect-failed)', labelNames: ['event'], registers: [this.registry] });
  readonly breakerState = new Gauge({ name: 'lgsp_breaker_state', help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open', labelNames: ['upstream'], registers: [this.registry] });
  private readonly queueDepth = new Gauge({ name: 'lgsp_queue_depth', help: 'Messages waiting per route', labelNames: ['route'], registers: [this.registry] });
  private readonly outboxSize = new Gauge({ name: 'lgsp_outbox_size', help: 'Published messages not yet confirmed durable', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'lgsp_' });
  }

  setTransportStats(stats: TransportStats): void {
    for (const [route, depth] of Object.entries(stats.queueDepth)) if (depth >= 0) this.queueDepth.set({ route }, depth);
    this.outboxSize.set(stats.outboxSize);
  }
}
