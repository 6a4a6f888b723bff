// The half-load phase's slow dossiers, traced to what the bus and the machine were doing while they waited. Dossiers
// over the threshold are joined into clusters by the time they were sent; each cluster is laid beside the bus's garbage
// collections (bench/bus-gc-probe.ts) and the timeline of its threads and the machine (bench/timeline.ts), and given
// the first cause that holds:
//   - a full collection: a mark-compact of the bus paused it from `gcBeforeMs` after the cluster's first dossier was
//     sent to `gcAfterMs` before its last (V8 marks on a helper thread for ~100 ms before the pause, taking the
//     second core from the path, and the dossiers sent during the pause wait it out);
//   - an I/O stall: some task of the machine was stalled on I/O (the kernel's pressure counter) for at least
//     `ioStallShare` of the cluster's span, and `excessShare` more of it than outside the clusters (PostgreSQL's and
//     RabbitMQ's commits wait for the disk, and the bus for their answers);
//   - PostgreSQL or RabbitMQ busy: either used at least `storesBusyCores` more of a core in the span than outside the
//     clusters (an autovacuum, a checkpoint, a queue's log compaction), and the bus waited for their answers;
//   - waiting for a core: the bus's main thread spent at least `coreWaitShare` of the span, and `excessShare` more
//     of it than outside the clusters, ready to run but without a core;
//   - the bus's loop busy: its main thread ran or waited for a core at least `busyShare` of the span, so it had no
//     idle turn and the dossiers queued in front of it;
//   - untraced: none of these.
// Each cluster also lists every condition that held (`held`), not only the first.
// Times are ms since the epoch; the figures it returns are relative to the phase's start.
import { percentile } from './load';
import type { TimelineSample } from './timeline';

export interface DossierTiming {
  sentAt: number;
  latencyMs: number;
}

export interface GcEvent {
  at: number;
  /** perf_hooks' NODE_PERFORMANCE_GC_*: 1 minor (scavenge), 4 major (mark-compact), 8 incremental, 16 weak callbacks. */
  kind: number;
  pauseMs: number;
}

const GC_MAJOR = 4;

export type TailCause = 'fullCollection' | 'ioStall' | 'storesBusy' | 'coreWait' | 'busLoopBusy' | 'untraced';

/**
 * Shares of a span of time: the bus's main thread on a core and waiting for one, its threads in cores, the machine
 * busy, and the machine with some task stalled on I/O or waiting for a core.
 */
export interface SpanShares {
  busMainRun: number | null;
  busMainWait: number | null;
  busAllThreadsCores: number | null;
  machineBusy: number | null;
  ioStall: number | null;
  cpuStall: number | null;
  /** Cores PostgreSQL's and RabbitMQ's processes used. */
  postgresCores: number | null;
  rabbitmqCores: number | null;
}

const NO_SHARES: SpanShares = {
  busMainRun: null,
  busMainWait: null,
  busAllThreadsCores: null,
  machineBusy: null,
  ioStall: null,
  cpuStall: null,
  postgresCores: null,
  rabbitmqCores: null,
};

export interface SlowCluster extends SpanShares {
  /** First and last dossier of the cluster sent, ms after the phase's start. */
  fromMs: number;
  toMs: number;
  /** Dossiers sent from the first to the last, and those of them over the threshold. */
  dossiers: number;
  slow: number;
  maxLatencyMs: number;
  fullCollections: number;
  longestPauseMs: number | null;
  /** Every condition that held, in the order they are tried. */
  held: TailCause[];
  cause: TailCause;
}

export interface TailTrace {
  thresholdMs: number;
  dossiers: number;
  slow: number;
  slowByCause: Record<TailCause, number>;
  clusters: number;
  fullCollections: number;
  /** The largest clusters (by slow dossiers), at most `keep`. */
  largest: SlowCluster[];
  /** The phase outside the clusters' spans, for comparison. */
  outside: SpanShares;
  /** The p99 of the dossiers not sent from `gcBeforeMs` before to `gcAfterMs` after a full collection's pause. */
  p99WithoutFullCollectionsMs: number | null;
}

export interface TailTraceOptions {
  phaseStart: number;
  dossiers: readonly DossierTiming[];
  gc: readonly GcEvent[];
  timeline: readonly TimelineSample[];
  thresholdMs?: number;
  joinGapMs?: number;
  gcBeforeMs?: number;
  gcAfterMs?: number;
  ioStallShare?: number;
  coreWaitShare?: number;
  excessShare?: number;
  storesBusyCores?: number;
  busyShare?: number;
  keep?: number;
}

