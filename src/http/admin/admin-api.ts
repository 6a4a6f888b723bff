// The administration API (contracts/openapi/bus-admin.yaml): sign-in, audit search, message timelines, dossiers seen
// whole, dead letters and replay, breakers, verification. Every action, refused and failed ones too, is itself written
// to the audit log.
// Personal data in answers is masked unless the admin holds the right and asks (`?personalData=show`); each unmasked
// answer is preceded by its own audit record (who saw which messages), and is not sent when that record cannot be.
import express, { type Request, type Response, type Router } from 'express';
import type { components } from '../../../contracts/generated/bus-admin';
import { parseAuditCursor, type AuditLog, type AuditOutcome, type AuditRecord } from '../../audit';
import type { BusConfig } from '../../config/load-config';
import { formatMemberId } from '../../config/member-id';
import type { UpstreamBreaker } from '../../messaging/breaker';
import type { UpstreamDirectory } from '../../messaging/upstream-directory';
import { trafficReport } from './traffic-report';
import type { MessageStatus } from '../../stores/message-status';
import type { JsonValue } from '../../core/envelope';
import type { Stores } from '../../stores/stores';
import type { DeadLetterFilter, Transport } from '../../transport/transport';
import type { AdminSession, AdminSessions } from '../auth/admin-sessions';
import { authenticateAdmin } from '../auth/auth';
import type { BusMetrics } from '../../observability/metrics';
import type { ContractValidator } from '../contract-validator';
import { sendError } from '../errors';
import { jsonBody } from '../json-body';
import { PasswordVerifier } from '../../core/password-hash';
import { SignInGuard } from '../auth/sign-in-guard';
import { CLEAR_VIEW, MASKED_VIEW, personalDataRequestOf, type PersonalDataView } from './personal-data-view';
import { readPathParam, readQuery, type QueryParam } from '../query-params';
import { messageParts } from '../message-parts';
import { traceLinks } from './trace-links';
import { readAdminDossier } from './dossier-view';

type Schemas = components['schemas'];

export interface AdminApiDeps {
  config: BusConfig;
  audit: AuditLog;
  stores: Stores;
  transport: Transport;
  contracts: ContractValidator;
  breakers: ReadonlyMap<string, UpstreamBreaker>;
  upstreams: UpstreamDirectory;
  sessions: AdminSessions;
  metrics: Pick<BusMetrics, 'refused'>;
}

