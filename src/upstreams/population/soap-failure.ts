// Turns what the transport learned about a failed call into a PopulationError: transient (retry) or not, never with personal data.
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
  if (abortCause === 'timeout') return new PopulationError('POPULATION_TIMEOUT', `${operation}: timed out; request aborted`);
  if (abortCause === 'caller') return new PopulationError('POPULATION_ABORTED', `${operation}: aborted by the caller`);

  const { status, faultCode, causeCode } = failure;
  const details = { httpStatus: status, faultCode, causeCode };
  const fault = faultCode ? localFaultName(faultCode) : null;

  if (status === 401 || status === 403 || (fault !== null && /^Client\.Auth/i.test(fault))) {
    return new PopulationError('POPULATION_AUTH_REJECTED', `${operation}: registry refused the credentials`, details);
  }
  if (status === null && fault === null) {
    return new PopulationError('POPULATION_UNAVAILABLE', `${operation}: registry unreachable (${causeCode ?? 'no answer'})`, details);
  }
  // A SOAP faultcode says whose fault it is more precisely than the HTTP status (SOAP 1.1 sends 500 for both).
  if (fault !== null && fault.startsWith('Client')) {
    return new PopulationError('POPULATION_REQUEST_REJECTED', `${operation}: registry rejected the request (fault ${fault})`, details);
  }
  if (fault !== null && fault.startsWith('Server')) {
    return new PopulationError('POPULATION_UNAVAILABLE', `${operation}: registry failed (fault ${fault})`, details);
  }
  if (status !== null && (status >= 500 || status === 408 || status === 429)) {
    return new PopulationError('POPULATION_UNAVAILABLE', `${operation}: registry failed (HTTP ${status})`, details);
  }
  if (status !== null && status >= 400) {
    return new PopulationError('POPULATION_REQUEST_REJECTED', `${operation}: registry rejected the request (HTTP ${status})`, details);
  }
  return new PopulationError('POPULATION_BAD_RESPONSE', `${operation}: answer could not be read (HTTP ${status ?? '-'})`, details);
}
