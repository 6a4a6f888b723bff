// One error body for every refusal the bus answers: a machine-readable code, a message, and optional details.
import type { Response } from 'express';

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export function sendError(res: Response, status: number, code: string, message: string, details?: unknown): void {
  const body: ErrorBody = details === undefined ? { code, message } : { code, message, details };
  // Read by the refusal recorder once the answer is sent: every refusal is audited.
  res.locals.errorCode = code;
  res.locals.errorMessage = message;
  res.status(status).json(body);
}
