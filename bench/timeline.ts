// A timeline of one process and the machine over a phase of the bench: every `everyMs`, what the kernel has counted so
// far (cumulative readings, so that any window's share comes from two of them): the process's main thread's time on a
// core and its time ready but waiting for one (/proc/<pid>/schedstat, ns), all its threads' time on a core (the
// collector's helper threads, Node's thread pool: /proc/<pid>/task/*/schedstat), the machine's busy and total ticks
// (/proc/stat), the CPU of other groups of processes (PostgreSQL's, RabbitMQ's: their members listed again every
// second, those that ended counted through their parent, bench/proc-stats.ts), and the kernel's pressure stall
// counters (/proc/pressure/io and cpu, µs during which at least one task of the machine was stalled on I/O or waiting
// for a core; zero where the kernel has none). Read by the bench's own process, which is not on the path it measures.
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { groupCpu, groupCpuUsed, machineTicks, schedstatMs, type GroupCpu } from './proc-stats';

export interface TimelineSample {
  /** ms since the epoch. */
  at: number;
  mainRunMs: number;
  mainWaitMs: number;
  allThreadsRunMs: number;
  machineBusyTicks: number;
  machineTotalTicks: number;
  /** ms during which some task of the machine waited for I/O (PSI "some"). */
  ioSomeStallMs: number;
  /** ms during which some task of the machine waited for a core (PSI "some"). */
  cpuSomeStallMs: number;
  /** CPU ms each group of processes used since the timeline started. */
  groupsCpuMs: Record<string, number>;
}

/** The "some" line's total of a pressure file, in ms; 0 where the kernel keeps none. */
function pressureSomeMs(resource: 'io' | 'cpu'): number {
  try {
    const match = /^some .*total=(\d+)/m.exec(readFileSync(`/proc/pressure/${resource}`, 'utf8'));
    return match ? Number(match[1]) / 1000 : 0;
  } catch {
    return 0;
  }
}

/** One reading, or null once the process is gone; `groupsCpuMs`: the caller's sums for its groups (none by default). */
export function readTimelineSample(pid: number, groupsCpuMs: Record<string, number> = {}): TimelineSample | null {
  try {
    const main = schedstatMs(`/proc/${pid}/schedstat`);
    let allThreadsRunMs = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        allThreadsRunMs += schedstatMs(`/proc/${pid}/task/${tid}/schedstat`).runMs;
      } catch {
        /* the thread ended between the listing and the read */
      }
    }
    const ticks = machineTicks();
    return {
      at: performance.timeOrigin + performance.now(),
      mainRunMs: main.runMs,
      mainWaitMs: main.waitMs,
      allThreadsRunMs,
      machineBusyTicks: ticks.busy,
      machineTotalTicks: ticks.total,
      ioSomeStallMs: pressureSomeMs('io'),
      cpuSomeStallMs: pressureSomeMs('cpu'),
      groupsCpuMs,
    };
  } catch {
    return null;
  }
}

/**
 * Samples `pid` every `everyMs` until `stop()`, which returns the readings in order; with each, the CPU each of
 * `groups` (its members listed by the function, again every second) used since the start.
 */
export function startTimeline(pid: number, groups: Record<string, () => number[]> = {}, everyMs = 25): { stop(): TimelineSample[] } {
  const samples: TimelineSample[] = [];
  const names = Object.keys(groups);
  const members = new Map(names.map((name) => [name, groups[name]!()]));
  const readings = new Map<string, GroupCpu>(names.map((name) => [name, groupCpu(members.get(name)!, true)]));
  const used = new Map(names.map((name) => [name, 0]));
  let listedAt = performance.now();
  const take = () => {
    if (performance.now() - listedAt >= 1000) {
      listedAt = performance.now();
      for (const name of names) members.set(name, groups[name]!());
    }
    for (const name of names) {
      const reading = groupCpu(members.get(name)!, true);
      used.set(name, used.get(name)! + groupCpuUsed(readings.get(name)!, reading) * 1000);
      readings.set(name, reading);
    }
    const sample = readTimelineSample(pid, Object.fromEntries(used));
    if (sample) samples.push(sample);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}
