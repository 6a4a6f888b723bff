// Error type of the audit room, with machine-readable codes the gateway can map to answers (AUDIT_UNAVAILABLE → 503).
export type AuditErrorCode = 'AUDIT_UNAVAILABLE' | 'AUDIT_CLOSED' | 'AUDIT_INVALID_EVENT' | 'AUDIT_INVALID_CURSOR' | 'AUDIT_CONFIG' | 'AUDIT_BUNDLE_INVALID' | 'AUDIT_CHAIN_ENDED';

export class AuditError extends Error {
  constructor(
    message: string,
    readonly code: AuditErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuditError';
  }
}

export function describeError(error: unknown): string {
  // Duck-typed, not instanceof: errors from native modules may come from another realm (jest, worker threads).
  if (error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    const { code, message } = error as { code?: unknown; message: string };
    return typeof code === 'string' ? `${code}: ${message}` : message;
  }
  return String(error);
}
