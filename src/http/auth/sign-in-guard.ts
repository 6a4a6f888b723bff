// Failed admin sign-ins counted per username and per address over a sliding window: past either limit, sign-in is
// refused before any password is hashed, until the oldest failure in the window ages out. Counters are per bus
// instance; the tracked keys are bounded so a flood of made-up names or addresses cannot grow memory without limit.

export interface SignInLimits {
  maxFailuresPerUsername: number;
  maxFailuresPerAddress: number;
  windowMs: number;
}

export type SignInDecision = { ok: true } | { ok: false; retryAfterSeconds: number; by: 'username' | 'address' };

/** Keys tracked per kind; past it the key whose last failure is oldest is forgotten. */
const MAX_TRACKED_KEYS = 10_000;

class FailureWindow {
  /** Failure times per key, oldest first, at most `max` kept (more cannot change the decision). */
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until this key may try again; 0 when it may now. */
  blockedForMs(key: string, nowMs: number): number {
    const times = this.recent(key, nowMs);
    return times.length >= this.max ? times[0]! + this.windowMs - nowMs : 0;
  }

  add(key: string, nowMs: number): void {
    const times = this.recent(key, nowMs);
    times.push(nowMs);
    if (times.length > this.max) times.shift();
    // Re-inserted so the map's order is by last failure: the first key is the one to forget.
    this.failures.delete(key);
    this.failures.set(key, times);
    if (this.failures.size > MAX_TRACKED_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, nowMs: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > nowMs - this.windowMs);
    if (times.length === 0) this.failures.delete(key);
    return times;
  }
}

export class SignInGuard {
  private readonly byUsername: FailureWindow;
  private readonly byAddress: FailureWindow;

  constructor(limits: SignInLimits, private readonly now: () => number = Date.now) {
    this.byUsername = new FailureWindow(limits.maxFailuresPerUsername, limits.windowMs);
    this.byAddress = new FailureWindow(limits.maxFailuresPerAddress, limits.windowMs);
  }

  /** Whether this username from this address may try now; asked before the password is checked. */
  check(username: string, address: string): SignInDecision {
    const now = this.now();
    const fromAddress = this.byAddress.blockedForMs(address, now);
    if (fromAddress > 0) return { ok: false, retryAfterSeconds: Math.ceil(fromAddress / 1000), by: 'address' };
    const user = this.byUsername.blockedForMs(username, now);
    if (user > 0) return { ok: false, retryAfterSeconds: Math.ceil(user / 1000), by: 'username' };
    return { ok: true };
  }

  failed(username: string, address: string): void {
    const now = this.now();
    this.byUsername.add(username, now);
    this.byAddress.add(address, now);
  }

  /** A right password clears the username's failures (not the address's: it may be guessing other names). */
  succeeded(username: string): void {
    this.byUsername.clear(username);
  }
}
