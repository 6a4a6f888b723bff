// The edoc REST face: POST /api/v1/edocs (edXML package or status packet), GET /api/v1/edocs/inbox, GET /api/v1/edocs/{id}
// (the stored bytes, streamed, once they are known to be all there) and POST /api/v1/edocs/{id}/status.
import { type Request, type RequestHandler, type Response, type Router } from 'express';
import { isEdxmlStatusCode } from '../../upstreams/edxml';
import { normalizeNfc, type JsonValue } from '../../core/envelope';
import type { ContractValidator } from '../../http/contract-validator';
import { sendError } from '../../http/errors';
import { IDEMPOTENT_REPLAYED_HEADER, readIdempotencyKey } from '../../http/idempotency-key';
import { jsonBody } from '../../http/json-body';
import { readPathParam } from '../../http/query-params';
import type { Right } from '../../http/auth/rights';
import type { Logger } from '../../observability/logger';
import { acceptedBody, EDOC_CONTRACT, inboxEntryBody, statusAcceptedBody, type StatusUpdateBody } from './edoc-api-types';
import type { BodySpool } from './body-spool';
import { admitLargeBodies, type LargeBodyGate } from './large-body-gate';
import type { MailboxService } from './mailbox-service';
import type { PackageIntake } from './package-intake';
import { rawXmlBody } from './raw-body';
import type { EdocBlobStore, MailboxFilter } from './stores/edoc-store';

export interface EdocRestDeps {
  /** Bearer JWT, intake role, and the right the endpoint needs. */
  authenticate(right: Right): RequestHandler;
  intake: PackageIntake;
  mailbox: MailboxService;
  blobs: EdocBlobStore;
  contracts: ContractValidator;
  maxPackageBytes: number;
  /** Shared with the SOAP face: the caps count both. */
  largeBodies: LargeBodyGate;
  /** Where large bodies wait for their processing turn; shared with the SOAP face. */
  spool: BodySpool;
  logger: Logger;
}

