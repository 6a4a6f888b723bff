// Reads DVCQG answers: success codes ("00" in one variant, 0 in another) and session-rejection codes.
import type { DvcqgErrorCode } from './contract-types';

export function isSuccessCode(code: DvcqgErrorCode | undefined | null): boolean {
  return code === 0 || code === '0' || code === '00';
}

/** Error codes with which the (modelled) server says the session is unknown or expired. */
export const SESSION_REJECTION_CODES: ReadonlySet<string> = new Set(['SESSION_INVALID', 'SESSION_EXPIRED']);
