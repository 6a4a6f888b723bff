// The DVCQG-compatible face: DVCQG's paths under /compat/dvcqg (auth, integration, share), its login exchange, its
// `service` multiplexing, its bodies and answers. Each DongBoHoSoMC / CapNhatTienDoHoSoMC item becomes one message of
// the dossier-sync / dossier-progress route (the bus's own intake and its rule); the read services are answered from
// DVCQG through the bus's client and breakers.
import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { normalizeNfc, type JsonValue } from '../../../core/envelope';
import type { ErrorCode } from '../../../core/errors';
import type { FieldProblem } from '../../../core/field-problems';
import type { BusConfig } from '../../../config/load-config';
import type { ContractValidator } from '../../../http/contract-validator';
import { hasRight, rightsOf } from '../../../http/auth/rights';
import { bodyRefusalOf, jsonParser, parsedBodyRefusal } from '../../../http/json-body';
import { isBreakerOpen, type UpstreamBreaker } from '../../../messaging/breaker';
import { isUpstreamError } from '../../../messaging/delivery/adapter';
import type { FlowIntake } from '../../../messaging/message-intake';
import type { Logger } from '../../../observability/logger';
import type { DvcqgClient, ThuTuc } from '../../../upstreams/dvcqg';
import type { ProcedureCatalogue } from '../procedure-catalogue';
import { sendCompatError, SUCCESS_MESSAGE, type CompatAccepted, type CompatItemAccepted, type CompatLoginResponse, type CompatReadAnswer } from './answers';
import type { CompatAccount, CompatSessions } from './sessions';
import { asObject, dossierOfItem, itemFieldOf, progressOfItem, type CompatReading } from './to-intake';

const CONTRACT = 'dvcqg-compat';
export const COMPAT_BASE_PATH = '/compat/dvcqg';

/** The write services, each the bus's message type, the right it needs and how its items read. */
const WRITE_SERVICES = {
  DongBoHoSoMC: { kind: 'dossier', type: 'dossier.submitted', right: 'dossier.submit' },
  CapNhatTienDoHoSoMC: { kind: 'progress', type: 'dossier.progress', right: 'dossier.progress' },
} as const;
type WriteService = keyof typeof WRITE_SERVICES;
type ItemKind = (typeof WRITE_SERVICES)[WriteService]['kind'];

const CATALOGUE_SERVICES = ['LayThuTuc', 'LayDanhSachTTHC'] as const;
const INTEGRATION_SERVICES: readonly string[] = [...Object.keys(WRITE_SERVICES), 'TraCuuHoSo', ...CATALOGUE_SERVICES];
/** A read asks for one of the dossier rights: any one-stop system that may send dossiers may read them back. */
const READ_RIGHTS = ['dossier.submit', 'dossier.progress'] as const;

export interface CompatFaceDeps {
  router: Router;
  config: BusConfig;
  contracts: ContractValidator;
  intake: FlowIntake;
  logger: Logger;
  sessions: CompatSessions;
  reading: CompatReading;
  /** The MaTTHC of a dossier the province's procedure list does not hold, when intake refuses by it; else null. */
  unknownProcedure(payload: JsonValue): string | null;
  /** The rule of a dossier / progress message (the intake's), run on every item before any is accepted. */
  problemsOf(kind: ItemKind, payload: JsonValue): FieldProblem[];
  dvcqg: DvcqgClient;
  catalogue: ProcedureCatalogue;
  /** The province's catalogue as the bus keeps it; null while it holds no copy (LayDanhSachTTHC then asks DVCQG). */
  listed(): ThuTuc[] | null;
  breakers: { dvcqg: UpstreamBreaker; catalogue: UpstreamBreaker };
}

/** Checks the accounts against the clients at start: an account must stand for a configured client with the intake role. */
export function checkAccounts(config: BusConfig, accounts: readonly CompatAccount[]): void {
  for (const account of accounts) {
    const client = config.clients.find((c) => c.id === account.client);
    if (!client) throw new Error(`flows.dossier.dvcqgCompat: account ${account.username} names no configured client (${account.client})`);
    if (!client.roles.includes('intake')) throw new Error(`flows.dossier.dvcqgCompat: client ${account.client} needs the intake role`);
  }
}

