// The half-load phase's slow dossiers are traced to a cause: clusters by the time they were sent, laid beside the
// bus's full collections and the timeline of its threads; the probe preloaded into the bus writes its collections on
// the epoch's clock, and the timeline reads the kernel's counters. Needs `npm run build` (the probe is preloaded from
// dist/, as the bench does).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseGcLog, traceTail, type DossierTiming, type GcEvent } from '../../../bench/tail-trace';
import { readTimelineSample, startTimeline, type TimelineSample } from '../../../bench/timeline';

const T0 = 1_800_000_000_000;

/** A dossier every 4 ms for 3 s, 10 ms each, except those sent in the given spans (ms after T0), `slowMs` each. */
function dossiers(slowSpans: [number, number][], slowMs = 120): DossierTiming[] {
  const out: DossierTiming[] = [];
  for (let t = 0; t < 3000; t += 4) out.push({ sentAt: T0 + t, latencyMs: slowSpans.some(([a, b]) => t >= a && t <= b) ? slowMs : 10 });
  return out;
}

/**
 * A timeline sampled every 25 ms: the main thread runs 40 % of the time and waits 2 %, except in `waitSpans`, where it
 * waits 60 %; the machine is half busy, some task stalled on I/O 10 % of the time, except in `ioSpans` (70 %);
 * PostgreSQL uses 0.3 of a core, 0.8 in `postgresSpans`, and RabbitMQ 0.2.
 */
function timeline(waitSpans: [number, number][] = [], ioSpans: [number, number][] = [], postgresSpans: [number, number][] = []): TimelineSample[] {
  const samples: TimelineSample[] = [];
  let run = 0;
  let wait = 0;
  let busy = 0;
  let total = 0;
  let io = 0;
  let postgres = 0;
  for (let t = -100; t <= 3500; t += 25) {
    const groupsCpuMs = { postgres, rabbitmq: run / 2 };
    samples.push({ at: T0 + t, mainRunMs: run, mainWaitMs: wait, allThreadsRunMs: run * 1.2, machineBusyTicks: busy, machineTotalTicks: total, ioSomeStallMs: io, cpuSomeStallMs: wait, groupsCpuMs });
    const within = (spans: [number, number][]) => spans.some(([a, b]) => t >= a && t < b);
    run += 25 * 0.4;
    wait += 25 * (within(waitSpans) ? 0.6 : 0.02);
    io += 25 * (within(ioSpans) ? 0.7 : 0.1);
    postgres += 25 * (within(postgresSpans) ? 0.8 : 0.3);
    busy += 2.5;
    total += 5;
  }
  return samples;
}

describe('traceTail', () => {
  test('gives each cluster of slow dossiers the first cause that holds, and the p99 without the collections', () => {
    const gc: GcEvent[] = [
      { at: T0 + 600, kind: 4, pauseMs: 8.5 }, // a full collection: dossiers sent 250–750 ms wait for it
      { at: T0 + 1500, kind: 1, pauseMs: 2 }, // a scavenge: not a cause
    ];
    const trace = traceTail({
      phaseStart: T0,
      dossiers: dossiers([[400, 700], [1100, 1150], [1500, 1600], [2000, 2100], [2500, 2560]]),
      gc,
      timeline: timeline([[1500, 1700]], [[2000, 2200]], [[1100, 1250]]),
    });
    expect(trace.dossiers).toBe(750);
    expect(trace.clusters).toBe(5);
    expect(trace.fullCollections).toBe(1);
    const [byGc, byStores, byWait, byIo, untraced] = [...trace.largest].sort((a, b) => a.fromMs - b.fromMs);
    expect(byStores).toMatchObject({ fromMs: 1100, toMs: 1148, slow: 13, cause: 'storesBusy', held: ['storesBusy'] });
    expect(byStores!.postgresCores).toBeGreaterThan(0.7);
    expect(byStores!.rabbitmqCores).toBeCloseTo(0.2, 2);
    expect(byGc).toMatchObject({ fromMs: 400, toMs: 700, slow: 76, cause: 'fullCollection', held: ['fullCollection'], fullCollections: 1, longestPauseMs: 8.5 });
    expect(byWait).toMatchObject({ fromMs: 1500, toMs: 1600, slow: 26, cause: 'coreWait', held: ['coreWait', 'busLoopBusy'], fullCollections: 0 });
    expect(byWait!.busMainWait).toBeGreaterThan(0.5);
    expect(byIo).toMatchObject({ fromMs: 2000, toMs: 2100, slow: 26, cause: 'ioStall', held: ['ioStall'] });
    expect(byIo!.ioStall).toBeGreaterThan(0.6);
    expect(untraced).toMatchObject({ fromMs: 2500, toMs: 2560, slow: 16, cause: 'untraced', held: [] });
    expect(trace.slowByCause).toEqual({ fullCollection: 76, ioStall: 26, storesBusy: 13, coreWait: 26, busLoopBusy: 0, untraced: 16 });
    expect(trace.slow).toBe(157);
    expect(trace.outside.busMainWait).toBeCloseTo(0.02, 2);
    expect(trace.outside.busMainRun).toBeCloseTo(0.4, 2);
    expect(trace.outside.machineBusy).toBeCloseTo(0.5, 2);
    expect(trace.outside.ioStall).toBeCloseTo(0.1, 2);
    expect(trace.outside.postgresCores).toBeCloseTo(0.3, 2);
    // Without the dossiers sent 350 ms before to 150 ms after the collection, 81 slow ones are left of 625: p99 120 ms.
    expect(trace.p99WithoutFullCollectionsMs).toBe(120);
  });

  test('a loop with no idle turn (running 89 %, waiting for a core 2 %) is busy; with no slow dossier there is nothing to trace', () => {
    const busy = timeline().map((s, i) => ({ ...s, mainRunMs: i * 25 * 0.89 }));
    const trace = traceTail({ phaseStart: T0, dossiers: dossiers([[1000, 1100]]), gc: [], timeline: busy });
    expect(trace.largest).toHaveLength(1);
    expect(trace.largest[0]).toMatchObject({ cause: 'busLoopBusy', held: ['busLoopBusy'] });
    const none = traceTail({ phaseStart: T0, dossiers: dossiers([]), gc: [], timeline: timeline() });
    expect(none).toMatchObject({ slow: 0, clusters: 0, largest: [], p99WithoutFullCollectionsMs: 10 });
    expect(none.slowByCause).toEqual({ fullCollection: 0, ioStall: 0, storesBusy: 0, coreWait: 0, busLoopBusy: 0, untraced: 0 });
  });

  test('without a timeline, only the collections can trace a cluster: one that paused the bus up to 350 ms after it', () => {
    // Marking ran beside the program for ~100 ms before the pause, and a dossier sent then waits for the pause too.
    const trace = traceTail({ phaseStart: T0, dossiers: dossiers([[400, 450], [2000, 2050]]), gc: [{ at: T0 + 780, kind: 4, pauseMs: 5 }], timeline: [] });
    expect(trace.slowByCause).toEqual({ fullCollection: 13, ioStall: 0, storesBusy: 0, coreWait: 0, busLoopBusy: 0, untraced: 13 });
    expect(trace.outside.busMainWait).toBeNull();
  });
});

