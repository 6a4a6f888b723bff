// The headers of an answer to a dispatched message that say how to go on: a repeat of an earlier answer says so,
// a refusal for now says when to try again.
import type { Response } from 'express';
import { dispatchRefusalStatus, type DispatchResult } from '../messaging/message-intake';

export function setDispatchAnswerHeaders(res: Response, outcome: DispatchResult): void {
  if (outcome.ok) {
    if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return;
  }
  if (outcome.code === 'IDEMPOTENCY_KEY_IN_USE') res.setHeader('Retry-After', '1');
  else if (dispatchRefusalStatus(outcome.code) === 503) res.setHeader('Retry-After', '5');
}
