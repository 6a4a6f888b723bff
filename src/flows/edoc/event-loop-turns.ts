// Long work on one large body (tens of MiB: decoding, validating, hashing, storing a package) is done in steps, with
// the event loop let run between them, so health checks, other requests and deliveries wait for one step, not for
// the whole package. An await on a resolved promise is not such a break: only a macrotask lets I/O callbacks run.

/** Work on about this many bytes (a few milliseconds), then let the event loop run. */
export const BYTES_PER_TURN = 1024 * 1024;

/** Resolves once the event loop has run the I/O callbacks that were waiting. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Counts the bytes worked on and lets the event loop run each time another BYTES_PER_TURN have been. */
export class TurnBudget {
  private spent = 0;

  async spend(bytes: number): Promise<void> {
    this.spent += bytes;
    if (this.spent < BYTES_PER_TURN) return;
    this.spent = 0;
    await nextTurn();
  }
}
