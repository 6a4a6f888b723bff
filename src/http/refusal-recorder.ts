// Writes every refused or failed call (4xx/5xx with an error code) to the audit log, whichever endpoint refused it,
// so bad input and denied access leave a trace as the issue demands. Admin calls are recorded by the admin API.
import type { NextFunction, Request, Response } from 'express';
import type { AuditLog } from '../audit';

export function recordRefusals(audit: AuditLog) {
  return (req: Request, res: Response, next: NextFunction): void => {
    // Taken now: a router mounted on a path (the SOAP service) strips it from req.path and keeps it stripped when it answers.
    const path = req.path;
    res.on('finish', () => {
      if (res.statusCode < 400 || typeof res.locals.errorCode !== 'string' || res.locals.adminAudited === true) return;
      void audit
        .append({
          step: path.startsWith('/api/v1/admin/') ? 'admin.denied' : 'rejected',
          outcome: res.statusCode >= 500 ? 'error' : 'rejected',
          client: req.client?.id ?? null,
          errorCode: res.locals.errorCode,
          reason: typeof res.locals.errorMessage === 'string' ? res.locals.errorMessage : null,
          requestBytes: Number(req.headers['content-length'] ?? 0) || null,
          details: { method: req.method, path, status: res.statusCode },
        })
        .catch(() => undefined);
    });
    next();
  };
}
