// Resequencer (EIP): holds a message of a subject until its predecessor in acceptance order has settled, waking at
// once for settlements in this process and polling the shared store for those of other processes.
import { EventEmitter } from 'node:events';
import type { SubjectSequenceStore } from '../stores/message-status';

export class Resequencer {
  private readonly settled = new EventEmitter();

  constructor(
    private readonly store: SubjectSequenceStore,
    /** How long a delivery waits in process before it goes back to the broker to wait there. */
    private readonly maxWaitMs = 3000,
    private readonly pollMs = 50,
  ) {
    this.settled.setMaxListeners(0);
  }

  async waitForPredecessor(subject: string, sequence: number): Promise<boolean> {
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      if (await this.store.isSettled(subject, sequence - 1)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.nextSettlement(subject, Math.min(left, this.pollMs));
    }
  }

  async settle(subject: string, sequence: number): Promise<void> {
    await this.store.settle(subject, sequence);
    this.settled.emit(subject);
  }

  private nextSettlement(subject: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.settled.off(subject, done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.settled.on(subject, done);
    });
  }
}
