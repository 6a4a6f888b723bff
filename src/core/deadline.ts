// An abort signal for one piece of work: it aborts when the work's time is up or when a signal it follows aborts, and
// it is ended with the work, which clears its timer and its listeners.
//
// Why not AbortSignal.timeout and AbortSignal.any: a timeout signal's timer stays scheduled until it fires (seconds after
// a call of milliseconds ended), registered with a FinalizationRegistry, and `any` keeps weak references to each of its
// sources; an upstream call paid ~28 µs of CPU for the pair against ~10 µs for a controller and a timer cleared when the
// call ends, and under load thousands of spent timers were pending at once (docs/performance.md).

/**
 * When each deadline's signal aborts for its time, by signal (signals of deadlines with a time, once read), so a call
 * given a signal can tell whether a ceiling of its own could ever fire first (endsWithin).
 */
const endsAtBySignal = new WeakMap<AbortSignal, number>();

/**
 * True when `signal` is a deadline's that aborts within `ms` from now (or has aborted): a deadline of `ms` made now
 * and following it would never fire first, so the caller can do without one. Each AbortSignal costs the old
 * generation a hidden class of its own on Node 20 (docs/performance.md).
 */
export function endsWithin(signal: AbortSignal | undefined, ms: number): boolean {
  if (signal === undefined) return false;
  if (signal.aborted) return true;
  const endsAt = endsAtBySignal.get(signal);
  return endsAt !== undefined && endsAt <= performance.now() + ms;
}

/** The reason a deadline's signal carries when its time is up: the same as AbortSignal.timeout's. */
function timeoutReason(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

/** What a piece of work is handed of its deadline: the signal, made when the work first reads it. */
export interface CallDeadline {
  readonly signal: AbortSignal;
}

export class Deadline implements CallDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly followed: { signal: AbortSignal; onAbort: () => void }[] = [];
  private expired = false;
  private readonly endsAt: number | undefined;
  private signalRead = false;

  /**
   * `ms`: the time the work may take (none: only the followed signals end it). `follow`: signals whose abort aborts
   * this one, with their reason; one already aborted aborts it at once.
   */
  constructor(ms: number | undefined, ...follow: (AbortSignal | undefined)[]) {
    for (const signal of follow) {
      if (signal === undefined) continue;
      if (signal.aborted) {
        // Lets go of the signals followed so far as well.
        this.abort(signal.reason);
        return;
      }
      const onAbort = (): void => this.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.followed.push({ signal, onAbort });
    }
    if (ms !== undefined) {
      this.endsAt = performance.now() + ms;
      this.timer = setTimeout(() => {
        this.expired = true;
        this.abort(timeoutReason());
      }, ms);
      // A deadline never keeps the process alive by itself, as AbortSignal.timeout's timer does not.
      this.timer.unref();
    }
  }

  /**
   * The signal is made when first read (AbortController makes it on demand): work that never asks for it, a mapping
   * step's, costs no signal.
   */
  get signal(): AbortSignal {
    const signal = this.controller.signal;
    if (!this.signalRead) {
      this.signalRead = true;
      if (this.endsAt !== undefined) endsAtBySignal.set(signal, this.endsAt);
    }
    return signal;
  }

  /** True when the signal aborted because the time was up (not because a followed signal aborted). */
  get timedOut(): boolean {
    return this.expired;
  }

  /** The work is over: the timer is cleared and the followed signals are let go. The signal stays as it is. */
  end(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const { signal, onAbort } of this.followed) signal.removeEventListener('abort', onAbort);
    this.followed.length = 0;
  }

  private abort(reason: unknown): void {
    this.end();
    this.controller.abort(reason);
  }
}

/** Runs `work` with a deadline handed whole (its signal made if the work reads it) and ends it when the work settles. */
export async function withCallDeadline<T>(ms: number | undefined, follow: readonly (AbortSignal | undefined)[], work: (deadline: CallDeadline) => Promise<T>): Promise<T> {
  const deadline = new Deadline(ms, ...follow);
  try {
    return await work(deadline);
  } finally {
    deadline.end();
  }
}

/** Runs `work` with a deadline's signal and ends the deadline when the work settles. */
export function withDeadline<T>(ms: number | undefined, follow: readonly (AbortSignal | undefined)[], work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withCallDeadline(ms, follow, (deadline) => work(deadline.signal));
}
