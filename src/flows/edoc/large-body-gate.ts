// Caps the large edXML bodies (REST and SOAP uploads) in flight at once, per client and in all: each holds tens of MB
// while it is read, decoded and stored, so a few at once exhaust memory and stall the event loop for every caller.
import type { RequestHandler, Response } from 'express';
import type { LimitConfig } from '../../config/schema';
import { Throttle } from '../../http/auth/throttle';

export interface LargeBodySettings {
  /** Bodies declared larger than this, or of unknown size (chunked), are large. */
  thresholdBytes: number;
  /** Large bodies one client may have in flight. */
  perClient: number;
  /** Large bodies all clients together may have in flight. */
  total: number;
  retryAfterSeconds: number;
}

export interface LargeBodyRefusal {
  code: 'LARGE_BODY_CLIENT_LIMIT' | 'LARGE_BODY_BUS_LIMIT';
  message: string;
  retryAfterSeconds: number;
}

export type LargeBodyAdmission = { ok: true; release: () => void } | ({ ok: false } & LargeBodyRefusal);

/** The bus's own key among the throttle's (client keys are `client <id>`). */
const BUS_KEY = 'bus';

/** In-process counters (the gateway's throttle, concurrency only): N bus instances take up to N times the caps in all. */
export class LargeBodyGate {
  private readonly throttle = new Throttle();
  private readonly perClient: LimitConfig;
  private readonly total: LimitConfig;

  /** `observe` hears the number of large bodies in flight after each change (a metric). */
  constructor(
    private readonly settings: LargeBodySettings,
    private readonly observe: (inFlight: number) => void = () => undefined,
  ) {
    this.perClient = { concurrent: settings.perClient };
    this.total = { concurrent: settings.total };
  }

  /** Whether a body declared `declaredBytes` long (undefined when no length is declared) counts as large. */
  isLarge(declaredBytes: number | undefined): boolean {
    return declaredBytes === undefined || declaredBytes > this.settings.thresholdBytes;
  }

  /** Takes a slot for one large body of `clientId` (its own share checked first); release() gives it back once. */
  admit(clientId: string): LargeBodyAdmission {
    const { perClient, total, retryAfterSeconds } = this.settings;
    const decision = this.throttle.acquire([
      { key: `client ${clientId}`, limits: this.perClient },
      { key: BUS_KEY, limits: this.total },
    ]);
    if (!decision.ok) {
      return decision.key === BUS_KEY
        ? { ok: false, code: 'LARGE_BODY_BUS_LIMIT', message: `the bus is taking ${total} large bodies already; send this one again later`, retryAfterSeconds }
        : { ok: false, code: 'LARGE_BODY_CLIENT_LIMIT', message: `this client already has ${perClient} large bodies in flight; send this one when one has been answered`, retryAfterSeconds };
    }
    this.observe(this.throttle.inFlight(BUS_KEY));
    return {
      ok: true,
      release: () => {
        decision.release();
        this.observe(this.throttle.inFlight(BUS_KEY));
      },
    };
  }
}

/**
 * Middleware for an authenticated upload, before its body is read: a small body passes; a large one takes a slot,
 * freed once the answer is finished or the connection closes; over a cap, `refuse` answers at once (its face's error
 * body or fault) with Retry-After. The connection stays open: Node reads the rest of the body and drops it (no memory
 * kept), so the sender, still sending, gets the answer instead of a reset connection.
 */
export function admitLargeBodies(gate: LargeBodyGate, refuse: (res: Response, refusal: LargeBodyRefusal) => void): RequestHandler {
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    if (!gate.isLarge(declared === undefined ? undefined : Number(declared))) return next();
    const admission = gate.admit(req.client?.id ?? '');
    if (!admission.ok) {
      res.setHeader('Retry-After', String(admission.retryAfterSeconds));
      return refuse(res, admission);
    }
    res.once('finish', admission.release);
    res.once('close', admission.release);
    next();
  };
}