describe('the bus GC probe and the timeline', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gc-probe-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a process started with the probe writes its full collections on the epoch clock of the bench', async () => {
    const log = path.join(dir, 'gc.log');
    const probe = path.resolve(__dirname, '../../../dist/bench/bus-gc-probe.js');
    const before = performance.timeOrigin + performance.now();
    // Two full collections, then a turn of the loop for the observer's callback.
    const child = spawn(process.execPath, ['--expose-gc', '--require', probe, '-e', 'gc(); gc(); setTimeout(() => {}, 50);'], { env: { ...process.env, BENCH_GC_LOG: log }, stdio: 'inherit' });
    const [code] = (await once(child, 'exit')) as [number | null];
    const after = performance.timeOrigin + performance.now();
    expect(code).toBe(0);
    const majors = parseGcLog(readFileSync(log, 'utf8')).filter((e) => e.kind === 4);
    expect(majors.length).toBeGreaterThanOrEqual(2);
    for (const e of majors) {
      expect(e.at).toBeGreaterThan(before);
      expect(e.at).toBeLessThan(after);
      expect(e.pauseMs).toBeGreaterThan(0);
    }
  });

  test('readings of a process are cumulative: its threads at least its main thread, its time on a core growing', () => {
    const first = readTimelineSample(process.pid)!;
    const end = process.cpuUsage().user + 30_000;
    while (process.cpuUsage().user < end) {
      /* 30 ms on a core */
    }
    const second = readTimelineSample(process.pid)!;
    expect(second.mainRunMs - first.mainRunMs).toBeGreaterThanOrEqual(25);
    expect(second.allThreadsRunMs).toBeGreaterThanOrEqual(second.mainRunMs);
    expect(second.machineTotalTicks).toBeGreaterThanOrEqual(first.machineTotalTicks);
    expect(readTimelineSample(2 ** 22 + 1)).toBeNull();
  });

  test('a timeline sums what each group of processes used since it started', async () => {
    const timeline = startTimeline(process.pid, { self: () => [process.pid], none: () => [] }, 5);
    await new Promise((r) => setTimeout(r, 20));
    const end = process.cpuUsage().user + 60_000;
    while (process.cpuUsage().user < end) {
      /* 60 ms on a core */
    }
    await new Promise((r) => setTimeout(r, 20));
    const samples = timeline.stop();
    const last = samples[samples.length - 1]!;
    // Sums since the start, not the process's CPU since it began (hundreds of ms in a test worker): the first sample is
    // read just after the start's reading, and at most a tick or two of the clock (10 ms each) falls between them.
    expect(samples[0]!.groupsCpuMs.self).toBeLessThan(25);
    expect(samples[0]!.groupsCpuMs.none).toBe(0);
    expect(process.cpuUsage().user / 1000).toBeGreaterThan(100);
    expect(last.groupsCpuMs.self).toBeGreaterThanOrEqual(50);
    expect(last.groupsCpuMs.none).toBe(0);
  });
});
