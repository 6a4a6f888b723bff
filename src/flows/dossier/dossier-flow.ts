// The dossier flow: one-stop systems submit dossiers and their progress; the bus checks the applicant against the
// population database and syncs the dossier to DVCQG (DongBoHoSoMC, CapNhatTienDoHoSoMC), in acceptance order.
import type { Request, Response } from 'express';
import { DvcqgClient, type DossierIntake, type DossierProgressUpdate } from '../../upstreams/dvcqg';
import { PopulationClient, validateCitizenId, validateVerifyRequest, type CitizenLookupResult } from '../../upstreams/population';
import type { FieldProblem } from '../../core/field-problems';
import type { CallDeadline } from '../../core/deadline';
import { normalizeNfc, type JsonValue } from '../../core/envelope';
import { sendError } from '../../http/errors';
import { jsonBody } from '../../http/json-body';
import { readIdempotencyKey } from '../../http/idempotency-key';
import { readPathParam } from '../../http/query-params';
import { answerDispatch } from '../../http/dispatch-answer';
import { isBreakerOpen } from '../../messaging/breaker';
import { isUpstreamError } from '../../messaging/delivery/adapter';
import type { Flow, FlowContext } from '../flow';
import type { components } from '../../../contracts/generated/bus-api';
import { DOSSIER_UPSTREAMS, dossierPipelines } from './pipelines';
import { ProcedureCatalogue } from './procedure-catalogue';
import { loggableText } from '../../observability/log-fields';
import { ProvinceCatalogue } from './province-catalogue';
import { mountProcedureEndpoints } from './procedure-endpoints';
import { compatPasswordPath, DOSSIER_SECRETS, dossierSettingsSchema, type DossierSettings } from './settings';
import { checkAccounts, CompatSessions, mountDvcqgCompat } from './dvcqg-compat';
import { dossierRoutes, dossierWhole } from './dossier-whole';

type DossierAccepted = components['schemas']['DossierAccepted'];
type CitizenVerifyResult = components['schemas']['CitizenVerifyResult'];

const CONTRACT = 'dossier-intake';
/** At most this many messages of one dossier are shown whole; a dossier has a submission and a handful of steps. */
const DOSSIER_MESSAGES_SHOWN = 1000;

/** The message types of this flow: only its endpoints send them, and every one passes its rule below. */
const DOSSIER_TYPES = { submitted: 'dossier.submitted', progress: 'dossier.progress' } as const;

