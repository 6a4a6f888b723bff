// The error class the document-axis client throws, and how an axis error body ({status, ErrorCode, ErrorDesc}) is read.
import { HttpCallError, type BodyCodeReader } from '../http-kit/http-call-error';

export class DocumentAxisError extends HttpCallError {
  override readonly name = 'DocumentAxisError';
}

/** Reads ErrorCode / ErrorDesc from an axis answer body, if present. */
export const readAxisErrorBody: BodyCodeReader = (body) => {
  if (!body || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  const code = typeof record.ErrorCode === 'string' ? record.ErrorCode : typeof record.code === 'string' ? record.code : undefined;
  const message = typeof record.ErrorDesc === 'string' ? record.ErrorDesc : typeof record.message === 'string' ? record.message : undefined;
  return { code, message };
};
