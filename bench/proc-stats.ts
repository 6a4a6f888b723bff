// What the kernel counts for a process of the bench (Linux /proc): its resident memory, its CPU time, and the time its
// main thread (a bus's event loop) spent ready to run but waiting for a core.
import { readFileSync } from 'node:fs';

/** A kB field of /proc/<pid>/status: VmHWM, the kernel's own high-water mark of the resident set, or VmRSS now. */
export function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

/** User + system CPU seconds of the process (all its threads). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Milliseconds the process's main thread has spent ready to run but waiting for a core (/proc/<pid>/schedstat); null
 * when the kernel does not keep it. Over a phase, the part of a bus's loop delays that was the machine's, not the bus's.
 */
export function runQueueWaitMs(pid: number): number | null {
  try {
    const waitNs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/)[1]);
    return Number.isFinite(waitNs) ? waitNs / 1e6 : null;
  } catch {
    return null;
  }
}
