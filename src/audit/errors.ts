// Error type of the audit room, with machine-readable codes the gateway can map to answers (AUDIT_UNAVAILABLE → 503).
export type AuditErrorCode = 'AUDIT_UNAVAILABLE' | 'AUDIT_CLOSED' | 'AUDIT_INVALID_EVENT' | 'AUDIT_CONFIG' | 'AUDIT_BUNDLE_INVALID';

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
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
