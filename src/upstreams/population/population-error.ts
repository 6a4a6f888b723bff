// The one error type the population client throws: an UpstreamError with the registry's stable codes, and no personal data.
import { UpstreamError, type UpstreamErrorKind } from '../http-kit/upstream-error';

export type PopulationErrorCode =
  /** Network failure, connection refused/reset, HTTP 5xx or a SOAP Server fault. */
  | 'POPULATION_UNAVAILABLE'
  /** The per-call timeout elapsed and the HTTP request was aborted. */
  | 'POPULATION_TIMEOUT'
  /** The caller's AbortSignal fired (e.g. a circuit breaker's timeout) and the HTTP request was aborted. */
  | 'POPULATION_ABORTED'
  /** HTTP 401/403 or a SOAP Client fault about authentication: credentials or clock are wrong. */
  | 'POPULATION_AUTH_REJECTED'
  /** Other HTTP 4xx or SOAP Client fault: the request itself was refused. */
  | 'POPULATION_REQUEST_REJECTED'
  /** The request failed validation before anything was sent. */
  | 'POPULATION_INVALID_REQUEST'
  /** The answer could not be read as the contract says. */
  | 'POPULATION_BAD_RESPONSE';

export class PopulationError extends UpstreamError {
  override name = 'PopulationError';
  declare readonly code: PopulationErrorCode;
  /** SOAP faultcode when the registry answered with a fault (a code, never free text). */
  readonly faultCode: string | null;
  /**
   * Low-level error code (ECONNREFUSED, UND_ERR_SOCKET…). The underlying error is deliberately not kept as
   * `cause`: transport errors may carry the request body, which holds personal data.
   */
  readonly causeCode: string | null;

  constructor(init: { kind: UpstreamErrorKind; code: PopulationErrorCode; message: string; status?: number | null; faultCode?: string | null; causeCode?: string | null }) {
    super({ kind: init.kind, code: init.code, message: init.message, status: init.status ?? null });
    this.faultCode = init.faultCode ?? null;
    this.causeCode = init.causeCode ?? null;
  }

  /** HTTP status when the registry answered at all (the same as `status`). */
  get httpStatus(): number | null {
    return this.status;
  }
}

export function isPopulationError(error: unknown): error is PopulationError {
  return error instanceof PopulationError;
}
