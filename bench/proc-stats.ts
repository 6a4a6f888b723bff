// What the kernel counts for a process of the bench (Linux /proc): its resident memory, its CPU time and a group's
// (whose members come and go), and the time its main thread (a bus's event loop) spent ready to run but waiting for a
// core.
import { readdirSync, readFileSync } from 'node:fs';

/** A kB field of /proc/<pid>/status: VmHWM, the kernel's own high-water mark of the resident set, or VmRSS now. */
export function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

/** The fields of /proc/<pid>/stat after the command name (the first is the state). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** User + system CPU seconds of the process (all its threads). */
export function cpuSeconds(pid: number): number {
  return processCpu(pid).own;
}

/**
 * One reading of a process's CPU seconds (user + system): its own (all its threads), and its children's that ended and
 * were waited for (their whole lives) — how the CPU of a PostgreSQL backend that ended is still counted, in the
 * postmaster's figure.
 */
export function processCpu(pid: number): { own: number; endedChildren: number } {
  const fields = statFields(pid);
  return {
    own: (Number(fields[11]) + Number(fields[12])) / 100,
    endedChildren: (Number(fields[13]) + Number(fields[14])) / 100,
  };
}

/** A group's CPU at one moment: each live member's own, and what the members' ended children used. */
export interface GroupCpu {
  own: Map<number, number>;
  endedChildren: number;
}

/**
 * Reads a group's CPU, skipping members that are gone. Ended children count only where asked: for a group whose
 * members' children are its own work (the postmaster's backends), not another group's (the bench's own children are
 * the buses and simulators, each a group of its own).
 */
export function groupCpu(pids: number[], countEndedChildren: boolean): GroupCpu {
  const reading: GroupCpu = { own: new Map(), endedChildren: 0 };
  for (const pid of pids) {
    try {
      const cpu = processCpu(pid);
      reading.own.set(pid, cpu.own);
      if (countEndedChildren) reading.endedChildren += cpu.endedChildren;
    } catch {
      /* gone */
    }
  }
  return reading;
}

/**
 * CPU seconds a group of processes used between two readings. A member alive at both counts its difference, one born
 * in between all of its CPU. One that ended in between is counted in its parent's ended-children time with all of its
 * life, so what it had used before the first reading comes off: PostgreSQL's backends come and go with the pools'
 * connections, and the postmaster reaps them (a phase that counted only the backends alive at both ends missed up to
 * 90 % of a core of PostgreSQL's work).
 */
export function groupCpuUsed(before: GroupCpu, after: GroupCpu): number {
  let used = after.endedChildren - before.endedChildren;
  for (const [pid, seconds] of after.own) used += seconds - (before.own.get(pid) ?? 0);
  for (const [pid, seconds] of before.own) if (!after.own.has(pid)) used -= seconds;
  return used;
}

/** A thread's schedstat (/proc/<pid>/schedstat, /proc/<pid>/task/<tid>/schedstat): ms on a core, ms waiting for one. */
export function schedstatMs(file: string): { runMs: number; waitMs: number } {
  const [run, wait] = readFileSync(file, 'utf8').trim().split(/\s+/);
  return { runMs: Number(run) / 1e6, waitMs: Number(wait) / 1e6 };
}

/**
 * Milliseconds the process's main thread has spent ready to run but waiting for a core (/proc/<pid>/schedstat); null
 * when the kernel does not keep it. Over a phase, the part of a bus's loop delays that was the machine's, not the bus's.
 */
export function runQueueWaitMs(pid: number): number | null {
  try {
    const { waitMs } = schedstatMs(`/proc/${pid}/schedstat`);
    return Number.isFinite(waitMs) ? waitMs : null;
  } catch {
    return null;
  }
}

/** The machine's CPU ticks so far (/proc/stat): busy (all but idle and I/O wait) and in all. */
export function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3]! - (cpu[4] ?? 0), total };
}

/** Processes of the machine by command name (RabbitMQ's beam.smp, PostgreSQL's backends), for CPU shares only. */
export function pidsByComm(names: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}
