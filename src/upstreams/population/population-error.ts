// The one error type the population client throws: a stable code, whether a retry may help, and no personal data.

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

const TRANSIENT_CODES: ReadonlySet<PopulationErrorCode> = new Set([
  'POPULATION_UNAVAILABLE',
  'POPULATION_TIMEOUT',
  'POPULATION_ABORTED',
]);

export class PopulationError extends Error {
  readonly code: PopulationErrorCode;
  /** True when trying again later may succeed (the bus retries with backoff); false means dead-letter. */
  readonly transient: boolean;
  /** HTTP status when the registry answered at all. */
  readonly httpStatus: number | null;
  /** SOAP faultcode when the registry answered with a fault (a code, never free text). */
  readonly faultCode: string | null;
  /**
   * Low-level error code (ECONNREFUSED, UND_ERR_SOCKET…). The underlying error is deliberately not kept as
   * `cause`: transport errors may carry the request body, which holds personal data.
   */
  readonly causeCode: string | null;

  constructor(
    code: PopulationErrorCode,
    message: string,
    details: { httpStatus?: number | null; faultCode?: string | null; causeCode?: string | null } = {},
  ) {
    super(message);
    this.name = 'PopulationError';
    this.code = code;
    this.transient = TRANSIENT_CODES.has(code);
    this.httpStatus = details.httpStatus ?? null;
    this.faultCode = details.faultCode ?? null;
    this.causeCode = details.causeCode ?? null;
  }
}

export function isPopulationError(error: unknown): error is PopulationError {
  return error instanceof PopulationError;
}
