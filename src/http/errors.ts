// The one way a refusal is answered in JSON: the status and Retry-After come from the error table (core/errors.ts),
// the body is the code, a message and optional details; the refusal recorder counts and audits it once it is sent.
import type { Response } from 'express';
import { ERRORS, retryAfterSeconds, type ErrorCode } from '../core/errors';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export function sendError(res: Response, code: ErrorCode, message: string = ERRORS[code].message, details?: unknown): void {
  const body: ErrorBody = details === undefined ? { code, message } : { code, message, details };
  markRefusal(res, code, message);
  res.json(body);
}

/**
 * Sets what every refusal carries whatever its body's shape (JSON here, a SOAP Fault on the SOAP face): the table's
 * status, a Retry-After for a retryable code unless the refuser named a precise one, and the code and message the
 * refusal recorder reads once the answer is sent.
 */
export function markRefusal(res: Response, code: ErrorCode, message: string): void {
  res.status(ERRORS[code].status);
  const wait = retryAfterSeconds(code);
  if (wait !== null && !res.hasHeader('Retry-After')) res.setHeader('Retry-After', String(wait));
  res.locals.errorCode = code;
  res.locals.errorMessage = message;
}
