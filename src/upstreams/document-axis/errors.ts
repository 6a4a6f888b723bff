// The error class the document-axis client throws (an UpstreamError), and how an axis error body ({status, ErrorCode, ErrorDesc}) is read.
import { UpstreamError } from '../http-kit/upstream-error';

export class DocumentAxisError extends UpstreamError {
  override name = 'DocumentAxisError';
}

/** Reads ErrorCode / ErrorDesc from an axis answer body, if present. */
export function readAxisErrorBody(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  const code = typeof record.ErrorCode === 'string' ? record.ErrorCode : typeof record.code === 'string' ? record.code : undefined;
  const message = typeof record.ErrorDesc === 'string' ? record.ErrorDesc : typeof record.message === 'string' ? record.message : undefined;
  return { code, message };
}
