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
    /**
     * How long a predecessor's number may stay issued but unpublished before a successor voids it: far longer than
     * any publish (the outbox gives up after its confirm timeout), so only a process that died holds it that long.
     */
    private readonly abandonAfterMs = 30_000,
  ) {
    this.settled.setMaxListeners(0);
  }

  async waitForPredecessor(subject: string, sequence: number): Promise<boolean> {
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      if (await this.store.isSettled(subject, sequence - 1)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return this.store.voidAbandoned(subject, sequence - 1, this.abandonAfterMs);
      await this.nextSettlement(subject, Math.min(left, this.pollMs));
    }
  }

  /**
   * The message was issued this number but its intake never confirmed it, and a successor voided it: it was not
   * accepted. Only a number pending for abandonAfterMs can be voided, so younger messages (less 10 s for clocks of
   * different hosts) are not looked up.
   */
  async isVoided(subject: string, sequence: number, createdAt: string): Promise<boolean> {
    if (Date.now() - Date.parse(createdAt) < this.abandonAfterMs - 10_000) return false;
    return this.store.isVoided(subject, sequence);
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
