// The bus's HTTP face (express): health, metrics, message intake and the dead-letter admin API.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { components } from '../../contracts/generated/bus-api';
import type { BusConfig } from '../config/load-config';
import { normalizeNfc, type JsonValue } from '../core/envelope';
import type { Logger } from '../observability/logger';
import type { BusTracing } from '../observability/tracing';
import { traceContext } from './trace-context';
import type { BusMetrics } from '../observability/metrics';
import { refreshScrapeGauges } from '../observability/scrape-gauges';
import type { UpstreamBreaker } from '../messaging/breaker';
import type { MessageIntake } from '../messaging/message-intake';
import { GENERIC_ORIGIN } from '../messaging/message-types';
import { readIdempotencyKey } from './idempotency-key';
import { answerDispatch } from './dispatch-answer';
import type { Stores } from '../stores/stores';
import type { Transport } from '../transport/transport';
import { authenticate } from './auth/auth';
import type { AuditLog } from '../audit';
import { adminApiRouter } from './admin/admin-api';
import type { UpstreamDirectory } from '../messaging/upstream-directory';
import type { AdminSessions } from './auth/admin-sessions';
import { adminConsoleRouter } from './console/console-router';
import { metaApiRouter } from './meta/meta-api';
import type { ContractValidator } from './contract-validator';
import { recordRefusals } from './refusal-recorder';
import { sendError } from './errors';
import { bodyRefusalOf, jsonBody } from './json-body';
import { readPathParam } from './query-params';
import { messageParts } from './message-parts';

export interface GatewayDeps {
  config: BusConfig;
  /** Intake requests open a span continuing the caller's traceparent (when tracing is on). */
  tracing: BusTracing;
  transport: Transport;
  stores: Stores;
  audit: AuditLog;
  metrics: BusMetrics;
  logger: Logger;
  breakers: ReadonlyMap<string, UpstreamBreaker>;
  /** Each upstream's display name, breaker history and the route stages that call it (the console's traffic page). */
  upstreams: UpstreamDirectory;
  intake: MessageIntake;
  contracts: ContractValidator;
  /** The admin console's sessions: one instance, since the flows' endpoints the console calls check them too. */
  sessions: AdminSessions;
  /** Endpoints of the flows (dossiers, e-documents, SOAP services). */
  flowRouter: express.Router;
  /** Where clients reach the bus, for the addresses it serves (see public-base-url.ts). */
  publicBaseUrl(): string;
  isDraining(): boolean;
}

type IntakeBody = components['schemas']['MessageIntake'] & { payload: JsonValue };
type AcceptedBody = components['schemas']['Accepted'];

export function createGateway(deps: GatewayDeps): express.Express {
  const { config, metrics, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // Answers can carry unmasked personal data (admin views, message status): no cache may keep them, and no browser may
  // read them as another type. The console's static files set their own caching.
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(traceContext(deps.tracing));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (deps.isDraining()) return sendError(res, 'DRAINING', 'the bus is shutting down');
    const checks: Record<string, string> = { audit: deps.audit.isHealthy() ? 'ok' : (deps.audit.health().lastError ?? 'down') };
    await Promise.all([
      deps.transport.ping().then(() => (checks.transport = 'ok'), (e: Error) => (checks.transport = e.message)),
      deps.stores.ping().then(() => (checks.stores = 'ok'), (e: Error) => (checks.stores = e.message)),
    ]);
    const ok = Object.values(checks).every((v) => v === 'ok');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not-ready', checks });
  });

  app.get('/metrics', async (_req, res) => {
    await refreshScrapeGauges(metrics, { transport: deps.transport, messages: deps.stores.messages, audit: deps.audit });
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  app.use(recordRefusals(deps.audit, metrics, logger));

  app.post('/api/v1/messages', authenticate(config, 'message.generic'), ...jsonBody(config.http.bodyLimitBytes), async (req: Request, res: Response) => {
    if (deps.isDraining()) return sendError(res, 'DRAINING', 'the bus is shutting down; send again to another instance');
    const problems = deps.contracts.validate('bus-api', 'MessageIntake', req.body);
    if (problems.length > 0) return sendError(res, 'VALIDATION_FAILED', 'the message is not valid', problems);
    const idempotency = readIdempotencyKey(req);
    if (!idempotency.ok) return sendError(res, 'INVALID_IDEMPOTENCY_KEY', idempotency.message);
    const body = normalizeNfc(req.body as unknown as JsonValue) as unknown as IntakeBody;
    // The generic origin: a type owned by a flow is refused here (MESSAGE_TYPE_RESERVED), whatever the caller's rights.
    const accepted = await deps.intake.dispatch({
      idempotencyKey: idempotency.key,
      type: body.type,
      source: req.client!.id,
      destination: body.destination ?? null,
      subject: body.subject ?? null,
      correlationId: body.correlationId,
      payload: body.payload,
    }, GENERIC_ORIGIN);
    answerDispatch(res, accepted, (ok): AcceptedBody => ({
      messageId: ok.envelope.id,
      correlationId: ok.envelope.correlationId,
      route: ok.route,
      status: 'accepted',
      statusUrl: `/api/v1/messages/${ok.envelope.id}`,
    }));
  });

  app.get('/api/v1/messages/:id', authenticate(config, 'message.status'), async (req: Request, res: Response) => {
    const id = readPathParam(req, 'id');
    if (!id.ok) return sendError(res, 'VALIDATION_FAILED', 'bad message id', id.problems);
    const status = await deps.stores.messages.get(id.value);
    // Another client's message is as unknown to the caller as a message that does not exist.
    if (!status || status.source !== req.client!.id) return sendError(res, 'MESSAGE_NOT_FOUND', 'no such message for this client');
    const parts = await messageParts(deps.stores.messages, config.routes, status.messageId);
    res.json({ ...status, ...(parts.length > 0 ? { parts } : {}) });
  });

  app.use(metaApiRouter({ config, publicBaseUrl: deps.publicBaseUrl }));
  app.use(adminConsoleRouter());
  const sessions = deps.sessions;
  app.use(adminApiRouter({ config, audit: deps.audit, stores: deps.stores, transport: deps.transport, contracts: deps.contracts, breakers: deps.breakers, upstreams: deps.upstreams, sessions, metrics }));

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (deps.isDraining() && req.method !== 'GET') return sendError(res, 'DRAINING', 'the bus is shutting down; send again to another instance');
    next();
  });
  app.use(deps.flowRouter);
  app.use((_req: Request, res: Response) => sendError(res, 'NOT_FOUND', 'no such endpoint'));
  // The body parsers report bad bodies as errors with a type and status; everything else is our fault (500).
  app.use((error: Error & { status?: number; type?: string; limit?: number }, _req: Request, res: Response, _next: NextFunction) => {
    void _next;
    if (res.headersSent) return res.destroy();
    const refusal = bodyRefusalOf(error);
    if (refusal) {
      // The rest of an oversized body is not worth reading: the connection goes once the answer is out.
      if (refusal.code === 'PAYLOAD_TOO_LARGE') res.setHeader('Connection', 'close');
      return sendError(res, refusal.code, refusal.message);
    }
    if (error.status && error.status >= 400 && error.status < 500) return sendError(res, 'BAD_REQUEST', error.message);
    logger.error({ err: error.message }, 'unhandled error in request');
    sendError(res, 'INTERNAL', 'internal error');
  });
  return app;
}
