// Who owns a chain (this process: host, pid and a token of this start) and when another chain's owner is known to be gone.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ChainOwner } from './types';

/** Drawn once per process: every writer in one process shares it, and a later process with the same pid has another. */
const PROCESS_TOKEN = randomBytes(8).toString('hex');

export function thisProcess(): ChainOwner {
  return { host: hostname(), pid: process.pid, token: PROCESS_TOKEN };
}

/**
 * True only when the owner is certainly gone: it ran on this host and its pid is free, or its pid is now this
 * process's (so the process it named has ended). An owner on another host, or whose pid is taken by some process, is
 * not known to be gone: only its lease running out says so.
 */
export function ownerGone(owner: ChainOwner, self: ChainOwner = thisProcess()): boolean {
  if (owner.host !== self.host || owner.pid <= 0) return false;
  if (owner.pid === self.pid) return owner.token !== self.token;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
