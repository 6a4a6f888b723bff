// The one error family of every upstream call: what kind of failure it was, and whether a retry may help, decided here.

/**
 * What went wrong, as far as the caller can tell:
 * - unreachable: no connection could be made (refused, DNS, no route): the request never left;
 * - network: the connection failed once the request may have been sent (reset, socket error), no answer arrived;
 * - timeout: the client's own time limit elapsed and the call was cancelled;
 * - aborted: the caller's signal (the route's, the circuit breaker's) cancelled the call;
 * - http-status: the upstream answered with an HTTP error status (`status` says which);
 * - unavailable: the upstream answered that it, or something behind it, failed (e.g. a SOAP Server fault);
 * - refused: the upstream, or the bus on its behalf, said a final no (a business error code, a SOAP Client fault,
 *   an unknown recipient, a request invalid before sending);
 * - protocol: an answer arrived but cannot be read as the contract says (unreadable, too large, missing fields);
 * - internal: the client itself failed in a way none of the above describes.
 */
export type UpstreamErrorKind = 'unreachable' | 'network' | 'timeout' | 'aborted' | 'http-status' | 'unavailable' | 'refused' | 'protocol' | 'internal';

/** HTTP statuses after which the same call may succeed later: 5xx, 408 Request Timeout and 429 Too Many Requests. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** The one rule deciding whether a failure is worth retrying. */
export function isTransientFailure(kind: UpstreamErrorKind, status: number | null): boolean {
  switch (kind) {
    case 'unreachable':
    case 'network':
    case 'timeout':
    case 'aborted':
    case 'unavailable':
      return true;
    case 'http-status':
      return status !== null && isTransientStatus(status);
    case 'refused':
    case 'protocol':
    case 'internal':
      return false;
  }
}

/**
 * True when the request may have reached the upstream and no answer says what became of it: the upstream may have
 * carried it out, or may still be carrying it out.
 */
export function leftUnanswered(kind: UpstreamErrorKind): boolean {
  return kind === 'network' || kind === 'timeout' || kind === 'aborted' || kind === 'internal';
}

export interface UpstreamErrorInit {
  kind: UpstreamErrorKind;
  /** Stable code for logs, metrics and dead letters, e.g. AXIS_HTTP_503, POPULATION_TIMEOUT, UPSTREAM_REJECTED. */
  code: string;
  /** Codes and statuses only: never a request or answer body (they hold citizens' data). */
  message: string;
  /** HTTP status of the answer, when one arrived; required for kind http-status. */
  status?: number | null;
  cause?: unknown;
}

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly kind: UpstreamErrorKind;
  readonly code: string;
  /** HTTP status of the answer; null when no answer arrived (network, timeout, abort) or none applies. */
  readonly status: number | null;
  /** True when the same call may succeed later; false means a final refusal (the message is dead-lettered). */
  readonly transient: boolean;

  constructor(init: UpstreamErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    if (init.kind === 'http-status' && (init.status === undefined || init.status === null)) {
      throw new TypeError(`UpstreamError ${init.code}: kind http-status needs the status`);
    }
    this.kind = init.kind;
    this.code = init.code;
    this.status = init.status ?? null;
    this.transient = isTransientFailure(init.kind, this.status);
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}

/** The kind and code of an HTTP error status: `<prefix>_HTTP_<status>` unless the answer body named its own code. */
export function httpStatusError(status: number, codePrefix: string, fromBody: { code?: string; message?: string } = {}): UpstreamErrorInit {
  return {
    kind: 'http-status',
    code: fromBody.code ?? `${codePrefix}_HTTP_${status}`,
    message: fromBody.message ?? `HTTP ${status}`,
    status,
  };
}
