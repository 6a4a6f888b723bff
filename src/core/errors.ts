// The one table of the codes the bus answers a refused or failed call with, on every face (REST, SOAP faults, the
// console's API): each code's HTTP status, whether the same call sent again later can succeed (the answer then says
// when, in Retry-After), and the message given when the refusal has nothing more precise to say. A code not in this
// table cannot be answered: the compiler refuses it.

export interface ErrorSpec {
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503;
  /** True when the same call, unchanged, can succeed later: the bus was busy, away or draining, not the call wrong. */
  readonly retryable: boolean;
  readonly message: string;
}

const bad = (message: string): ErrorSpec => ({ status: 400, retryable: false, message });
const unauthenticated = (message: string): ErrorSpec => ({ status: 401, retryable: false, message });
const forbidden = (message: string): ErrorSpec => ({ status: 403, retryable: false, message });
const notFound = (message: string): ErrorSpec => ({ status: 404, retryable: false, message });
const unavailable = (message: string): ErrorSpec => ({ status: 503, retryable: true, message });
const edxml = (message: string): ErrorSpec => bad(`the edXML package or status packet ${message}`);

export const ERRORS = {
  // The request itself
  VALIDATION_FAILED: bad('the request is not valid'),
  BAD_REQUEST: bad('the request could not be read'),
  MALFORMED_JSON: bad('the body is not valid JSON'),
  JSON_TOO_DEEP: bad('the JSON body nests too deeply'),
  INVALID_UTF8: bad('the body is not valid UTF-8'),
  INVALID_IDEMPOTENCY_KEY: bad('the Idempotency-Key header is not valid'),
  INVALID_CURSOR: bad('the cursor is not one this bus gave out'),
  REPLAY_FILTER_REQUIRED: bad('a replay must name what it replays'),
  NOT_A_SESSION: bad('only an admin console session can be signed out'),
  INVALID_INPUT: bad('the body is not a DVCQG request (session, service, and the fields its service reads)'),
  UNKNOWN_SERVICE: bad('the endpoint does not offer this service'),
  PROCEDURE_UNKNOWN: bad("the procedure code MaTTHC is not in the province's procedure list from DVCQG (unknown or withdrawn)"),
  SOAP_MALFORMED_REQUEST: bad('the SOAP request could not be processed (not a SOAP envelope of this service)'),
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false, message: 'the body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false, message: 'the body is not of a media type this endpoint takes' },
  UNSUPPORTED_CONTENT_ENCODING: { status: 415, retryable: false, message: 'send the body uncompressed' },

  // Who is calling
  AUTH_REQUIRED: unauthenticated('a Bearer token is required'),
  UNKNOWN_CLIENT: unauthenticated('the token names no configured client'),
  TOKEN_INVALID: unauthenticated('the token is not valid'),
  TOKEN_UNSIGNED: unauthenticated('unsigned tokens are refused'),
  TOKEN_SIGNATURE_INVALID: unauthenticated('the token signature does not verify with its key'),
  TOKEN_ALGORITHM_MISMATCH: unauthenticated("the token's algorithm is not its key's"),
  TOKEN_EXPIRED: unauthenticated('the token has expired'),
  TOKEN_NOT_YET_VALID: unauthenticated('the token is not valid yet'),
  TOKEN_EXPIRY_REQUIRED: unauthenticated('the token must say when it expires'),
  TOKEN_ISSUED_IN_FUTURE: unauthenticated('the token says it was issued in the future'),
  TOKEN_LIFETIME_TOO_LONG: unauthenticated("the token's lifetime is over the maximum token age"),
  TOKEN_ISSUER_INVALID: unauthenticated('the token was not issued for this bus'),
  TOKEN_AUDIENCE_INVALID: unauthenticated('the token is not meant for this bus'),
  TOKEN_CRIT_UNSUPPORTED: unauthenticated('the token names critical header parameters this bus does not understand'),
  TOKEN_CLIENT_MISMATCH: unauthenticated("the token's key belongs to another client"),
  TOKEN_SUBJECT_INVALID: unauthenticated('the token names no client'),
  KID_REQUIRED: unauthenticated('the token must name its key (kid)'),
  UNKNOWN_KID: unauthenticated('the token names a key this bus does not know'),
  SESSION_INVALID: unauthenticated('the console session is not valid'),
  SESSION_EXPIRED: unauthenticated('the console session has expired'),
  SESSION_REVOKED: unauthenticated('the console session was signed out'),
  SESSION_REJECTED: unauthenticated('the console session is refused'),
  ADMIN_SESSION_NOT_ALLOWED: unauthenticated('an admin console session cannot call this endpoint'),
  SIGN_IN_FAILED: unauthenticated('wrong username or password'),
  // The DVCQG-compatible face answers with DVCQG's own codes where a DVCQG client acts on them: INVALID_CREDENTIALS,
  // and SESSION_INVALID / SESSION_EXPIRED above (log in again), each with the face's own message.
  INVALID_CREDENTIALS: unauthenticated('wrong username or password for the DVCQG-compatible face'),

  // What the caller may do
  ROLE_REQUIRED: forbidden('this call needs another role'),
  RIGHT_REQUIRED: forbidden('this call needs a right the caller does not hold'),
  ROUTE_FORBIDDEN: forbidden('this client may not send on this route'),
  MESSAGE_TYPE_RESERVED: forbidden("this message type belongs to a flow and is sent through that flow's endpoint"),
  PERSONAL_DATA_RIGHT_REQUIRED: forbidden('this admin may not see personal data unmasked'),
  EDOC_FROM_FORBIDDEN: forbidden('this client does not speak for the sending organ'),
  EDOC_STATUS_NOT_RECIPIENT: forbidden('the reporting organ was not sent this document through this bus'),

  // What the call names
  NOT_FOUND: notFound('no such endpoint'),
  MESSAGE_NOT_FOUND: notFound('no such message for this client'),
  SERVICE_NOT_FOUND: notFound('no such service'),
  WSDL_NOT_FOUND: notFound('this service is offered over REST only'),
  EDOC_NOT_FOUND: notFound('no such document for this organ'),
  DOSSIER_NOT_FOUND: notFound('no message of this client names this MaHoSo'),
  PROCEDURE_NOT_FOUND: notFound("the province's procedure catalogue does not list this code (unknown or withdrawn)"),
  NO_ROUTE: { status: 422, retryable: false, message: 'no route takes this message from this client' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, retryable: false, message: 'this Idempotency-Key was used for a different message' },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, retryable: true, message: 'a request with this Idempotency-Key is being accepted; send it again shortly' },
  EDXML_DOCUMENT_ID_REUSED: {
    status: 409,
    retryable: false,
    message: 'the sending organ already sent another package with this DocumentId; a new version is a revocation, update or replacement (BussinessDocType 1, 2, 3)',
  },
  EDOC_RESEND_IN_PROGRESS: { status: 409, retryable: true, message: 'the same package is being accepted; send it again shortly' },

  // e-documents: the package itself (a status packet where the protocol answers with one)
  EDOC_NOT_A_DOCUMENT: bad('the upload is neither an edXML package nor a status packet'),
  EDOC_UNKNOWN_RECIPIENT: bad('no such organ in this province'),
  EDXML_DOCTYPE_FORBIDDEN: edxml('declares a DOCTYPE, which is refused'),
  EDXML_ENTITY_FORBIDDEN: edxml('declares an entity, which is refused'),
  EDXML_UNSUPPORTED_ENCODING: edxml('is not in UTF-8'),
  EDXML_INVALID_UTF8: edxml('is not valid UTF-8'),
  EDXML_MALFORMED_XML: edxml('is not well-formed XML'),
  EDXML_NOT_EDXML: edxml('is not edXML'),
  EDXML_UNKNOWN_NAMESPACE: edxml('uses a namespace edXML does not define'),
  EDXML_MISSING_FIELD: edxml('lacks a field edXML requires'),
  EDXML_DUPLICATE_FIELD: edxml('repeats a field edXML allows once'),
  EDXML_INVALID_ORGAN_ID: edxml('holds an organ id that is not one'),
  EDXML_INVALID_VALUE: edxml('holds a value edXML does not allow'),
  EDXML_INVALID_STATUS_CODE: edxml('holds a status code edXML does not define'),
  EDXML_INVALID_BASE64: edxml('holds an attachment that is not valid base64'),
  EDXML_STATUS_PACKET: bad('the upload is a status packet, not a document package'),
  EDXML_SIGNATURE_INVALID: bad('the edXML package is not validly signed (unsigned, or its content, attachments or signature changed)'),
  EDXML_SIGNER_UNTRUSTED: bad("the edXML package's signer is not trusted (untrusted, expired or revoked certificate)"),

  // The bus cannot take the call now: the same call sent again later can succeed
  THROTTLED: { status: 429, retryable: true, message: 'too many requests' },
  SIGN_IN_THROTTLED: { status: 429, retryable: true, message: 'too many failed sign-ins' },
  LARGE_BODY_CLIENT_LIMIT: { status: 429, retryable: true, message: 'this client has too many large uploads under way' },
  LARGE_BODY_BUS_LIMIT: unavailable('the bus has too many large uploads under way'),
  SIGN_IN_BUSY: unavailable('too many sign-ins at once'),
  STORE_UNAVAILABLE: unavailable('the bus cannot reach its store now; the call was not accepted'),
  AUDIT_UNAVAILABLE: unavailable('the audit log cannot be written now, so the bus accepts nothing'),
  TRANSPORT_UNAVAILABLE: unavailable('the message could not be stored durably; it was not accepted'),
  DRAINING: unavailable('the bus is shutting down; send again to another instance'),
  UPSTREAM_CIRCUIT_OPEN: unavailable('an upstream this call needs is failing; the call was not accepted'),
  UPSTREAM_UNAVAILABLE: unavailable('an upstream this call needs did not answer; try again later'),
  CATALOGUE_UNAVAILABLE: unavailable('the bus holds no copy of the procedure catalogue yet (DVCQG has not answered since it was set up)'),

  // The bus failed
  INTERNAL: { status: 500, retryable: false, message: 'internal error' },
  UPSTREAM_FAILED: { status: 502, retryable: false, message: 'an upstream this call needs answered with something the bus cannot use' },
  EDOC_PACKAGE_MISSING: { status: 500, retryable: false, message: "the document's package is missing from the bus's store" },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERRORS, code);
}

/** Seconds a client waits before sending a retryable call again: a key or a package being accepted settles within a second. */
export function retryAfterSeconds(code: ErrorCode): number | null {
  if (!ERRORS[code].retryable) return null;
  return code === 'IDEMPOTENCY_KEY_IN_USE' || code === 'EDOC_RESEND_IN_PROGRESS' ? 1 : 5;
}
