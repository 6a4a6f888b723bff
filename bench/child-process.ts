// Child processes of the bench and the chaos suite (the bus, the raw baseline): free ports, spawning with output to a
// log file, waiting for readiness, graceful stop. Children still running are listed so a failing run can kill them.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Children still running, killed if the run itself fails. */
export const children = new Set<ChildProcess>();

export interface Child {
  proc: ChildProcess;
  url: string;
  logFile: string;
  exited: Promise<number | null>;
}

export function spawnChild(script: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, url: string, nodeArgs: string[] = []): Child {
  const fd = openSync(logFile, 'a');
  const proc = spawn(process.execPath, [...nodeArgs, script, ...args], { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, url, logFile, exited };
}

export async function waitReady(child: Child, probePath: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
      throw new Error(`${child.logFile}: exited early\n${readFileSync(child.logFile, 'utf8').slice(-3000)}`);
    }
    const status = await fetch(`${child.url}${probePath}`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${child.logFile}: not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stopChild(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 60_000);
  await child.exited;
  clearTimeout(timer);
}
