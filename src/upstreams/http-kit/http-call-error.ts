// The error every outbound HTTP adapter throws: a stable code, the HTTP status if any, and whether a retry may help.
import axios from 'axios';

export interface HttpCallErrorInit {
  code: string;
  message: string;
  /** HTTP status of the answer; null when no answer arrived (network, timeout, abort). */
  status: number | null;
  /** True for network errors, timeouts, aborts, 5xx and 429; false for other 4xx and protocol errors. */
  transient: boolean;
  cause?: unknown;
}

export class HttpCallError extends Error {
  readonly code: string;
  readonly status: number | null;
  readonly transient: boolean;

  constructor(init: HttpCallErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'HttpCallError';
    this.code = init.code;
    this.status = init.status;
    this.transient = init.transient;
  }
}

/** Whether an HTTP status is worth retrying. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT',
  'ECONNABORTED', 'ERR_NETWORK', 'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** The code an answer body carries, if the remote side put one in a known field. */
export type BodyCodeReader = (body: unknown) => { code?: string; message?: string };

/**
 * Turns whatever axios (or the abort signal) threw into an HttpCallError.
 * `codePrefix` namespaces generated codes, e.g. AXIS_HTTP_503 or QLVB_TIMEOUT.
 */
export function toHttpCallError<E extends HttpCallError = HttpCallError>(
  error: unknown,
  codePrefix: string,
  readBody?: BodyCodeReader,
  make: (init: HttpCallErrorInit) => E = (init) => new HttpCallError(init) as E,
): E {
  if (error instanceof HttpCallError) return error as E;
  if (axios.isCancel(error) || (error instanceof Error && (error.name === 'AbortError' || error.name === 'CanceledError'))) {
    return make({ code: `${codePrefix}_ABORTED`, message: 'request aborted', status: null, transient: true, cause: error });
  }
  if (axios.isAxiosError(error)) {
    const response = error.response;
    if (response) {
      const fromBody = readBody ? readBody(response.data) : {};
      return make({
        code: fromBody.code ?? `${codePrefix}_HTTP_${response.status}`,
        message: fromBody.message ?? `HTTP ${response.status}`,
        status: response.status,
        transient: isTransientStatus(response.status),
        cause: error,
      });
    }
    const netCode = error.code ?? 'ERR_NETWORK';
    const timedOut = netCode === 'ECONNABORTED' || netCode === 'ETIMEDOUT';
    return make({
      code: timedOut ? `${codePrefix}_TIMEOUT` : `${codePrefix}_NETWORK`,
      message: `${netCode}: ${error.message}`,
      status: null,
      transient: timedOut || NETWORK_CODES.has(netCode) || netCode.startsWith('E'),
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return make({ code: `${codePrefix}_UNEXPECTED`, message, status: null, transient: false, cause: error });
}
