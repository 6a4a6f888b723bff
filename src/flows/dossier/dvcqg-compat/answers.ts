// How the DVCQG-compatible face answers: DVCQG's own shapes ({error_code: "00", …} on success, {error_code, message, field}
// on refusal), with the status, Retry-After and code of the bus's one error table, counted and audited as every refusal.
import type { Response } from 'express';
import { ERRORS, type ErrorCode } from '../../../core/errors';
import { markRefusal } from '../../../http/errors';
import type { components } from '../../../../contracts/generated/dvcqg-compat';

type Schemas = components['schemas'];
export type CompatError = Schemas['CompatError'];
export type CompatItemAccepted = Schemas['CompatItemAccepted'];
export type CompatAccepted = Schemas['CompatAccepted'];
export type CompatLoginResponse = Schemas['CompatLoginResponse'];
export type CompatReadAnswer = Schemas['CompatReadAnswer'];

/** DVCQG's success message. */
export const SUCCESS_MESSAGE = 'Thành công';

export function sendCompatError(
  res: Response,
  code: ErrorCode,
  message: string = ERRORS[code].message,
  extra: { field?: string; result?: CompatItemAccepted[] } = {},
): void {
  markRefusal(res, code, message);
  const body: CompatError = {
    error_code: code,
    message,
    ...(extra.field !== undefined ? { field: extra.field } : {}),
    retryable: ERRORS[code].retryable,
    ...(extra.result && extra.result.length > 0 ? { result: extra.result } : {}),
  };
  res.json(body);
}
