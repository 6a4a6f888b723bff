// Turns what the transport learned about a failed call into a PopulationError: transient (retry) or not, never with personal data.
import { isTransientStatus } from '../http-kit/upstream-error';
import { PopulationError } from './population-error';

/** Why our own side cancelled the call, if it did. */
export type AbortCause = 'timeout' | 'caller' | null;

/** What is known about a failed call. Only codes: the thrown error itself may carry the request body. */
export interface SoapFailure {
  /** HTTP status when the registry answered at all. */
  status: number | null;
  /** SOAP faultcode when the answer was a Fault, e.g. "soap:Client.Authentication". */
  faultCode: string | null;
  /** Low-level error code (ECONNREFUSED, UND_ERR_SOCKET…) when there was no answer. */
  causeCode: string | null;
}

export const NO_ANSWER: Readonly<SoapFailure> = { status: null, faultCode: null, causeCode: null };

/** faultcode local name: "soap:Client.Authentication" → "Client.Authentication". */
function localFaultName(faultCode: string): string {
  const colon = faultCode.lastIndexOf(':');
  return colon < 0 ? faultCode : faultCode.slice(colon + 1);
}

export function classifySoapFailure(failure: SoapFailure, abortCause: AbortCause, operation: string): PopulationError {
  if (abortCause === 'timeout') return new PopulationError({ kind: 'timeout', code: 'POPULATION_TIMEOUT', message: `${operation}: timed out; request aborted` });
  if (abortCause === 'caller') return new PopulationError({ kind: 'aborted', code: 'POPULATION_ABORTED', message: `${operation}: aborted by the caller` });

  const { status, faultCode, causeCode } = failure;
  const details = { status, faultCode, causeCode };
  const fault = faultCode ? localFaultName(faultCode) : null;

  if (status === 401 || status === 403 || (fault !== null && /^Client\.Auth/i.test(fault))) {
    return new PopulationError({ ...details, kind: fault !== null ? 'refused' : 'http-status', code: 'POPULATION_AUTH_REJECTED', message: `${operation}: registry refused the credentials` });
  }
  if (status === null && fault === null) {
    return new PopulationError({ ...details, kind: 'network', code: 'POPULATION_UNAVAILABLE', message: `${operation}: registry unreachable (${causeCode ?? 'no answer'})` });
  }
  // A SOAP faultcode says whose fault it is more precisely than the HTTP status (SOAP 1.1 sends 500 for both).
  if (fault !== null && fault.startsWith('Client')) {
    return new PopulationError({ ...details, kind: 'refused', code: 'POPULATION_REQUEST_REJECTED', message: `${operation}: registry rejected the request (fault ${fault})` });
  }
  if (fault !== null && fault.startsWith('Server')) {
    return new PopulationError({ ...details, kind: 'unavailable', code: 'POPULATION_UNAVAILABLE', message: `${operation}: registry failed (fault ${fault})` });
  }
  if (status !== null && status >= 400) {
    const code = isTransientStatus(status) ? 'POPULATION_UNAVAILABLE' : 'POPULATION_REQUEST_REJECTED';
    const what = isTransientStatus(status) ? 'failed' : 'rejected the request';
    return new PopulationError({ ...details, kind: 'http-status', code, message: `${operation}: registry ${what} (HTTP ${status})` });
  }
  return new PopulationError({ ...details, kind: 'protocol', code: 'POPULATION_BAD_RESPONSE', message: `${operation}: answer could not be read (HTTP ${status ?? '-'})` });
}
