// What this machine charges a process for waking from idle: the CPU of a timer that fires after the process slept
// 1 ms, and after it slept 25 ms, with no work of its own. On bare metal both are a few microseconds; on some virtual
// machines (the reference machine's among them) a wake after a longer sleep costs tens of times more, which is what
// makes a dossier dearer at light load than under full load, where every process stays awake.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WakeCost {
  /** CPU (user + system) per wake after 1 ms asleep, in µs. */
  cpuUsAfter1Ms: number;
  /** CPU per wake after 25 ms asleep, in µs. */
  cpuUsAfter25Ms: number;
}

async function cpuUsPerWake(sleepMs: number, wakes: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < wakes; i++) await sleep(sleepMs);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / wakes;
}

/** Measures both, in about 2.5 seconds, in this (otherwise idle) process. */
export async function measureWakeCost(): Promise<WakeCost> {
  await cpuUsPerWake(1, 50);
  const after1Ms = await cpuUsPerWake(1, 500);
  const after25Ms = await cpuUsPerWake(25, 60);
  return { cpuUsAfter1Ms: Math.round(after1Ms), cpuUsAfter25Ms: Math.round(after25Ms) };
}