export const dossierFlow: Flow<typeof dossierSettingsSchema> = {
  name: 'dossier',
  messageTypes: Object.values(DOSSIER_TYPES),
  settingsSchema: dossierSettingsSchema,
  async setup(ctx) {
    const settings = ctx.settings;
    // The dossier contract and the citizen id's own checks hold for every dossier on every path into its routes.
    ctx.setMessageRule(DOSSIER_TYPES.submitted, {
      invalidMessage: 'the dossier is not valid',
      validate: (payload) => dossierProblems(payload),
    });
    ctx.setMessageRule(DOSSIER_TYPES.progress, {
      invalidMessage: 'the progress update is not valid',
      validate: (payload) => ctx.contracts.validate(CONTRACT, 'DossierProgressUpdate', payload),
    });
    const dvcqg = new DvcqgClient({
      baseUrl: settings.dvcqg.url,
      username: settings.dvcqg.username,
      password: ctx.config.secrets.get(DOSSIER_SECRETS.dvcqgPassword),
      madonvi: settings.dvcqg.madonvi,
      dstcode: settings.dvcqg.dstcode,
      sessionMaxAgeMs: settings.dvcqg.sessionMaxAgeMs,
      catalogueEndpoints: settings.dvcqg.catalogueEndpoints,
      timeoutMs: settings.dvcqg.breaker.timeoutMs,
    });
    const population = await PopulationClient.create({
      endpoint: settings.population.url,
      credentials: {
        userName: settings.population.userName,
        secretKey: ctx.config.secrets.get(DOSSIER_SECRETS.populationSecretKey),
        clientId: settings.population.clientId,
        apiKey: ctx.config.secrets.get(DOSSIER_SECRETS.populationApiKey),
      },
      requestContext: { maDvc: settings.population.maDvc, maCanBo: settings.population.maCanBo, maDonVi: settings.population.maDonVi },
      timeoutMs: settings.population.breaker.timeoutMs,
    });
    ctx.onStop(() => population.close());
    ctx.onStop(() => dvcqg.close());
    const dvcqgBreaker = ctx.breaker(DOSSIER_UPSTREAMS.dvcqg, settings.dvcqg.breaker, settings.dvcqg.url, 'Cổng Dịch vụ công quốc gia (DVCQG)');
    // The catalogue has a breaker of its own: its cache hits answer without calling DVCQG, and counted on the 'dvcqg'
    // breaker they were successes that kept it closed (and closed it again on a half-open trial) during an outage,
    // so dossiers used up their attempts instead of waiting for DVCQG.
    const catalogueBreaker = ctx.breaker(DOSSIER_UPSTREAMS.catalogue, settings.dvcqg.breaker, settings.dvcqg.url, 'DVCQG — danh mục thủ tục hành chính');
    const populationBreaker = ctx.breaker(DOSSIER_UPSTREAMS.population, settings.population.breaker, settings.population.url, 'Cơ sở dữ liệu quốc gia về dân cư');
    // The province's catalogue, kept in the stores: the stored copy serves at once (a restart while DVCQG is away
    // still knows it), then refreshes on the schedule. Per-dossier lookups take its entries before asking DVCQG.
    const province = new ProvinceCatalogue(
      {
        list: () => catalogueBreaker.call(({ signal }) => dvcqg.listProcedures({ signal })),
        describe: (maTTHC) => catalogueBreaker.call(({ signal }) => dvcqg.getProcedure(maTTHC, { signal })),
      },
      ctx.stores.procedures,
      ctx.logger,
    );
    await province.load().catch((error: unknown) => ctx.logger.warn({ code: error instanceof Error ? error.name : 'UNKNOWN' }, 'the stored procedure catalogue could not be read; DVCQG is asked'));
    province.start(settings.catalogue.refreshIntervalMs);
    ctx.onStop(() => province.stop());
    const catalogue = new ProcedureCatalogue((maTTHC, signal) => dvcqg.getProcedure(maTTHC, { signal }), (maTTHC) => province.entry(maTTHC));
    const pipelines = dossierPipelines({
      dvcqg,
      population,
      catalogue,
      maDoiTuong: settings.dvcqg.maDoiTuong,
      isDossier: ctx.contracts.guard<DossierIntake>(CONTRACT, 'DossierIntake'),
      isProgress: ctx.contracts.guard<DossierProgressUpdate>(CONTRACT, 'DossierProgressUpdate'),
    });
    for (const built of pipelines) ctx.pipelines.add(built);

    /**
     * A MaTTHC the province's catalogue does not list (unknown or withdrawn), when intake refuses by it; null otherwise.
     * With no copy at all (DVCQG never answered, nothing stored) nothing is refused: delivery's LayThuTuc decides.
     */
    const unknownProcedure = (payload: unknown): string | null => {
      if (!settings.catalogue.refuseUnknownAtIntake) return null;
      const maTTHC = payload !== null && typeof payload === 'object' ? (payload as { MaTTHC?: unknown }).MaTTHC : undefined;
      return typeof maTTHC === 'string' && province.knows(maTTHC.normalize('NFC')) === false ? maTTHC : null;
    };

    mountEndpoints(ctx, population, populationBreaker.call.bind(populationBreaker), unknownProcedure);
    mountProcedureEndpoints(ctx, province);

    const compat = settings.dvcqgCompat;
    if (compat) {
      const accounts = compat.accounts.map((account, i) => ({ username: account.username, client: account.client, password: ctx.config.secrets.get(compatPasswordPath(i)) }));
      checkAccounts(ctx.config, accounts);
      mountDvcqgCompat({
        router: ctx.router,
        config: ctx.config,
        contracts: ctx.contracts,
        intake: ctx.intake,
        logger: ctx.logger,
        sessions: new CompatSessions(accounts, compat.sessionTtlSeconds),
        reading: { citizenIdField: compat.citizenIdField, birthDateField: compat.birthDateField },
        unknownProcedure,
        problemsOf: (kind, payload) => (kind === 'dossier' ? dossierProblems(payload) : ctx.contracts.validate(CONTRACT, 'DossierProgressUpdate', payload)),
        dvcqg,
        catalogue,
        listed: () => {
          const copy = province.current();
          return copy ? [...copy.procedures.values()].map((p) => p.procedure) : null;
        },
        breakers: { dvcqg: dvcqgBreaker, catalogue: catalogueBreaker },
      });
    }

    /** The dossier's rule: its contract, then the citizen id's own checks. */
    function dossierProblems(payload: unknown): FieldProblem[] {
      const problems = ctx.contracts.validate(CONTRACT, 'DossierIntake', payload);
      return problems.length > 0 ? problems : citizenIdProblems(payload as DossierIntake);
    }
  },
};

/**
 * What the id says about itself (a known province, a birth year not in the future) is checked at the door; whether it
 * agrees with the birth date given is the population check's business (a final rejection, CITIZEN_ID_INVALID).
 */
function citizenIdProblems(dossier: DossierIntake): FieldProblem[] {
  if (dossier.SoDinhDanh === undefined) return [];
  const check = validateCitizenId(dossier.SoDinhDanh);
  return check.valid ? [] : [{ field: '/SoDinhDanh', message: `not a valid citizen id (${check.problem})` }];
}

type DossierType = (typeof DOSSIER_TYPES)[keyof typeof DOSSIER_TYPES];

/** MaHoSo of a body not yet validated (the type's rule refuses a body without one). */
function maHoSoOf(body: unknown): unknown {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { MaHoSo?: unknown }).MaHoSo : undefined;
}