export function adminApiRouter(deps: AdminApiDeps): Router {
  const router = express.Router();
  const json = jsonBody(64 * 1024);
  const admin = authenticateAdmin(deps.config, deps.sessions);
  const signInLimits = deps.config.auth.signIn;
  const guard = new SignInGuard({ ...signInLimits, windowMs: signInLimits.windowSeconds * 1000 });
  const passwords = new PasswordVerifier();
  const routeRetry = new Map(deps.config.routes.map((r) => [r.name, r.retry]));
  const members = new Map(deps.config.clients.flatMap((c) => (c.member ? [[c.id, formatMemberId(c.member)] as const] : [])));
  const recordView = (record: AuditRecord, view: PersonalDataView) => auditRecordView(record, view, members);

  /** Runs an admin action and records it, whatever its outcome, with who did it. */
  const action =
    (name: string, handler: (req: Request, res: Response) => Promise<unknown>) =>
    async (req: Request, res: Response): Promise<void> => {
      // Recorded here, with its action's name: the generic refusal recorder leaves it alone.
      res.locals.adminAudited = true;
      let failure: unknown = null;
      try {
        await handler(req, res);
      } catch (error) {
        failure = error;
        if (!res.headersSent) sendError(res, 'INTERNAL', 'the action failed');
      }
      const outcome: AuditOutcome = failure || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'rejected' : 'ok';
      // Counted with the refusals the recorder audits: the counter and the trail hold the same set.
      if (outcome !== 'ok') deps.metrics.refused.inc({ code: typeof res.locals.errorCode === 'string' ? res.locals.errorCode : 'OTHER' });
      await deps.audit
        .append({
          step: `admin.${name}`,
          outcome,
          actor: req.client?.id ?? (typeof res.locals.actor === 'string' ? res.locals.actor : null),
          client: req.client?.id ?? null,
          errorCode: typeof res.locals.errorCode === 'string' ? res.locals.errorCode : null,
          reason: typeof res.locals.errorMessage === 'string' ? res.locals.errorMessage : null,
          details: { path: req.path, status: res.statusCode, query: queryDetails(req) },
        })
        .catch(() => undefined);
    };

  /** The view the request asks for and may have; undefined when it was refused (the answer is sent). */
  const personalDataView = (req: Request, res: Response): PersonalDataView | undefined => {
    const asked = personalDataRequestOf(req);
    if (asked === undefined) return void sendError(res, 'VALIDATION_FAILED', 'personalData is mask or show', [{ field: 'personalData', problem: 'must be mask or show' }]);
    if (asked === 'mask') return MASKED_VIEW;
    if (!req.client?.canViewPersonalData) return void sendError(res, 'PERSONAL_DATA_RIGHT_REQUIRED', 'this admin may not see personal data unmasked');
    return CLEAR_VIEW;
  };

  /** Writes who saw which messages' personal data; false (and 503 answered) when the record cannot be written. */
  const recordUnmaskedView = async (req: Request, res: Response, action: string, messageIds: (string | null)[], records: string[] = []): Promise<boolean> => {
    const ids = [...new Set(messageIds.filter((id): id is string => id !== null))];
    try {
      await deps.audit.append({
        step: 'admin.personal-data-viewed',
        outcome: 'ok',
        actor: req.client!.id,
        client: req.client!.id,
        messageId: ids.length === 1 ? ids[0]! : null,
        details: { action, messageIds: ids.slice(0, MAX_LISTED_IDS), messageCount: ids.length, records: records.slice(0, MAX_LISTED_IDS), recordCount: records.length },
      });
      return true;
    } catch {
      sendError(res, 'AUDIT_UNAVAILABLE', 'the view of personal data cannot be audited now; try again');
      return false;
    }
  };

  router.post(
    '/api/v1/admin/session',
    ...json,
    action('sign-in', async (req, res) => {
      const problems = deps.contracts.validate('bus-admin', 'SignIn', req.body);
      if (problems.length > 0) return sendError(res, 'VALIDATION_FAILED', 'give username and password', problems);
      const { username, password } = req.body as Schemas['SignIn'];
      res.locals.actor = `admin:${username}`;
      // Throttled before any hashing: guessing costs the guesser time, not the bus CPU.
      const address = req.socket.remoteAddress ?? 'unknown';
      const allowed = guard.check(username, address);
      if (!allowed.ok) {
        res.setHeader('Retry-After', String(allowed.retryAfterSeconds));
        return sendError(res, 'SIGN_IN_THROTTLED', `too many failed sign-ins for this ${allowed.by}; try again in ${allowed.retryAfterSeconds} s`);
      }
      const user = deps.config.admins.find((a) => a.username === username);
      // The same answer and about the same work whether the name or the password is wrong.
      const checked = await passwords.verify(password, user?.passwordHash ?? DUMMY_HASH);
      if (checked.kind === 'busy') {
        res.setHeader('Retry-After', '1');
        return sendError(res, 'SIGN_IN_BUSY', 'too many sign-ins at once; try again in a second');
      }
      if (!checked.valid || !user) {
        guard.failed(username, address);
        return sendError(res, 'SIGN_IN_FAILED', 'wrong username or password');
      }
      guard.succeeded(username);
      const session = deps.sessions.mint(user.username);
      const body: Schemas['Session'] = { ...session, username: user.username, canViewPersonalData: user.canViewPersonalData };
      res.json(body);
    }),
  );

  router.delete(
    '/api/v1/admin/session',
    admin,
    action('sign-out', async (_req, res) => {
      const session = res.locals.adminSession as AdminSession | undefined;
      if (!session) return sendError(res, 'NOT_A_SESSION', 'only an admin console session can be signed out; client tokens expire by themselves');
      await deps.sessions.revoke(session);
      res.status(204).end();
    }),
  );

  router.get(
    '/api/v1/admin/audit',
    admin,
    action('search', async (req, res) => {
      const view = personalDataView(req, res);
      if (!view) return;
      const query = readQuery(req.query, AUDIT_QUERY);
      if (!query.ok) return sendError(res, 'VALIDATION_FAILED', 'bad query parameters', query.problems);
      const { limit = 100, cursor, includeAdminReads = false, ...filter } = query.values;
      if (cursor !== undefined && parseAuditCursor(cursor) === null) {
        return sendError(res, 'INVALID_CURSOR', 'cursor is not one this audit log gave out; search again without it', [{ field: 'cursor', message: 'not a page cursor of this audit log' }]);
      }
      // The console's own page views would crowd out what the bus did; a search for one of those steps asks for them.
      const omitOkSteps = includeAdminReads || filter.step !== undefined ? [] : ADMIN_READ_STEPS;
      const page = await deps.audit.search({ ...filter, omitOkSteps }, { limit, cursor: cursor ?? null, order: 'newest-first' });
      const body: Schemas['AuditPage'] = { records: page.records.map((r) => recordView(r, view)), next: page.next, personalData: view.shown ? 'shown' : 'masked' };
      if (view.shown && !(await recordUnmaskedView(req, res, 'search', page.records.map((r) => r.messageId), page.records.map((r) => `${r.chainId}:${r.seq}`)))) return;
      res.json(body);
    }),
  );

  router.get(
    '/api/v1/admin/messages/:id/timeline',
    admin,
    action('timeline', async (req, res) => {
      const view = personalDataView(req, res);
      if (!view) return;
      const param = readPathParam(req, 'id');
      if (!param.ok) return sendError(res, 'VALIDATION_FAILED', 'bad message or correlation id', param.problems);
      const id = param.value;
      const message = await deps.stores.messages.get(id);
      const parts = message ? await messageParts(deps.stores.messages, deps.config.routes, message.messageId) : [];
      const records = await deps.audit.timeline(id);
      const partRecords = (await Promise.all(parts.map((p) => deps.audit.timeline(p.messageId)))).flat();
      if (!message && records.length === 0) return sendError(res, 'MESSAGE_NOT_FOUND', 'no message or correlation id like this');
      const all = dedupe([...records, ...partRecords]).sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq);
      const body: Schemas['Timeline'] = {
        message: message && statusView(message, view),
        parts: parts.map((p) => statusView(p, view)),
        records: all.map((r) => recordView(r, view)),
        traces: traceLinks(all, deps.config.observability.traceViewerUrl),
        personalData: view.shown ? 'shown' : 'masked',
      };
      const shownIds = [message?.messageId ?? id, ...parts.map((p) => p.messageId)];
      if (view.shown && !(await recordUnmaskedView(req, res, 'timeline', shownIds, all.map((r) => `${r.chainId}:${r.seq}`)))) return;
      res.json(body);
    }),
  );

  router.get(
    '/api/v1/admin/dossiers/:maHoSo',
    admin,
    action('dossier', async (req, res) => {
      const view = personalDataView(req, res);
      if (!view) return;
      const param = readPathParam(req, 'maHoSo');
      if (!param.ok) return sendError(res, 'VALIDATION_FAILED', 'bad MaHoSo', param.problems);
      const read = await readAdminDossier({ stores: deps.stores, audit: deps.audit, routes: deps.config.routes }, param.value, view, (r) => recordView(r, view));
      if (!read) return sendError(res, 'DOSSIER_NOT_FOUND', 'no message on the dossier routes names this MaHoSo');
      const shownIds = read.body.messages.map((m) => m.messageId);
      if (view.shown && !(await recordUnmaskedView(req, res, 'dossier', shownIds, read.records.map((r) => `${r.chainId}:${r.seq}`)))) return;
      res.json(read.body);
    }),
  );

  router.get(
    '/api/v1/admin/waiting',
    admin,
    action('waiting', async (req, res) => {
      const view = personalDataView(req, res);
      if (!view) return;
      const query = readQuery(req.query, WAITING_QUERY);
      if (!query.ok) return sendError(res, 'VALIDATION_FAILED', 'bad query parameters', query.problems);
      const { route, limit = 100 } = query.values;
      const waiting = await deps.stores.messages.waiting({ ...(route ? { route } : {}), limit });
      const body: Schemas['WaitingList'] = {
        items: waiting.map((m) => {
          const retry = routeRetry.get(m.route);
          return {
            messageId: m.messageId,
            correlationId: m.correlationId,
            type: m.type,
            source: m.source,
            subject: m.subject,
            route: m.route,
            attempts: m.attempts,
            maxAttempts: retry?.maxAttempts ?? deps.config.retry.maxAttempts,
            code: m.code,
            reason: view.text(m.reason),
            acceptedAt: m.acceptedAt,
            failingSince: m.failingSince,
            deadLetterAt: new Date(Date.parse(m.failingSince) + (retry?.maxAgeMs ?? deps.config.retry.maxAgeMs)).toISOString(),
          };
        }),
        personalData: view.shown ? 'shown' : 'masked',
      };
      if (view.shown && !(await recordUnmaskedView(req, res, 'waiting', waiting.map((m) => m.messageId)))) return;
      res.json(body);
    }),
  );

  router.get(
    '/api/v1/admin/dead-letters',
    admin,
    action('dead-letters', async (req, res) => {
      const view = personalDataView(req, res);
      if (!view) return;
      const query = readQuery(req.query, DEAD_LETTER_QUERY);
      if (!query.ok) return sendError(res, 'VALIDATION_FAILED', 'bad query parameters', query.problems);
      const filter: DeadLetterFilter = { limit: 100, ...query.values };
      const letters = await deps.transport.listDeadLetters(filter);
      const body: Schemas['DeadLetterList'] = {
        items: letters.map((l) => ({
          id: l.id,
          messageId: l.envelope.id,
          correlationId: l.envelope.correlationId,
          type: l.envelope.type,
          subject: l.envelope.subject,
          source: l.envelope.source,
          route: l.route,
          code: l.code,
          reason: view.text(l.reason),
          history: l.history.map((h) => ({ ...h, reason: view.text(h.reason) })),
          deadAt: l.deadAt,
          replayedAt: l.replayedAt,
          payload: view.body(l.envelope.payload),
        })),
        personalData: view.shown ? 'shown' : 'masked',
      };
      if (view.shown && !(await recordUnmaskedView(req, res, 'dead-letters', letters.map((l) => l.envelope.id)))) return;
      res.json(body);
    }),
  );

  router.post(
    '/api/v1/admin/dead-letters/replay',
    admin,
    ...json,
    action('replay', async (req, res) => {
      const problems = deps.contracts.validate('bus-admin', 'ReplayRequest', req.body);
      if (problems.length > 0) return sendError(res, 'REPLAY_FILTER_REQUIRED', 'name ids, messageId, route, type, subject or code to replay', problems);
      const request = req.body as Schemas['ReplayRequest'];
      const result = await deps.transport.replay({ ...request });
      const body: Schemas['ReplayResult'] = result;
      res.json(body);
    }),
  );

  router.get(
    '/api/v1/admin/breakers',
    admin,
    action('breakers', async (_req, res) => {
      const body: Schemas['BreakerList'] = {
        items: [...deps.breakers.values()].map((b) => ({ upstream: b.name, displayName: deps.upstreams.displayName(b.name), state: b.state() })),
      };
      res.json(body);
    }),
  );

  router.get(
    '/api/v1/admin/traffic',
    admin,
    action('traffic', async (req, res) => {
      const query = readQuery(req.query, TRAFFIC_QUERY);
      if (!query.ok) return sendError(res, 'VALIDATION_FAILED', 'bad query parameters', query.problems);
      const { hours = 3 } = query.values;
      const bucketMs = trafficBucketMs(hours);
      const to = Math.floor(Date.now() / bucketMs) * bucketMs + bucketMs;
      const from = to - hours * 3_600_000;
      const [activity, letters] = await Promise.all([
        deps.audit.activity(new Date(from).toISOString(), new Date(to).toISOString(), MAX_TRAFFIC_RECORDS),
        deps.transport.listDeadLetters({ limit: MAX_COUNTED_DEAD_LETTERS }),
      ]);
      const body: Schemas['Traffic'] = trafficReport({
        window: { from, to, bucketMs },
        records: activity.records,
        truncated: activity.truncated,
        upstreams: [...deps.breakers.values()].map((b) => ({ upstream: b.name, displayName: deps.upstreams.displayName(b.name), state: b.state(), history: deps.upstreams.history(b.name) })),
        upstreamOf: (route, stage) => deps.upstreams.upstreamOf(route, stage),
        deadLettersNow: letters.length,
      });
      res.json(body);
    }),
  );

  router.get(
    '/api/v1/admin/verification',
    admin,
    action('verify', async (_req, res) => {
      const report = await deps.audit.verify();
      const body: Schemas['Verification'] = {
        ok: report.ok,
        verifiedThroughSeq: report.chains.reduce((n, c) => n + (c.failure ? 0 : c.records), 0),
        checkedAt: new Date().toISOString(),
        unsignedTails: report.unsignedTails,
        chains: report.chains.map((c) => ({
          chainId: c.chainId,
          lastSeq: c.lastSeq,
          signedThrough: c.signedThrough,
          unsignedTail: c.unsignedTail,
          seal: c.seal && { seq: c.seal.seq, at: c.seal.at, sealedBy: c.seal.sealedBy, reason: c.seal.reason, ownerLastSeenAt: c.seal.ownerLastSeenAt },
        })),
        failure: report.failure,
        signing: { intervalMs: deps.config.audit.checkpointIntervalMs, everyRecords: deps.config.audit.checkpointEveryRecords },
      };
      res.json(body);
    }),
  );

  return router;
}

