// The province's procedure catalogue over HTTP: GET /api/v1/procedures (search, paged) and /{code} for connected systems
// and the console, and POST /api/v1/admin/procedures/refresh for an admin (audited, whatever its outcome).
import type { Request, Response } from 'express';
import type { components as BusApi } from '../../../contracts/generated/bus-api';
import type { components as BusAdmin } from '../../../contracts/generated/bus-admin';
import { sendError } from '../../http/errors';
import { readPathParam, readQuery } from '../../http/query-params';
import type { AuditOutcome } from '../../audit';
import { BREAKER_OPEN } from '../../messaging/breaker';
import type { FlowContext } from '../flow';
import type { CatalogueCopy, CatalogueProcedure, ProvinceCatalogue } from './province-catalogue';
import { searchProcedures } from './procedure-search';

type Procedure = BusApi['schemas']['Procedure'];
type ProcedureDetail = BusApi['schemas']['ProcedureDetail'];
type ProcedurePage = BusApi['schemas']['ProcedurePage'];
type ProcedureRefresh = BusAdmin['schemas']['ProcedureRefresh'];

/** The right a connected system (or a group) holds to read the catalogue; the console reads it with its session. */
export const PROCEDURE_READ_RIGHT = 'procedure.read';

const LIST_QUERY = {
  q: { kind: 'text', text: 'name', maxLength: 200 },
  field: { kind: 'text', text: 'name', maxLength: 200 },
  linked: { kind: 'boolean' },
  offset: { kind: 'integer', min: 0, max: 100_000 },
  limit: { kind: 'integer', min: 1, max: 500 },
} as const;

export function mountProcedureEndpoints<S>(ctx: FlowContext<S>, catalogue: ProvinceCatalogue): void {
  const router = ctx.router;
  const reader = ctx.authenticateClientOrAdmin(PROCEDURE_READ_RIGHT);

  /** The copy, or 503 CATALOGUE_UNAVAILABLE answered when there is none yet. */
  const copyOr503 = (res: Response): CatalogueCopy | undefined => {
    const copy = catalogue.current();
    if (!copy) sendError(res, 'CATALOGUE_UNAVAILABLE');
    return copy ?? undefined;
  };

  router.get('/api/v1/procedures', reader, (req: Request, res: Response) => {
    const read = readQuery(req.query, LIST_QUERY);
    if (!read.ok) return sendError(res, 'VALIDATION_FAILED', 'bad search parameters', read.problems);
    const copy = copyOr503(res);
    if (!copy) return;
    const offset = read.values.offset ?? 0;
    const limit = read.values.limit ?? 50;
    const page = searchProcedures(copy.procedures.values(), { q: read.values.q, field: read.values.field, linked: read.values.linked, offset, limit });
    let linked = 0;
    for (const p of copy.procedures.values()) if (p.linked) linked++;
    const { added, withdrawn, changed } = copy.refresh;
    const body: ProcedurePage = {
      catalogue: { procedures: copy.procedures.size, linked, refreshedAt: copy.refresh.refreshedAt, lastRefresh: { added, withdrawn, changed } },
      total: page.total,
      offset,
      limit,
      items: page.items.map(procedureView),
    };
    res.json(body);
  });

  router.get('/api/v1/procedures/:code', reader, (req: Request, res: Response) => {
    const code = readPathParam(req, 'code');
    if (!code.ok) return sendError(res, 'VALIDATION_FAILED', 'bad procedure code', code.problems);
    const copy = copyOr503(res);
    if (!copy) return;
    const found = copy.procedures.get(code.value);
    if (!found) return sendError(res, 'PROCEDURE_NOT_FOUND');
    const body: ProcedureDetail = { ...procedureView(found), dvcqg: found.procedure, refreshedAt: copy.refresh.refreshedAt };
    res.json(body);
  });

  router.post('/api/v1/admin/procedures/refresh', ctx.authenticateAdmin(), async (req: Request, res: Response) => {
    // Audited here with the action's outcome: the generic refusal recorder leaves it alone.
    res.locals.adminAudited = true;
    const outcome = await catalogue.refresh();
    if (outcome.ok) {
      const { refreshedAt, added, withdrawn, changed } = outcome.refresh;
      const body: ProcedureRefresh = { procedures: outcome.procedures, refreshedAt, added, withdrawn, changed };
      res.json(body);
    } else {
      sendError(res, outcome.code === BREAKER_OPEN ? 'UPSTREAM_CIRCUIT_OPEN' : 'UPSTREAM_UNAVAILABLE', `the catalogue was not refreshed (${outcome.code}); the last good copy stays`);
    }
    const result: AuditOutcome = outcome.ok ? 'ok' : 'error';
    await ctx
      .audit({
        step: 'admin.procedures-refresh',
        outcome: result,
        actor: req.client?.id ?? null,
        client: req.client?.id ?? null,
        errorCode: outcome.ok ? null : outcome.code,
        details: outcome.ok
          ? { procedures: outcome.procedures, added: outcome.refresh.added.length, withdrawn: outcome.refresh.withdrawn.length, changed: outcome.refresh.changed.length }
          : { status: res.statusCode },
      })
      .catch((error: unknown) => ctx.logger.warn({ code: error instanceof Error ? error.name : 'UNKNOWN' }, 'the catalogue refresh could not be audited'));
  });
}

function procedureView(p: CatalogueProcedure): Procedure {
  return { code: p.code, name: p.name, field: { code: p.fieldCode, name: p.field }, agency: p.agency, level: p.level, linked: p.linked };
}
