// The console's traffic page in numbers: the audit records of a window counted into equal time buckets — messages
// received and delivered per route, upstream calls and their latency percentiles, failed tries and refusals by code,
// dead letters added, replayed and outstanding — with each upstream's breaker state per bucket.
import type { AuditActivity } from '../../audit';
import type { BreakerState } from '../../messaging/breaker';
import type { BreakerChange } from '../../messaging/upstream-directory';

export interface TrafficWindow {
  /** Start of the first bucket (ms since the epoch), a multiple of bucketMs. */
  from: number;
  /** End of the last bucket (exclusive). */
  to: number;
  bucketMs: number;
}

export interface TrafficUpstream {
  upstream: string;
  displayName: string;
  state: BreakerState;
  history: readonly BreakerChange[];
}

export interface TrafficInputs {
  window: TrafficWindow;
  records: readonly AuditActivity[];
  truncated: boolean;
  upstreams: readonly TrafficUpstream[];
  /** Which upstream a route's stage calls (undefined: none, or the stage guards its own calls). */
  upstreamOf(route: string, stage: string): string | undefined;
  /** Dead letters waiting for replay now. */
  deadLettersNow: number;
}

export interface CodeCount {
  code: string;
  count: number;
}

export interface Percentiles {
  calls: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface TrafficReport {
  from: string;
  to: string;
  bucketSeconds: number;
  buckets: string[];
  truncated: boolean;
  routes: { route: string; received: number[]; delivered: number[]; failed: number[]; deadLettered: number[] }[];
  upstreams: {
    upstream: string;
    displayName: string;
    state: BreakerState;
    calls: number[];
    p50: (number | null)[];
    p95: (number | null)[];
    p99: (number | null)[];
    states: BreakerState[];
    window: Percentiles;
  }[];
  errors: { total: number[]; byCode: CodeCount[] };
  refusals: { total: number[]; byCode: CodeCount[] };
  deadLetters: { added: number[]; replayed: number[]; outstanding: number[]; current: number };
}

/** Steps whose record times one upstream call (the stage's duration): enrichers and deliveries. */
const CALL_STEPS = new Set(['validated', 'transformed', 'enriched', 'delivered']);

/** Worse states win when a breaker went through several in one bucket. */
const SEVERITY: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export function trafficReport(input: TrafficInputs): TrafficReport {
  const { from, to, bucketMs } = input.window;
  const count = Math.max(1, Math.ceil((to - from) / bucketMs));
  const zeros = (): number[] => new Array<number>(count).fill(0);
  const bucketOf = (at: string): number | null => {
    const t = Date.parse(at);
    if (Number.isNaN(t) || t < from || t >= to) return null;
    return Math.floor((t - from) / bucketMs);
  };

  const routes = new Map<string, { received: number[]; delivered: number[]; failed: number[]; deadLettered: number[] }>();
  const routeOf = (name: string) => {
    let r = routes.get(name);
    if (!r) routes.set(name, (r = { received: zeros(), delivered: zeros(), failed: zeros(), deadLettered: zeros() }));
    return r;
  };
  const durations = new Map<string, number[][]>();
  const errors = zeros();
  const errorCodes = new Map<string, number>();
  const refusals = zeros();
  const refusalCodes = new Map<string, number>();
  const added = zeros();
  const replayed = zeros();

  for (const record of input.records) {
    const b = bucketOf(record.at);
    if (b === null) continue;
    const route = record.route;
    switch (record.step) {
      case 'received':
        if (route) routeOf(route).received[b]! += 1;
        break;
      case 'failed':
        errors[b]! += 1;
        bump(errorCodes, record.errorCode);
        if (route) routeOf(route).failed[b]! += 1;
        break;
      case 'rejected':
        refusals[b]! += 1;
        bump(refusalCodes, record.errorCode);
        break;
      case 'dead-lettered':
        added[b]! += 1;
        if (route) routeOf(route).deadLettered[b]! += 1;
        break;
      case 'replayed':
        replayed[b]! += 1;
        break;
      default:
        break;
    }
    if (record.step === 'delivered' && route) routeOf(route).delivered[b]! += 1;
    if (CALL_STEPS.has(record.step) && record.outcome === 'ok' && route && record.stage && record.durationMs !== null) {
      const upstream = input.upstreamOf(route, record.stage);
      if (upstream === undefined) continue;
      let perBucket = durations.get(upstream);
      if (!perBucket) durations.set(upstream, (perBucket = Array.from({ length: count }, () => [])));
      perBucket[b]!.push(record.durationMs);
    }
  }

  // Outstanding dead letters, counted back from now: each later addition was not there yet, each later replay was.
  const outstanding = zeros();
  let level = input.deadLettersNow;
  for (let b = count - 1; b >= 0; b -= 1) {
    outstanding[b] = Math.max(0, level);
    level = level - added[b]! + replayed[b]!;
  }

  const buckets = Array.from({ length: count }, (_, i) => new Date(from + i * bucketMs).toISOString());
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    bucketSeconds: Math.round(bucketMs / 1000),
    buckets,
    truncated: input.truncated,
    routes: [...routes.entries()]
      .map(([route, series]) => ({ route, ...series }))
      .sort((a, b) => sum(b.received) - sum(a.received) || a.route.localeCompare(b.route)),
    upstreams: input.upstreams.map((u) => {
      const perBucket = durations.get(u.upstream) ?? Array.from({ length: count }, () => []);
      const sorted = perBucket.map((list) => [...list].sort((x, y) => x - y));
      const all = sorted.flat().sort((x, y) => x - y);
      return {
        upstream: u.upstream,
        displayName: u.displayName,
        state: u.state,
        calls: sorted.map((list) => list.length),
        p50: sorted.map((list) => percentile(list, 0.5)),
        p95: sorted.map((list) => percentile(list, 0.95)),
        p99: sorted.map((list) => percentile(list, 0.99)),
        states: breakerStates(u.history, u.state, from, bucketMs, count),
        window: { calls: all.length, p50: percentile(all, 0.5), p95: percentile(all, 0.95), p99: percentile(all, 0.99) },
      };
    }),
    errors: { total: errors, byCode: byCount(errorCodes) },
    refusals: { total: refusals, byCode: byCount(refusalCodes) },
    deadLetters: { added, replayed, outstanding, current: input.deadLettersNow },
  };
}

/** Nearest-rank percentile of sorted values; null when there are none. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * The worst state the breaker was in during each bucket. Before the first change kept, its state is that change's
 * (the state it was created in); the bus may not have run then, which the page says.
 */
function breakerStates(history: readonly BreakerChange[], now: BreakerState, from: number, bucketMs: number, count: number): BreakerState[] {
  const changes = history.length > 0 ? history : [{ at: from, state: now }];
  const states: BreakerState[] = [];
  let i = 0;
  let current: BreakerState = changes[0]!.state;
  for (let b = 0; b < count; b += 1) {
    const start = from + b * bucketMs;
    const end = start + bucketMs;
    while (i < changes.length && changes[i]!.at <= start) current = changes[i++]!.state;
    let worst = current;
    while (i < changes.length && changes[i]!.at < end) {
      current = changes[i++]!.state;
      if (SEVERITY[current] > SEVERITY[worst]) worst = current;
    }
    states.push(worst);
  }
  return states;
}

function bump(counts: Map<string, number>, code: string | null): void {
  const key = code ?? 'UNKNOWN';
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function byCount(counts: Map<string, number>): CodeCount[] {
  return [...counts.entries()].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