function mountEndpoints(
  ctx: FlowContext<DossierSettings>,
  population: PopulationClient,
  throughBreaker: <T>(work: (deadline: CallDeadline) => Promise<T>) => Promise<T>,
  unknownProcedure: (payload: unknown) => string | null,
): void {
  const router = ctx.router;
  const json = jsonBody(ctx.config.http.bodyLimitBytes);

  /** The intake checks the body against its type's rule (the contract, the citizen id) before it is accepted. */
  const accept = async (req: Request, res: Response, type: DossierType, maHoSo: string) => {
    const idempotency = readIdempotencyKey(req);
    if (!idempotency.ok) return sendError(res, 'INVALID_IDEMPOTENCY_KEY', idempotency.message);
    const payload = normalizeNfc(req.body as JsonValue);
    if (type === DOSSIER_TYPES.submitted && unknownProcedure(payload) !== null) {
      return sendError(res, 'PROCEDURE_UNKNOWN', undefined, [{ field: '/MaTTHC', message: "not in the province's procedure list" }]);
    }
    const accepted = await ctx.intake.dispatch({ type, source: req.client!.id, destination: 'dvcqg', subject: maHoSo, payload, idempotencyKey: idempotency.key });
    answerDispatch(res, accepted, ({ envelope }): DossierAccepted => ({
      messageId: envelope.id,
      correlationId: envelope.correlationId,
      maHoSo,
      status: 'accepted',
      statusUrl: `/api/v1/messages/${envelope.id}`,
    }));
  };

  router.post('/api/v1/dossiers', ctx.authenticate('dossier.submit'), ...json, async (req: Request, res: Response) => {
    await accept(req, res, DOSSIER_TYPES.submitted, String(maHoSoOf(req.body) ?? '').normalize('NFC'));
  });

  router.post('/api/v1/dossiers/:maHoSo/progress', ctx.authenticate('dossier.progress'), ...json, async (req: Request, res: Response) => {
    const inPath = String(req.params.maHoSo).normalize('NFC');
    const inBody = maHoSoOf(req.body);
    if (typeof inBody === 'string' && inBody.normalize('NFC') !== inPath) {
      return sendError(res, 'VALIDATION_FAILED', 'MaHoSo in the body differs from the path', [{ field: '/MaHoSo', message: 'must equal the path' }]);
    }
    await accept(req, res, DOSSIER_TYPES.progress, inPath);
  });

  // A one-stop system that may send dossiers may read them back (as on the DVCQG-compatible face's TraCuuHoSo), under
  // the rule of GET /api/v1/messages/{id}: a client sees only the messages it sent, and a dossier none of its messages
  // names is answered as one that does not exist.
  const routes = dossierRoutes(ctx.config.routes);
  router.get('/api/v1/dossiers/:maHoSo', ctx.authenticate('dossier.submit'), async (req: Request, res: Response) => {
    const maHoSo = readPathParam(req, 'maHoSo');
    if (!maHoSo.ok) return sendError(res, 'VALIDATION_FAILED', 'bad MaHoSo', maHoSo.problems);
    const statuses = await ctx.stores.messages.bySubject(maHoSo.value, { source: req.client!.id, routes, limit: DOSSIER_MESSAGES_SHOWN });
    const whole = dossierWhole(maHoSo.value, statuses);
    if (whole.messages.length === 0) return sendError(res, 'DOSSIER_NOT_FOUND', 'no such dossier for this client');
    res.json(whole);
  });

  router.post('/api/v1/citizens/verify', ctx.authenticate('citizen.verify'), ...json, async (req: Request, res: Response) => {
    const problems = ctx.contracts.validate('bus-api', 'CitizenVerifyRequest', req.body);
    if (problems.length > 0) return sendError(res, 'VALIDATION_FAILED', 'the verification request is not valid', problems);
    const validation = validateVerifyRequest(req.body);
    if (!validation.ok) {
      return sendError(res, 'VALIDATION_FAILED', 'the verification request is not valid', validation.problems.map((p) => ({ field: `/${p.field}`, message: p.problem })));
    }
    let result: CitizenLookupResult;
    try {
      result = await throughBreaker(({ signal }) => population.lookupCitizen(validation.request, { signal }));
    } catch (error) {
      if (isBreakerOpen(error)) {
        res.setHeader('Retry-After', '10');
        return sendError(res, 'UPSTREAM_CIRCUIT_OPEN', 'the population database is unavailable; try again later');
      }
      const code = isUpstreamError(error) ? error.code : 'UPSTREAM_ERROR';
      const transient = isUpstreamError(error) ? error.transient : true;
      ctx.logger.warn({ code, reason: loggableText(error instanceof Error ? error.message : String(error)) }, 'citizen verification failed');
      if (transient) res.setHeader('Retry-After', '10');
      return sendError(res, transient ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_FAILED', `the population database did not answer the verification (${code})`);
    }
    // Only the outcome goes back: the registry's record of the citizen stays where it is.
    const answer: CitizenVerifyResult =
      result.status === 'found' ? { result: 'match' } : result.status === 'not-found' ? { result: 'not-found' } : { result: 'mismatch', fields: result.fields };
    res.json(answer);
  });
}