/** A cumulative reading of the timeline at `at`, interpolated between the samples around it; null outside them. */
function cumulativeAt(timeline: readonly TimelineSample[], read: (sample: TimelineSample) => number, at: number): number | null {
  if (timeline.length === 0 || at < timeline[0]!.at || at > timeline[timeline.length - 1]!.at) return null;
  const hi = timeline.findIndex((s) => s.at >= at);
  if (hi <= 0) return read(timeline[Math.max(0, hi)]!);
  const a = timeline[hi - 1]!;
  const b = timeline[hi]!;
  return read(a) + ((read(b) - read(a)) * (at - a.at)) / (b.at - a.at);
}

/** The cumulative counters a span's shares come from. */
const COUNTERS = {
  mainRunMs: (s: TimelineSample) => s.mainRunMs,
  mainWaitMs: (s: TimelineSample) => s.mainWaitMs,
  allThreadsRunMs: (s: TimelineSample) => s.allThreadsRunMs,
  machineBusyTicks: (s: TimelineSample) => s.machineBusyTicks,
  machineTotalTicks: (s: TimelineSample) => s.machineTotalTicks,
  ioSomeStallMs: (s: TimelineSample) => s.ioSomeStallMs,
  cpuSomeStallMs: (s: TimelineSample) => s.cpuSomeStallMs,
  postgresCpuMs: (s: TimelineSample) => s.groupsCpuMs.postgres ?? 0,
  rabbitmqCpuMs: (s: TimelineSample) => s.groupsCpuMs.rabbitmq ?? 0,
};
type Counter = keyof typeof COUNTERS;

/**
 * The shares of one span [from, to], or of several taken together (the phase less the clusters), over the part of
 * them the timeline covers.
 */
function shares(timeline: readonly TimelineSample[], spans: readonly [number, number][]): SpanShares {
  let wall = 0;
  const sums = Object.fromEntries(Object.keys(COUNTERS).map((k) => [k, 0])) as Record<Counter, number>;
  const first = timeline[0]?.at ?? Infinity;
  const last = timeline[timeline.length - 1]?.at ?? -Infinity;
  for (const [spanFrom, spanTo] of spans) {
    const from = Math.max(spanFrom, first);
    const to = Math.min(spanTo, last);
    if (to <= from) continue;
    for (const counter of Object.keys(COUNTERS) as Counter[]) {
      const a = cumulativeAt(timeline, COUNTERS[counter], from);
      const b = cumulativeAt(timeline, COUNTERS[counter], to);
      if (a === null || b === null) return NO_SHARES;
      sums[counter] += b - a;
    }
    wall += to - from;
  }
  if (wall <= 0) return NO_SHARES;
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    busMainRun: r(sums.mainRunMs / wall),
    busMainWait: r(sums.mainWaitMs / wall),
    busAllThreadsCores: r(sums.allThreadsRunMs / wall),
    machineBusy: sums.machineTotalTicks > 0 ? r(sums.machineBusyTicks / sums.machineTotalTicks) : null,
    ioStall: r(sums.ioSomeStallMs / wall),
    cpuStall: r(sums.cpuSomeStallMs / wall),
    postgresCores: r(sums.postgresCpuMs / wall),
    rabbitmqCores: r(sums.rabbitmqCpuMs / wall),
  };
}