export function mountDvcqgCompat(deps: CompatFaceDeps): void {
  const face = express.Router();
  const limit = deps.config.http.bodyLimitBytes;

  const readJson = (req: Request, res: Response, next: NextFunction): void => {
    if (!req.is('application/json')) return sendCompatError(res, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      res.setHeader('Connection', 'close');
      return sendCompatError(res, 'PAYLOAD_TOO_LARGE', `bodies are limited to ${limit} bytes here`);
    }
    next();
  };
  const inspect = (req: Request, res: Response, next: NextFunction): void => {
    const refusal = parsedBodyRefusal(req.body);
    if (!refusal) return next();
    sendCompatError(res, refusal.code, refusal.message, { field: refusal.details?.[0]?.field });
  };
  const body = [readJson, jsonParser(limit), inspect];

  face.post('/auth', ...body, (req: Request, res: Response) => {
    const problems = deps.contracts.validate(CONTRACT, 'CompatLoginRequest', req.body);
    if (problems.length > 0) return sendCompatError(res, 'INVALID_INPUT', 'username and password are required', { field: problems[0]!.field });
    const { username, password } = req.body as { username: string; password: string };
    const issued = deps.sessions.login(username, password);
    if (!issued) return sendCompatError(res, 'INVALID_CREDENTIALS');
    const answer: CompatLoginResponse = { error_code: '00', message: SUCCESS_MESSAGE, session: issued.session, expires_in: issued.expiresIn };
    res.json(answer);
  });

  face.post('/integration', ...body, (req: Request, res: Response) => serve(req, res, INTEGRATION_SERVICES));
  face.post('/share', ...body, (req: Request, res: Response) => serve(req, res, CATALOGUE_SERVICES));

  // Errors of the body parser, in DVCQG's format rather than the gateway's.
  face.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const refusal = bodyRefusalOf(asObject(error) ?? {});
    if (!refusal || res.headersSent) return next(error);
    if (refusal.code === 'PAYLOAD_TOO_LARGE') res.setHeader('Connection', 'close');
    sendCompatError(res, refusal.code, refusal.message);
  });
  deps.router.use(COMPAT_BASE_PATH, face);

  async function serve(req: Request, res: Response, offered: readonly string[]): Promise<void> {
    const problems = deps.contracts.validate(CONTRACT, 'CompatRequest', req.body);
    if (problems.length > 0) return sendCompatError(res, 'INVALID_INPUT', `the request is not a DVCQG request: ${problems[0]!.message}`, { field: problems[0]!.field });
    const request = normalizeNfc(req.body as JsonValue) as { [key: string]: JsonValue };
    const session = deps.sessions.check(String(request.session));
    if (!session.ok) return sendCompatError(res, session.code, session.message);
    const account = session.account;
    req.client = { id: account.client, roles: ['intake'], canViewPersonalData: false, rights: rightsOfAccount(account) };
    const service = String(request.service);
    if (!offered.includes(service)) {
      return sendCompatError(res, 'UNKNOWN_SERVICE', `this endpoint offers ${offered.join(', ')}`, { field: '/service' });
    }
    if (service in WRITE_SERVICES) return accept(res, account, WRITE_SERVICES[service as WriteService], request);
    if (!READ_RIGHTS.some((right) => hasRight(req.client!.rights, right))) {
      return sendCompatError(res, 'RIGHT_REQUIRED', `reading from DVCQG needs the ${READ_RIGHTS.join(' or ')} right`);
    }
    return read(res, service, request);
  }

  function rightsOfAccount(account: CompatAccount): readonly string[] {
    const client = deps.config.clients.find((c) => c.id === account.client);
    return client ? rightsOf(deps.config, client) : [];
  }

  /** Every item checked first (a call with one bad item accepts none), then each accepted in the order sent. */
  async function accept(res: Response, account: CompatAccount, service: (typeof WRITE_SERVICES)[WriteService], request: { [key: string]: JsonValue }): Promise<void> {
    if (!hasRight(rightsOfAccount(account), service.right)) return sendCompatError(res, 'RIGHT_REQUIRED', `this service needs the ${service.right} right`);
    const data = request.data;
    if (!Array.isArray(data)) return sendCompatError(res, 'INVALID_INPUT', 'data must list the items', { field: '/data' });
    const payloads: { maHoSo: string; payload: JsonValue }[] = [];
    for (const [i, entry] of data.entries()) {
      const item = asObject(entry);
      if (!item) return sendCompatError(res, 'INVALID_INPUT', `data[${i}] is not an item`, { field: `/data/${i}` });
      const payload = service.kind === 'dossier' ? dossierOfItem(item, deps.reading) : progressOfItem(item);
      const problems = deps.problemsOf(service.kind, payload);
      if (problems.length > 0) {
        const first = problems[0]!;
        const field = `/data/${i}${itemFieldOf(first.field, service.kind, deps.reading)}`;
        return sendCompatError(res, 'VALIDATION_FAILED', `${field}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, { field });
      }
      if (service.kind === 'dossier' && deps.unknownProcedure(payload) !== null) {
        return sendCompatError(res, 'PROCEDURE_UNKNOWN', `/data/${i}/MaTTHC: not in the province's procedure list`, { field: `/data/${i}/MaTTHC` });
      }
      payloads.push({ maHoSo: String(payload.MaHoSo), payload });
    }
    const accepted: CompatItemAccepted[] = [];
    for (const [i, { maHoSo, payload }] of payloads.entries()) {
      const outcome = await deps.intake.dispatch({
        type: service.type,
        source: account.client,
        destination: 'dvcqg',
        subject: maHoSo,
        payload,
        // The same item sent again (the answer was lost, the one-stop system resends the call) is the same message.
        idempotencyKey: itemKey(service.type, payload),
      });
      if (!outcome.ok) {
        const details = 'problems' in outcome ? outcome.problems[0] : undefined;
        const field = details ? `/data/${i}${itemFieldOf(details.field, service.kind, deps.reading)}` : `/data/${i}`;
        return sendCompatError(res, outcome.code, outcome.message, { field, result: accepted });
      }
      const id = outcome.envelope.id;
      accepted.push({ MaHoSo: maHoSo, messageId: id, statusUrl: `/api/v1/messages/${id}`, ...(outcome.replayed ? { replayed: true } : {}) });
    }
    const answer: CompatAccepted = { error_code: '00', message: SUCCESS_MESSAGE, result: accepted };
    res.json(answer);
  }

  async function read(res: Response, service: string, request: { [key: string]: JsonValue }): Promise<void> {
    const text = (field: string): string | null => (typeof request[field] === 'string' && request[field] !== '' ? (request[field] as string) : null);
    let result: object[];
    try {
      if (service === 'TraCuuHoSo') {
        const maHoSo = text('mahoso');
        if (!maHoSo) return sendCompatError(res, 'INVALID_INPUT', 'TraCuuHoSo needs mahoso', { field: '/mahoso' });
        result = await deps.breakers.dvcqg.call(({ signal }) => deps.dvcqg.lookupDossier(maHoSo, { signal }));
      } else if (service === 'LayThuTuc') {
        const maTTHC = text('maTTHC');
        if (!maTTHC) return sendCompatError(res, 'INVALID_INPUT', 'LayThuTuc needs maTTHC', { field: '/maTTHC' });
        const procedure: ThuTuc | undefined = await deps.breakers.catalogue.call((deadline) => deps.catalogue.get(maTTHC, deadline));
        result = procedure ? [procedure] : [];
      } else {
        result = deps.listed() ?? (await deps.breakers.catalogue.call(({ signal }) => deps.dvcqg.listProcedures({ signal })));
      }
    } catch (error) {
      return sendReadFailure(res, service, error);
    }
    const answer: CompatReadAnswer = { error_code: '00', message: SUCCESS_MESSAGE, result: result as CompatReadAnswer['result'] };
    res.json(answer);
  }

  function sendReadFailure(res: Response, service: string, error: unknown): void {
    if (isBreakerOpen(error)) return sendCompatError(res, 'UPSTREAM_CIRCUIT_OPEN', `DVCQG is failing; ${service} was not asked`);
    if (!isUpstreamError(error)) throw error;
    deps.logger.warn({ code: error.code, service }, 'DVCQG read through the compatible face failed');
    const code: ErrorCode = error.transient ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_FAILED';
    sendCompatError(res, code, `DVCQG did not answer ${service} (${error.code})`);
  }
}

/** The idempotency key of one item: its message type and its content. */
function itemKey(type: string, payload: JsonValue): string {
  return `dvcqg-compat:${type}:${createHash('sha256').update(JSON.stringify(payload)).digest('hex')}`;
}
