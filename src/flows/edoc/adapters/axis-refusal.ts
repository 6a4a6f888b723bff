// Who a final refusal from the national axis is about: the bus's own credentials (an operator's matter), the sending
// organ (not registered to send through this province's system), or the document for that recipient. None of them is
// a recipient's refusal, so none becomes a status 02: a refusal status comes only from a recipient.
import type { UpstreamError } from '../../../messaging/delivery/adapter';

export type AxisRefusal = 'credentials' | 'sender' | 'document';

/** The axis's codes for a request whose HMAC signature or system id it does not accept (as its 401 answers). */
const CREDENTIAL_CODES: ReadonlySet<string> = new Set([
  'AXIS_UNKNOWN_SYSTEM',
  'AXIS_SIGNATURE_MISSING',
  'AXIS_SIGNATURE_MALFORMED',
  'AXIS_SIGNATURE_MISMATCH',
  'AXIS_SIGNED_HEADER_MISMATCH',
  'AXIS_UNSIGNED_HEADER',
]);

/** The axis's code for a `from` organ the calling system does not send for; a 403 says the same. */
export const AXIS_SENDER_NOT_REGISTERED = 'AXIS_SENDER_NOT_REGISTERED';

export function axisRefusalOf(error: UpstreamError): AxisRefusal {
  if (error.status === 401 || CREDENTIAL_CODES.has(error.code)) return 'credentials';
  if (error.status === 403 || error.code === AXIS_SENDER_NOT_REGISTERED) return 'sender';
  return 'document';
}
