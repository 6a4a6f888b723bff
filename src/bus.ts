// Composition root: builds the stores, transport, adapters, breakers, route consumers and HTTP gateway from config,
// and owns start and graceful stop.
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createExpressServer } from './http/express-server';
import path from 'node:path';
import { createAdapter } from './messaging/delivery/generic-adapters';
import { httpProbe } from './upstreams/http-kit/http-probe';
import express from 'express';
import { ConfigError, CORE_SECRETS, type BusConfig } from './config/load-config';
import type { BreakerConfig } from './config/schema';
import { loadFlows } from './flows';
import { authenticate, authenticateAdmin, authenticateClientOrAdmin } from './http/auth/auth';
import { AdminSessions } from './http/auth/admin-sessions';
import { ContractValidator } from './http/contract-validator';
import { createGateway } from './http/app';
import { listenUrl, publicBaseUrl } from './http/public-base-url';
import { createLogger, safeUrl, type Logger } from './observability/logger';
import { BusMetrics } from './observability/metrics';
import { openTracing, type BusTracing } from './observability/tracing';
import { repoFile } from './core/repo-files';
import { createBreaker, type UpstreamBreaker } from './messaging/breaker';
import { measuredBreaker } from './messaging/measured-breaker';
import { UpstreamDirectory } from './messaging/upstream-directory';
import { createRouteHandler } from './messaging/route-runner';
import { RouteTable } from './messaging/route-table';
import { PipelineRegistry } from './messaging/pipeline';
import { genericPipeline, pipelineNameOf } from './messaging/generic-pipeline';
import type { DeliveryAdapter } from './messaging/delivery/adapter';
import { PostgresStores } from './stores/postgres/postgres-stores';
import { prepareDataDir } from './stores/private-files';
import { openSqlite, SqliteStores } from './stores/sqlite/sqlite-stores';
import type { Stores } from './stores/stores';
import { AmqpTransport } from './transport/amqp/amqp-transport';
import { brokerUrls } from './config/broker-addresses';
import { EmbeddedTransport } from './transport/embedded/embedded-transport';
import type { RouteTopology, Transport } from './transport/transport';
import { createSettlementObserver } from './messaging/settlement-observer';
import { SettlementRecorder } from './messaging/settlement-recorder';
import { MessageLedger } from './messaging/ledger';
import { Resequencer } from './messaging/resequencer';
import { openBusAudit } from './audit/open-bus-audit';
import { scheduleRetention, type RetentionSchedule } from './audit/retention-schedule';
import { scheduleStoreRetention, type StoreRetentionSchedule } from './stores/store-retention';
import type { AuditLog } from './audit';
import { MessageIntake } from './messaging/message-intake';
import { MessageTypeOwnership } from './messaging/message-types';

export interface Bus {
  readonly config: BusConfig;
  readonly transport: Transport;
  readonly stores: Stores;
  readonly audit: AuditLog;
  /** Present when audit.retention is configured. */
  readonly retention: RetentionSchedule | null;
  /** Deletes Idempotency-Keys and effect records past their window (config retention). */
  readonly storeRetention: StoreRetentionSchedule;
  readonly metrics: BusMetrics;
  readonly pipelines: PipelineRegistry;
  readonly logger: Logger;
  /** Spans exported over OTLP when observability.otlp is configured; off otherwise. */
  readonly tracing: BusTracing;
  /** Base URL of the HTTP gateway once listening. */
  url(): string;
  server(): Server;
  stop(): Promise<void>;
}

export interface StartBusOptions {
  logger?: Logger;
  /** Start the gateway but not the route consumers (an intake-only instance). */
  consume?: boolean;
  /** Write the start banner whatever the log level (the command line); otherwise it is an info line like any other. */
  announce?: boolean;
}

