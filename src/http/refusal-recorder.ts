// Counts and audits every refused or failed call (4xx/5xx with an error code), whichever face refused it, so the
// refusal metric and the audit trail hold the same set: bad input and denied access always leave a trace. An admin
// call the admin API audits itself is audited and counted there, not here. A call without credentials to a path the
// bus does not serve (404) is a probe, not an act of the bus toward a caller: it is counted
// (lgsp_unauthenticated_probes_total) and logged by sample, never written to the signed trail, which a scanner could
// otherwise grow without limit.
import type { NextFunction, Request, Response } from 'express';
import type { AuditLog } from '../audit';
import type { Logger } from '../observability/logger';
import type { BusMetrics } from '../observability/metrics';
import { ERRORS, isErrorCode } from '../core/errors';
import { ProbeLogSampler } from './probe-log-sampler';

export function recordRefusals(audit: Pick<AuditLog, 'append'>, metrics: Pick<BusMetrics, 'refused' | 'unauthenticatedProbes'>, logger: Logger) {
  const probes = new ProbeLogSampler(logger);
  return (req: Request, res: Response, next: NextFunction): void => {
    // Taken now: a router mounted on a path (the SOAP service) strips it from req.path and keeps it stripped when it answers.
    const path = req.path;
    res.on('finish', () => {
      if (res.statusCode < 400 || typeof res.locals.errorCode !== 'string') return;
      if (res.locals.adminAudited === true) return;
      // Node's own request has a `client` too (its socket): a caller is identified only once authentication set an id.
      if (res.statusCode === 404 && typeof req.client?.id !== 'string') {
        metrics.unauthenticatedProbes.inc();
        probes.seen(req.method, path);
        return;
      }
      metrics.refused.inc({ code: res.locals.errorCode });
      void audit
        .append({
          step: path.startsWith('/api/v1/admin/') ? 'admin.denied' : 'rejected',
          // By the code's own status: a SOAP fault travels with HTTP 500 whether the caller or the bus was at fault.
          outcome: (isErrorCode(res.locals.errorCode) ? ERRORS[res.locals.errorCode].status : res.statusCode) >= 500 ? 'error' : 'rejected',
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