/** Ids listed in one personal-data-viewed record; the counts say how many there were. */
const MAX_LISTED_IDS = 200;

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** What an admin sees of a record: its metadata and hash; the body stays in the log. */
function auditRecordView(record: AuditRecord, view: PersonalDataView, members: ReadonlyMap<string, string>): Schemas['AuditRecord'] {
  return {
    chainId: record.chainId,
    seq: record.seq,
    at: record.at,
    step: record.step,
    outcome: record.outcome as Schemas['AuditRecord']['outcome'],
    messageId: record.messageId,
    correlationId: record.correlationId,
    subject: record.subject,
    client: record.client,
    clientMember: record.client === null ? null : (members.get(record.client) ?? null),
    route: record.route,
    errorCode: record.errorCode,
    reason: view.text(record.reason),
    durationMs: record.durationMs,
    requestBytes: record.requestBytes,
    responseBytes: record.responseBytes,
    payloadDigest: record.payloadDigest,
    actor: record.actor,
    details: record.details === null ? null : (view.body(JSON.parse(record.details) as JsonValue) as { [key: string]: unknown }),
    hash: record.hash,
  };
}

function statusView<S extends MessageStatus>(status: S, view: PersonalDataView): S {
  return { ...status, reason: view.text(status.reason) };
}

