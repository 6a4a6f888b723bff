// Throttling per client and per (client, service): token buckets (rate per second with a burst) and a cap on requests in
// flight. In-process: each bus instance keeps its own counters, so N instances behind a balancer allow up to N times
// the configured rate in total.
import type { LimitConfig } from '../../config/schema';

/** A refusal names the key of the limit that refused. */
export type ThrottleDecision = { ok: true; release: () => void } | { ok: false; retryAfterSeconds: number; reason: string; key: string };

class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }
  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
  /** Seconds until one token is there; 0 when one is there now. */
  wait(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : (1 - this.tokens) / this.rate;
  }
  take(): void {
    this.tokens -= 1;
  }
}

interface Slot {
  limits: LimitConfig;
  bucket?: TokenBucket;
  inFlight: number;
}

export class Throttle {
  private readonly slots = new Map<string, Slot>();
  constructor(private readonly now: () => number = () => Date.now()) {}

  private slot(key: string, limits: LimitConfig, now: number): Slot {
    let slot = this.slots.get(key);
    if (!slot || slot.limits !== limits) {
      const rate = limits.rate;
      slot = { limits, inFlight: slot?.inFlight ?? 0, bucket: rate ? new TokenBucket(rate, limits.burst ?? Math.max(1, Math.ceil(rate)), now) : undefined };
      this.slots.set(key, slot);
    }
    return slot;
  }

  /**
   * Checks every limit that applies (the client's, then the service's) before taking anything, so a refusal by one
   * does not spend the other. The caller calls release() once the request has ended.
   */
  acquire(limits: readonly { key: string; limits: LimitConfig }[]): ThrottleDecision {
    const now = this.now();
    const slots = limits.map((l) => ({ key: l.key, slot: this.slot(l.key, l.limits, now) }));
    for (const { key, slot } of slots) {
      if (slot.limits.concurrent !== undefined && slot.inFlight >= slot.limits.concurrent) {
        return { ok: false, retryAfterSeconds: 1, reason: `${key}: more than ${slot.limits.concurrent} requests in flight`, key };
      }
      const wait = slot.bucket?.wait(now) ?? 0;
      if (wait > 0) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)), reason: `${key}: more than ${slot.limits.rate} requests per second`, key };
    }
    for (const { slot } of slots) {
      slot.bucket?.take();
      slot.inFlight++;
    }
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        for (const { slot } of slots) slot.inFlight--;
      },
    };
  }

  /** Requests in flight under `key` now. */
  inFlight(key: string): number {
    return this.slots.get(key)?.inFlight ?? 0;
  }
}