export function traceTail(options: TailTraceOptions): TailTrace {
  const { phaseStart, gc, timeline } = options;
  const thresholdMs = options.thresholdMs ?? 50;
  const joinGapMs = options.joinGapMs ?? 250;
  const gcBeforeMs = options.gcBeforeMs ?? 350;
  const gcAfterMs = options.gcAfterMs ?? 150;
  const ioStallShare = options.ioStallShare ?? 0.25;
  const coreWaitShare = options.coreWaitShare ?? 0.15;
  const excessShare = options.excessShare ?? 0.1;
  const storesBusyCores = options.storesBusyCores ?? 0.2;
  const busyShare = options.busyShare ?? 0.9;
  const dossiers = [...options.dossiers].sort((a, b) => a.sentAt - b.sentAt);
  const majors = gc.filter((e) => e.kind === GC_MAJOR && e.at >= phaseStart - gcAfterMs);
  const nearFullCollection = (sentAt: number) => majors.some((e) => sentAt >= e.at - gcBeforeMs && sentAt <= e.at + gcAfterMs);

  // Clusters of slow dossiers by the time they were sent.
  const groups: DossierTiming[][] = [];
  for (const d of dossiers) {
    if (d.latencyMs <= thresholdMs) continue;
    const last = groups[groups.length - 1];
    if (last && d.sentAt - last[last.length - 1]!.sentAt <= joinGapMs) last.push(d);
    else groups.push([d]);
  }
  const spans: [number, number][] = groups.map((g) => [g[0]!.sentAt, Math.max(...g.map((d) => d.sentAt + d.latencyMs))]);
  const phaseEnd = dossiers.length > 0 ? Math.max(...dossiers.map((d) => d.sentAt + d.latencyMs)) : phaseStart;
  const outsideSpans: [number, number][] = [];
  let cursor = phaseStart;
  for (const [from, to] of spans) {
    outsideSpans.push([cursor, from]);
    cursor = Math.max(cursor, to);
  }
  outsideSpans.push([cursor, phaseEnd]);
  const outside = shares(timeline, outsideSpans);

  const clusters: SlowCluster[] = groups.map((g, i) => {
    const [from, to] = spans[i]!;
    const first = g[0]!.sentAt;
    const lastSent = g[g.length - 1]!.sentAt;
    const inSpan = majors.filter((e) => e.at + gcAfterMs >= first && e.at - gcBeforeMs <= lastSent);
    const span = shares(timeline, [[from, to]]);
    const exceeds = (share: number | null, outsideShare: number | null, least: number) => share !== null && share >= least && share - (outsideShare ?? 0) >= excessShare;
    const held: TailCause[] = [];
    if (inSpan.length > 0) held.push('fullCollection');
    if (exceeds(span.ioStall, outside.ioStall, ioStallShare)) held.push('ioStall');
    const busier = (cores: number | null, outsideCores: number | null) => cores !== null && cores - (outsideCores ?? 0) >= storesBusyCores;
    if (busier(span.postgresCores, outside.postgresCores) || busier(span.rabbitmqCores, outside.rabbitmqCores)) held.push('storesBusy');
    if (exceeds(span.busMainWait, outside.busMainWait, coreWaitShare)) held.push('coreWait');
    if (span.busMainRun !== null && span.busMainWait !== null && span.busMainRun + span.busMainWait >= busyShare) held.push('busLoopBusy');
    const cause: TailCause = held[0] ?? 'untraced';
    return {
      fromMs: Math.round(first - phaseStart),
      toMs: Math.round(lastSent - phaseStart),
      dossiers: dossiers.filter((d) => d.sentAt >= first && d.sentAt <= lastSent).length,
      slow: g.length,
      maxLatencyMs: Math.round(Math.max(...g.map((d) => d.latencyMs)) * 10) / 10,
      fullCollections: inSpan.length,
      longestPauseMs: inSpan.length > 0 ? Math.round(Math.max(...inSpan.map((e) => e.pauseMs)) * 10) / 10 : null,
      ...span,
      held,
      cause,
    };
  });

  const slowByCause: Record<TailCause, number> = { fullCollection: 0, ioStall: 0, storesBusy: 0, coreWait: 0, busLoopBusy: 0, untraced: 0 };
  for (const c of clusters) slowByCause[c.cause] += c.slow;
  const kept = dossiers.filter((d) => !nearFullCollection(d.sentAt)).map((d) => d.latencyMs).sort((a, b) => a - b);
  return {
    thresholdMs,
    dossiers: dossiers.length,
    slow: clusters.reduce((n, c) => n + c.slow, 0),
    slowByCause,
    clusters: clusters.length,
    fullCollections: majors.filter((e) => e.at <= phaseEnd).length,
    largest: [...clusters].sort((a, b) => b.slow - a.slow).slice(0, options.keep ?? 12),
    outside,
    p99WithoutFullCollectionsMs: kept.length > 0 ? Math.round(percentile(kept, 99) * 10) / 10 : null,
  };
}

/** The lines bench/bus-gc-probe.ts wrote. */
export function parseGcLog(text: string): GcEvent[] {
  const events: GcEvent[] = [];
  for (const line of text.split('\n')) {
    const [at, kind, pause] = line.trim().split(' ').map(Number);
    if (Number.isFinite(at) && Number.isFinite(kind) && Number.isFinite(pause)) events.push({ at: at!, kind: kind!, pauseMs: pause! });
  }
  return events;
}