function dedupe(records: AuditRecord[]): AuditRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.chainId}:${r.seq}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const TEXT: QueryParam = { kind: 'text' };
const DATE_TIME: QueryParam = { kind: 'date-time' };

/** The audit search's parameters (contracts/openapi/bus-admin.yaml searchAudit), personalData apart. */
const AUDIT_QUERY = {
  subject: TEXT,
  messageId: TEXT,
  correlationId: TEXT,
  client: TEXT,
  route: TEXT,
  step: TEXT,
  outcome: { kind: 'enum', values: ['ok', 'rejected', 'error'] },
  since: DATE_TIME,
  until: DATE_TIME,
  limit: { kind: 'integer', min: 1, max: 1000 },
  cursor: { kind: 'text', maxLength: 1000 },
  includeAdminReads: { kind: 'boolean' },
} as const satisfies Record<string, QueryParam>;

/**
 * The admin console's own reads (page views and refreshes): left out of a search unless it asks for them
 * (includeAdminReads=true, or a step filter). Refused and failed ones stay in, as do actions and personal-data views.
 */
export const ADMIN_READ_STEPS: readonly string[] = ['admin.search', 'admin.timeline', 'admin.dossier', 'admin.waiting', 'admin.dead-letters', 'admin.breakers', 'admin.verify', 'admin.traffic'];

