// Starts the bench's upstream stand-ins in a child process and talks to it: their URLs, the dossiers DVCQG's
// stand-in stored (with the time it stored each), and the process's CPU and call counts for the CPU per call.
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { repoFile } from '../../src/core/repo-files';
import type { FromStandIns, ReadyMessage, StandInSettings, StatsMessage } from './protocol';

export type { StandInSettings } from './protocol';

export interface StandInStats {
  cpuUs: number;
  calls: number;
  callsByKind: Record<string, number>;
  dossiersStored: number;
  dossierResyncs: number;
  pushesApplied: number;
}

export interface RunningStandIns {
  urls: ReadyMessage['urls'];
  pid: number;
  stats(): Promise<StandInStats>;
  close(): Promise<void>;
}

/** CPU ms per call between two stats readings, or null when no call was made. */
export function cpuMsPerCall(before: StandInStats, after: StandInStats): number | null {
  const calls = after.calls - before.calls;
  return calls > 0 ? (after.cpuUs - before.cpuUs) / 1000 / calls : null;
}

/**
 * Forks bench/stand-ins/process.js; `onStored(code, at)` sees each dossier stored for the first time, `at` on this
 * process's performance.now() clock.
 */
/** The compiled process script: next to this file when it runs compiled, in dist/ when a jest suite loads the source. */
const PROCESS_SCRIPT = __filename.endsWith('.ts') ? repoFile('dist', 'bench', 'stand-ins', 'process.js') : path.join(__dirname, 'process.js');

export async function startStandIns(settings: StandInSettings, onStored: (code: string, at: number) => void): Promise<RunningStandIns> {
  const child: ChildProcess = fork(PROCESS_SCRIPT, [JSON.stringify(settings)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (stats: StatsMessage) => void>();
  let nextId = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<ReadyMessage>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the stand-in process exited (${code ?? 'signal'}) before it was ready`)));
    child.on('message', (message: FromStandIns) => {
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'stored') for (const [code, epochMs] of message.entries) onStored(code, epochMs - performance.timeOrigin);
      else if (message.type === 'stats') {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
  });
  const { urls } = await ready;
  return {
    urls,
    pid: child.pid!,
    stats: () =>
      new Promise<StandInStats>((resolve) => {
        const id = nextId++;
        pending.set(id, (m) => resolve({ cpuUs: m.cpuUs, calls: Object.values(m.calls).reduce((a, b) => a + b, 0), callsByKind: m.calls, dossiersStored: m.dossiersStored, dossierResyncs: m.dossierResyncs, pushesApplied: m.pushesApplied }));
        child.send({ type: 'stats', id });
      }),
    close: async () => {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}
