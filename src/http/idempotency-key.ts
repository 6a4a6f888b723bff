// The Idempotency-Key request header (IETF httpapi draft): a client's own name for one message, so that the request
// sent again after a lost answer is answered as the first was instead of becoming a second message.
import type { Request } from 'express';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Set on an answer that repeats an earlier one (the request was sent again); nothing new was sent. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** 1 to 255 visible ASCII characters (a UUID is typical). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type IdempotencyKeyReading = { ok: true; key: string | undefined } | { ok: false; message: string };

export function readIdempotencyKey(req: Request): IdempotencyKeyReading {
  const key = req.get(IDEMPOTENCY_KEY_HEADER);
  if (key === undefined) return { ok: true, key: undefined };
  if (!KEY_PATTERN.test(key)) return { ok: false, message: `${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 visible ASCII characters` };
  return { ok: true, key };
}