/** The traffic page's parameters (contracts/openapi/bus-admin.yaml getTraffic). */
const TRAFFIC_QUERY = {
  hours: { kind: 'integer', min: 1, max: 24 },
} as const satisfies Record<string, QueryParam>;

/** Records a traffic answer counts at most (a day of a province's traffic fits; the answer says when it did not). */
const MAX_TRAFFIC_RECORDS = 300_000;

/** Dead letters counted for the outstanding line (the list's own limit). */
const MAX_COUNTED_DEAD_LETTERS = 10_000;

/** Minute buckets up to 3 hours, then 5 and 10 minutes: at most 180 points a chart. */
function trafficBucketMs(hours: number): number {
  if (hours <= 3) return 60_000;
  if (hours <= 12) return 300_000;
  return 600_000;
}

/** The waiting list's parameters (contracts/openapi/bus-admin.yaml listWaiting), personalData apart. */
const WAITING_QUERY = {
  route: TEXT,
  limit: { kind: 'integer', min: 1, max: 1000 },
} as const satisfies Record<string, QueryParam>;

/** The dead-letter list's parameters (contracts/openapi/bus-admin.yaml listDeadLetters), personalData apart. */
const DEAD_LETTER_QUERY = {
  messageId: TEXT,
  route: TEXT,
  type: TEXT,
  subject: TEXT,
  code: TEXT,
  since: DATE_TIME,
  until: DATE_TIME,
  includeReplayed: { kind: 'boolean' },
  limit: { kind: 'integer', min: 1, max: 10_000 },
} as const satisfies Record<string, QueryParam>;

function queryDetails(req: Request): string {
  return Object.entries(req.query)
    .filter(([, v]) => typeof v === 'string')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('&')
    .slice(0, 500);
}
