// Turns a call that got no answer (the pool's UpstreamTransportError, an abort, anything else thrown) into the
// kind and code of an UpstreamError, with the client's own codes.
import type { UpstreamErrorInit } from './upstream-error';
import { UpstreamTransportError } from './upstream-pool';

/** The codes a client reports for each way a call can end without an answer. */
export interface NoAnswerCodes {
  timeout: string;
  aborted: string;
  network: string;
  internal: string;
}

/** `<prefix>_TIMEOUT`, `<prefix>_ABORTED`, `<prefix>_NETWORK`, `<prefix>_UNEXPECTED`. */
export function prefixedNoAnswerCodes(prefix: string): NoAnswerCodes {
  return { timeout: `${prefix}_TIMEOUT`, aborted: `${prefix}_ABORTED`, network: `${prefix}_NETWORK`, internal: `${prefix}_UNEXPECTED` };
}

/**
 * The failure of a call that got no answer. The thrown error is not kept as the cause: a transport error may carry
 * the request, and requests hold citizens' data; its socket code is in the message.
 */
export function noAnswerFailure(error: unknown, codes: NoAnswerCodes, operation: string): UpstreamErrorInit {
  if (error instanceof UpstreamTransportError) {
    switch (error.kind) {
      case 'aborted':
        return { kind: 'aborted', code: codes.aborted, message: `${operation}: request aborted` };
      case 'timeout':
        return { kind: 'timeout', code: codes.timeout, message: `${operation}: request timed out` };
      case 'unreachable':
      case 'network':
        return { kind: error.kind, code: codes.network, message: `${operation}: network error (${error.socketCode})` };
    }
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return { kind: 'aborted', code: codes.aborted, message: `${operation}: request aborted` };
  }
  return { kind: 'internal', code: codes.internal, message: `${operation}: unexpected client failure`, cause: error };
}
