// The history of full bench runs (bench/results/history.json): each full run appends its headline figures, so the
// results file can show the end-to-end p99 of the last three full runs (issue #16 asks for ≤ 50 ms in each).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface HistoryEntry {
  startedAt: string;
  commit: string | null;
  e2eP99Ms: number | null;
  e2ePerSec: number | null;
  intakeCpuRatio: number | null;
  busDeliveryCpuMs: number | null;
}

/** Entries kept: enough to see a trend, small enough to commit. */
const KEEP = 30;

export function readHistory(file: string): HistoryEntry[] {
  if (!existsSync(file)) return [];
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${file}: not a list of runs`);
  return parsed as HistoryEntry[];
}

export function appendHistory(file: string, entry: HistoryEntry): void {
  const entries = [...readHistory(file), entry].slice(-KEEP);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(entries, null, 2)}\n`);
}

/** The end-to-end p99 of the last `n` full runs, oldest first (fewer when the history is shorter). */
export function lastFullRunP99s(file: string, n: number): (number | null)[] {
  return readHistory(file)
    .slice(-n)
    .map((entry) => entry.e2eP99Ms);
}