export async function startBus(config: BusConfig, options: StartBusOptions = {}): Promise<Bus> {
  const logger = options.logger ?? createLogger(config.logging.level);
  const metrics = new BusMetrics(config.routes);
  const routes = new RouteTable(config.routes);
  const pipelines = new PipelineRegistry();
  const genericAdapters = new Map<string, DeliveryAdapter>();

  const breakers = new Map<string, UpstreamBreaker>();
  const stateValue = { closed: 0, 'half-open': 1, open: 2 } as const;
  const upstreams = new UpstreamDirectory();
  const breakerFor = (name: string, breakerConfig: BreakerConfig, upstreamUrl: string, displayName?: string): UpstreamBreaker => {
    const existing = breakers.get(name);
    if (existing) return existing;
    const probeUrl = breakerConfig.probeUrl ?? upstreamUrl;
    const breaker = measuredBreaker(createBreaker(name, breakerConfig, probeUrl ? httpProbe(probeUrl) : undefined), metrics.upstreamCallSeconds);
    metrics.breakerState.set({ upstream: name }, 0);
    upstreams.add(name, displayName, breaker.state());
    breaker.onStateChange((state) => {
      upstreams.recordChange(name, state);
      metrics.breakerState.set({ upstream: name }, stateValue[state]);
      logger.warn({ upstream: name, state }, 'circuit breaker changed state');
    });
    breakers.set(name, breaker);
    return breaker;
  };
  for (const [name, adapterConfig] of Object.entries(config.adapters)) {
    genericAdapters.set(name, createAdapter(name, adapterConfig, config.secrets.find(CORE_SECRETS.adapterToken(name))));
    breakerFor(name, adapterConfig.breaker, adapterConfig.url, adapterConfig.displayName);
  }

  // What was opened so far is closed again when the start fails part-way, so a failed start leaves nothing running.
  const opened: (() => Promise<void> | void)[] = [];
  const tracing = openTracing(config.observability, busVersion());
  opened.push(() => tracing.shutdown());
  try {
    const dataDir = path.resolve(config.stores.dataDir);
    // Before anything is opened or written there; with PostgreSQL stores the directory appears only if the bus writes
    // into it (a development signing key, retention bundles), and is made private then.
    if (!config.stores.databaseUrl || existsSync(dataDir)) prepareDataDir(dataDir);
    const stores: Stores = config.stores.databaseUrl
      ? await PostgresStores.open(config.stores.databaseUrl)
      : new SqliteStores(openSqlite(path.join(dataDir, 'stores.db')));
    opened.push(() => stores.close());
    const audit = await openBusAudit(config, {
      onKeyCreated: (file, pub) => logger.warn({ file, publicKey: pub }, 'created a development audit signing key; production provides its own'),
      onSealed: (seal) => logger.warn({ chainId: seal.chainId, seq: seal.seq, reason: seal.reason, ownerLastSeenAt: seal.ownerLastSeenAt, code: 'AUDIT_CHAIN_SEALED' }, 'sealed the audit chain of a bus that is gone'),
      onChainReplaced: (previous, next) => logger.error({ previous, next, code: 'AUDIT_CHAIN_REPLACED' }, 'this bus found its audit chain sealed (its lease ran out while it lived); it goes on in a fresh chain'),
    });
    opened.push(() => audit.close());
    const retention = scheduleRetention(config, (result) => {
      if (result instanceof Error) logger.error({ err: result.message }, 'audit retention failed; nothing pruned that was not exported');
      else logger.info({ chains: result.map((r) => ({ chainId: r.chainId, throughSeq: r.throughSeq, pruned: r.pruned, bundle: r.bundleFile })) }, 'audit retention ran');
    });
    opened.push(() => retention?.stop());
    const storeRetention = scheduleStoreRetention(stores.retention, config.retention, {
      onResult: (result) => {
        if (result instanceof Error) {
          logger.error({ err: result.message, code: 'STORE_RETENTION_FAILED' }, 'store retention failed; tried again at its next interval');
          return;
        }
        metrics.pruned.inc({ kind: 'effects' }, result.effects);
        metrics.pruned.inc({ kind: 'idempotency-keys' }, result.idempotencyKeys);
        logger.info({ code: 'STORE_RETENTION_RAN', ...result }, 'store retention ran');
      },
    });
    opened.push(() => storeRetention.stop());
    const resequencer = new Resequencer(stores.sequences);
    const orderedRoutes = new Set(config.routes.filter((r) => r.ordered).map((r) => r.name));
    // Before the transport starts: records a bus that is gone had kept come before this one's.
    const recorder = new SettlementRecorder({ audit, outbox: stores.auditOutbox, logger });
    await recorder.start();
    opened.push(() => recorder.close());
    const ledger = new MessageLedger({ messages: stores.messages, audit, recorder, resequencer, orderedRoutes, metrics, logger });
    const observer = createSettlementObserver(ledger, logger);

    const topology: RouteTopology[] = config.routes.map((r) => ({ name: r.name, retry: r.retry, prefetch: r.prefetch }));
    let transport: Transport;
    let embeddedDb: ReturnType<typeof openSqlite> | null = null;
    const amqpUrls = brokerUrls(config.transport);
    if (amqpUrls.length > 0) {
      transport = new AmqpTransport({
        urls: amqpUrls,
        namePrefix: config.transport.namePrefix,
        quorumInitialGroupSize: config.transport.quorumInitialGroupSize,
        deliveryLimit: config.transport.deliveryLimit,
        // The transport's own table, in the bus's database: one list for every instance sharing the broker.
        deadLetterDatabase: config.stores.databaseUrl ? { postgresUrl: config.stores.databaseUrl } : { sqliteFile: path.join(dataDir, 'stores.db') },
        observer,
        onConnectionEvent: (event, detail) => {
          metrics.brokerConnections.inc({ event });
          logger[event === 'connected' ? 'info' : 'warn']({ event, detail }, `broker ${event}`);
        },
      });
    } else {
      embeddedDb = openSqlite(path.join(dataDir, 'queue.db'), config.transport.embeddedSynchronous);
      transport = new EmbeddedTransport({ db: embeddedDb, deliveryLimit: config.transport.deliveryLimit, observer });
      const db = embeddedDb;
      opened.push(() => void db.close());
    }
    opened.push(() => transport.close());
    await transport.start(topology);

    // Every flow the bus knows owns its types, enabled or not: a disabled flow's types stay closed to other paths.
    const ownership = new MessageTypeOwnership();
    const flows = await loadFlows();
    for (const flow of flows) ownership.own(flow.name, flow.messageTypes);
    const intake = new MessageIntake({ transport, stores, routes, pipelines, audit, ledger, metrics, logger, ownership });
    const contracts = new ContractValidator();
    const flowRouter = express.Router();
    const stopHooks: (() => Promise<void> | void)[] = [];
    // The configured port until the server listens (port 0 asks the system for one).
    let listeningPort = config.http.port;
    const publicUrl = () => publicBaseUrl(config.http, listeningPort);
    opened.push(async () => {
      for (const stop of stopHooks) await stop();
    });
    // One set of admin sessions (the development profile's key is made per instance): the admin API mints and checks
    // them, the flows' endpoints the console calls check them.
    const adminSessions = new AdminSessions(config, stores.revokedSessions);
    // Rights are declared with the flows' services (their descriptors); an endpoint asking for another is a bug.
    const declaredRight = <R extends string>(flowName: string, right: R): R => {
      if (!config.knownRights.includes(right)) throw new Error(`flow ${flowName} guards an endpoint with right ${right}, which no service declares`);
      return right;
    };
    for (const flow of flows) {
      if (!(flow.name in config.flows)) continue;
      await flow.setup({
        settings: config.flows[flow.name],
        config,
        pipelines,
        routes,
        stores,
        transport,
        intake: intake.forFlow(flow.name),
        setMessageRule: (type, rule) => ownership.setRule(flow.name, type, rule),
        contracts,
        metrics,
        logger: logger.child({ flow: flow.name }),
        router: flowRouter,
        authenticate: (right) => {
          if (right !== undefined) declaredRight(flow.name, right);
          return authenticate(config, right);
        },
        authenticateAdmin: () => authenticateAdmin(config, adminSessions),
        authenticateClientOrAdmin: (right) => authenticateClientOrAdmin(config, adminSessions, declaredRight(flow.name, right)),
        breaker: breakerFor,
        audit: (event) => audit.append(event),
        onStop: (stop) => stopHooks.push(stop),
        publicBaseUrl: publicUrl,
      });
    }
    const unruled = ownership.unruled(flows.filter((f) => f.name in config.flows).map((f) => f.name));
    if (unruled.length > 0) throw new Error(`message types with no payload rule: ${unruled.join(', ')} (each flow sets one per type it owns)`);
    // Generic routes get the pipeline their steps describe; every route's pipeline must exist.
    for (const route of config.routes) if (route.steps !== undefined) pipelines.add(genericPipeline(route, genericAdapters));
    const missing = config.routes.filter((route) => !pipelines.get(pipelineNameOf(route))).map((route) => `route ${route.name} names pipeline ${route.pipeline}`);
    if (missing.length > 0) throw new ConfigError(missing.map((m) => `routes.yaml: ${m}, which no enabled flow defines`));

    for (const route of config.routes) upstreams.addRoute(route.name, pipelines.get(pipelineNameOf(route))!);

    const deps = { ledger, effects: stores.effects, resequencer, breakers, metrics, logger, tracing };
    if (options.consume !== false) {
      for (const route of config.routes) await transport.consume(route.name, createRouteHandler(route, pipelines.get(pipelineNameOf(route))!, deps));
    }

    let draining = false;
    const app = createGateway({ config, tracing, transport, stores, audit, intake, contracts, sessions: adminSessions, metrics, logger, breakers, upstreams, flowRouter, publicBaseUrl: publicUrl, isDraining: () => draining });
    // Not app.listen(port, host, callback): express calls that callback on 'error' too, so a port in use looked started.
    const server = createExpressServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`cannot listen on ${config.http.host}:${config.http.port}: ${error.code === 'EADDRINUSE' ? 'the address is already in use' : error.message}`)),
      );
      server.once('listening', () => resolve());
      server.listen(config.http.port, config.http.host);
    });
    server.keepAliveTimeout = 65_000;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    listeningPort = port;
    if (config.http.publicBaseUrl === undefined && (config.http.host === '0.0.0.0' || config.http.host === '::')) {
      logger.warn({ address: publicUrl() }, 'http.publicBaseUrl is not set: the WSDLs address this machine only');
    }
    // The start banner, one JSON line like every other: where the bus listens and what it runs on. The command line
    // writes it whatever logging.level says (`announce`): it is how an operator, and a supervisor, learns the address.
    const url = listenUrl(config.http.host, port);
    (options.announce ? logger.child({}, { level: 'info' }) : logger).info(
      {
        code: 'BUS_STARTED',
        url,
        port,
        adminConsole: `${url}/admin/`,
        health: `${url}/healthz`,
        readiness: `${url}/readyz`,
        metrics: `${url}/metrics`,
        profile: config.development ? 'development' : 'production',
        transport: transport.kind,
        stores: stores.kind,
        broker: amqpUrls.length > 0 ? amqpUrls.map(safeUrl).join(',') : undefined,
      },
      `LGSP bus on ${url}`,
    );

    let stopping: Promise<void> | null = null;
    return {
      config,
      transport,
      stores,
      audit,
      retention,
      storeRetention,
      metrics,
      pipelines,
      logger,
      tracing,
      url: () => listenUrl(config.http.host, port),
      server: () => server,
      stop() {
        stopping ??= (async () => {
          draining = true;
          logger.info('draining: intake closed, finishing deliveries in flight');
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          const grace = setTimeout(() => server.closeAllConnections(), config.shutdown.graceMs);
          await transport.stopConsuming();
          await transport.close();
          clearTimeout(grace);
          server.closeAllConnections();
          await closed;
          for (const stop of stopHooks) await stop();
          for (const breaker of breakers.values()) breaker.shutdown();
          retention?.stop();
          storeRetention.stop();
          await recorder.close();
          await audit.close();
          await stores.close();
          embeddedDb?.close();
          // Last: the spans of the deliveries that just finished are sent before the bus is gone.
          await tracing.shutdown().catch((error: Error) => logger.warn({ err: error.message }, 'spans not all exported at stop'));
          logger.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    for (const close of opened.reverse()) await Promise.resolve().then(close).catch(() => undefined);
    throw error;
  }
}

/** The bus's version (package.json), on its spans. */
function busVersion(): string {
  const parsed = JSON.parse(readFileSync(repoFile('package.json'), 'utf8')) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : 'unknown';
}