export function mountEdocRestEndpoints(router: Router, deps: EdocRestDeps): void {
  const admitLarge = admitLargeBodies(deps.largeBodies, (res, refusal) => sendError(res, refusal.code, refusal.message));
  router.post('/api/v1/edocs', deps.authenticate('edoc.send'), ...rawXmlBody(deps.maxPackageBytes, admitLarge, { gate: deps.largeBodies, spool: deps.spool, logger: deps.logger }), async (req: Request, res: Response) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length === 0) return sendError(res, 'EDXML_MALFORMED_XML', 'the body is empty');
    const idempotency = readIdempotencyKey(req);
    if (!idempotency.ok) return sendError(res, 'INVALID_IDEMPOTENCY_KEY', idempotency.message);
    const outcome = await deps.intake.accept(req.client!.id, body, { idempotencyKey: idempotency.key });
    if (!outcome.ok) return sendError(res, outcome.code, outcome.message, outcome.field === undefined ? undefined : [{ field: outcome.field, message: outcome.message }]);
    deps.logger.info({ messageId: outcome.messageId, documentId: outcome.documentId, kind: outcome.kind, client: req.client!.id, replayed: outcome.replayed === true }, 'edXML accepted');
    if (outcome.replayed) res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
    res.status(202).json(acceptedBody(outcome));
  });

  router.get('/api/v1/edocs/inbox', deps.authenticate('edoc.inbox'), async (req: Request, res: Response) => {
    const filter = mailboxFilterOf(req.query);
    if (!filter.ok) return sendError(res, 'VALIDATION_FAILED', 'bad query parameters', filter.problems);
    const entries = await deps.mailbox.list(req.client!.id, filter.value);
    res.json({ items: entries.map(inboxEntryBody) });
  });

  router.get('/api/v1/edocs/:id', deps.authenticate('edoc.inbox'), async (req: Request, res: Response) => {
    const id = readPathParam(req, 'id');
    if (!id.ok) return sendError(res, 'VALIDATION_FAILED', 'bad document id', id.problems);
    const entry = await deps.mailbox.entry(req.client!.id, id.value);
    if (!entry) return sendError(res, 'EDOC_NOT_FOUND', 'no such document in your mailbox');
    // Checked before a header is sent: once the 200 is out, a missing package could only cut the connection.
    const complete = await deps.blobs.has(entry.blob).catch(() => null);
    if (complete === null) {
      res.setHeader('Retry-After', '5');
      return sendError(res, 'STORE_UNAVAILABLE', 'the bus cannot read its package store now; try again later');
    }
    if (!complete) {
      deps.logger.error({ entryId: entry.entryId, sha256: entry.blob.sha256, bytes: entry.blob.bytes }, 'stored edXML package missing');
      return sendError(res, 'EDOC_PACKAGE_MISSING', 'the stored package of this entry is missing; tell the bus operator the entry id');
    }
    res.status(200);
    res.setHeader('Content-Type', 'application/xml; charset=utf-8');
    res.setHeader('Content-Length', String(entry.blob.bytes));
    res.setHeader('X-Content-Sha256', entry.blob.sha256);
    await deps.blobs.copyTo(entry.blob, res).catch((error: Error) => {
      deps.logger.warn({ entryId: entry.entryId, err: error.message }, 'edXML download interrupted');
      res.destroy();
    });
  });

  const json = jsonBody(64 * 1024);
  router.post('/api/v1/edocs/:id/status', deps.authenticate('edoc.status'), ...json, async (req: Request, res: Response) => {
    const id = readPathParam(req, 'id');
    if (!id.ok) return sendError(res, 'VALIDATION_FAILED', 'bad document id', id.problems);
    const problems = deps.contracts.validate(EDOC_CONTRACT, 'StatusUpdate', req.body);
    if (problems.length > 0) return sendError(res, 'VALIDATION_FAILED', 'the status update is not valid', problems);
    const update = normalizeNfc(req.body as JsonValue) as unknown as StatusUpdateBody;
    if (!isEdxmlStatusCode(update.statusCode)) return sendError(res, 'VALIDATION_FAILED', 'unknown status code');
    const idempotency = readIdempotencyKey(req);
    if (!idempotency.ok) return sendError(res, 'INVALID_IDEMPOTENCY_KEY', idempotency.message);
    const outcome = await deps.mailbox.reportStatus(req.client!.id, id.value, { ...update, statusCode: update.statusCode }, { idempotencyKey: idempotency.key });
    if (!outcome.ok) return sendError(res, outcome.code, outcome.message);
    if (outcome.replayed) res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
    deps.logger.info({ messageId: outcome.messageId, entryId: id.value, documentId: outcome.documentId, statusCode: outcome.statusCode }, 'edoc status accepted');
    res.status(202).json(statusAcceptedBody(outcome));
  });
}

type FilterResult = { ok: true; value: MailboxFilter } | { ok: false; problems: { field: string; message: string }[] };

function mailboxFilterOf(query: Request['query']): FilterResult {
  const problems: { field: string; message: string }[] = [];
  const value: MailboxFilter = {};
  if (query.kind !== undefined) {
    if (query.kind === 'edoc' || query.kind === 'status') value.kind = query.kind;
    else problems.push({ field: 'kind', message: 'must be edoc or status' });
  }
  if (query.since !== undefined) {
    if (typeof query.since === 'string' && !Number.isNaN(Date.parse(query.since))) value.since = new Date(query.since).toISOString();
    else problems.push({ field: 'since', message: 'must be an ISO date-time' });
  }
  if (query.limit !== undefined) {
    if (typeof query.limit === 'string' && /^\d{1,4}$/.test(query.limit) && Number(query.limit) >= 1) value.limit = Number(query.limit);
    else problems.push({ field: 'limit', message: 'must be an integer from 1 to 5000' });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
