// The error every DVCQG client call rejects with (an UpstreamError), and how DVCQG's answers become one.
import { UpstreamError, type UpstreamErrorInit } from '../http-kit/upstream-error';
import { noAnswerFailure, type NoAnswerCodes } from '../http-kit/transport-failure';

export class DvcqgError extends UpstreamError {
  override name = 'DvcqgError';
  /** Input field the server blamed (a JSON pointer), when it named one. */
  readonly field?: string;

  constructor(init: UpstreamErrorInit & { field?: string }) {
    super(init);
    if (init.field !== undefined) this.field = init.field;
  }
}

const NO_ANSWER_CODES: NoAnswerCodes = { timeout: 'TIMEOUT', aborted: 'ABORTED', network: 'NETWORK_ERROR', internal: 'CLIENT_ERROR' };

export function errorCodeOf(body: unknown): string | undefined {
  if (body !== null && typeof body === 'object' && 'error_code' in body) {
    const code = (body as { error_code: unknown }).error_code;
    if (typeof code === 'string' || typeof code === 'number') return String(code);
  }
  return undefined;
}

function fieldOf(body: unknown): string | undefined {
  if (body !== null && typeof body === 'object' && 'field' in body) {
    const field = (body as { field: unknown }).field;
    if (typeof field === 'string') return field;
  }
  return undefined;
}

/**
 * Turns whatever a call threw into a DvcqgError. Messages carry codes and statuses only, never
 * request or response bodies (they hold citizens' data).
 */
export function toDvcqgError(err: unknown, operation: string): DvcqgError {
  if (err instanceof DvcqgError) return err;
  return new DvcqgError(noAnswerFailure(err, NO_ANSWER_CODES, operation));
}

/** An HTTP error answer (4xx/5xx): the server's error_code when it sent one, else HTTP_<status>. */
export function httpError(operation: string, status: number, body: unknown): DvcqgError {
  const code = errorCodeOf(body) ?? `HTTP_${status}`;
  return new DvcqgError({ kind: 'http-status', code, message: `${operation}: DVCQG answered HTTP ${status} (${code})`, status, field: fieldOf(body) });
}

/** A 200 answer whose error_code says failure: a business rejection, not transient. */
export function rejectedAnswer(operation: string, body: unknown, status: number): DvcqgError {
  const code = errorCodeOf(body) ?? 'INVALID_RESPONSE';
  return new DvcqgError({ kind: 'refused', code, message: `${operation}: DVCQG rejected the call (${code})`, status, field: fieldOf(body) });
}
