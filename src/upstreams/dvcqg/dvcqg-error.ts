// The error every DVCQG client call rejects with, and the rules deciding which failures are transient.
import { UpstreamTransportError } from '../http-kit/upstream-pool';

export class DvcqgError extends Error {
  override readonly name = 'DvcqgError';
  /** HTTP status of the answer, or null when none arrived (network, timeout, abort). */
  readonly status: number | null;
  /** True when retrying later may succeed: network, timeout, abort, 5xx and 429. */
  readonly transient: boolean;
  /** Input field the server blamed (a JSON pointer), when it named one. */
  readonly field?: string;

  constructor(
    readonly code: string,
    message: string,
    details: { status: number | null; transient: boolean; field?: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.transient = details.transient;
    if (details.field !== undefined) this.field = details.field;
  }
}

/** HTTP statuses after which a retry may succeed. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

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
  if (err instanceof UpstreamTransportError) {
    switch (err.reason) {
      case 'aborted':
        return new DvcqgError('ABORTED', `${operation}: request aborted`, { status: null, transient: true, cause: err });
      case 'timeout':
        return new DvcqgError('TIMEOUT', `${operation}: request timed out`, { status: null, transient: true, cause: err });
      case 'network':
        return new DvcqgError('NETWORK_ERROR', `${operation}: network error (${err.code})`, { status: null, transient: true, cause: err });
    }
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return new DvcqgError('ABORTED', `${operation}: request aborted`, { status: null, transient: true, cause: err });
  }
  return new DvcqgError('CLIENT_ERROR', `${operation}: unexpected client failure`, { status: null, transient: false, cause: err });
}

/** An HTTP error answer (4xx/5xx): the server's error_code when it sent one, else HTTP_<status>. */
export function httpError(operation: string, status: number, body: unknown): DvcqgError {
  const code = errorCodeOf(body) ?? `HTTP_${status}`;
  return new DvcqgError(code, `${operation}: DVCQG answered HTTP ${status} (${code})`, {
    status,
    transient: isTransientStatus(status),
    field: fieldOf(body),
  });
}

/** A 200 answer whose error_code says failure: a business rejection, not transient. */
export function rejectedAnswer(operation: string, body: unknown, status: number): DvcqgError {
  const code = errorCodeOf(body) ?? 'INVALID_RESPONSE';
  return new DvcqgError(code, `${operation}: DVCQG rejected the call (${code})`, {
    status,
    transient: false,
    field: fieldOf(body),
  });
}
