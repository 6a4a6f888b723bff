// The answer to a dispatched message, on every REST face: 202 with the face's own body, or the refusal from the error
// table; a repeat of an earlier answer (the same Idempotency-Key) says so.
import type { Response } from 'express';
import type { DispatchResult } from '../messaging/message-intake';
import { sendError } from './errors';
import { IDEMPOTENT_REPLAYED_HEADER } from './idempotency-key';

export type DispatchAccepted = Extract<DispatchResult, { ok: true }>;

export function answerDispatch(res: Response, outcome: DispatchResult, acceptedBody: (accepted: DispatchAccepted) => object): void {
  if (!outcome.ok) return sendError(res, outcome.code, outcome.message, 'problems' in outcome ? outcome.problems : undefined);
  if (outcome.replayed) res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
  res.status(202).json(acceptedBody(outcome));
}
