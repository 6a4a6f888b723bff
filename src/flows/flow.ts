// A flow is one business capability (dossier sync, e-document exchange) plugged into the bus: its config section,
// its HTTP/SOAP endpoints, and the typed pipelines its routes name (`pipeline:` in routes.yaml).
import type { Router } from 'express';
import type { z } from 'zod';
import type { AuditEvent, AuditRecordRef } from '../audit';
import type { BusConfig } from '../config/load-config';
import type { BreakerConfig } from '../config/schema';
import type { ContractValidator } from '../http/contract-validator';
import type { Right } from '../http/auth/rights';
import type { FlowIntake } from '../messaging/message-intake';
import type { Logger } from '../observability/logger';
import type { BusMetrics } from '../observability/metrics';
import type { UpstreamBreaker } from '../messaging/breaker';
import type { RouteTable } from '../messaging/route-table';
import type { PipelineRegistry } from '../messaging/pipeline';
import type { Stores } from '../stores/stores';
import type { Transport } from '../transport/transport';
import type { MessageTypeRule } from '../messaging/message-types';
import type { RequestHandler } from 'express';

export interface FlowContext<C> {
  /** This flow's section of bus.yaml (`flows.<name>`), already validated by the flow's schema. */
  settings: C;
  config: BusConfig;
  /** Where the flow registers its pipelines, by the names routes.yaml gives them (`pipeline:`). */
  pipelines: PipelineRegistry;
  routes: RouteTable;
  stores: Stores;
  transport: Transport;
  /** Hands this flow's messages to the transport; another flow's message types are refused. */
  intake: FlowIntake;
  /** Sets the payload rule of one of this flow's message types, run on every path into a route. */
  setMessageRule(type: string, rule: MessageTypeRule): void;
  contracts: ContractValidator;
  metrics: BusMetrics;
  logger: Logger;
  /** Mounted on the gateway after health and metrics, before the 404 handler. */
  router: Router;
  /**
   * A client token with the intake role, and when `right` is named, that right (403 RIGHT_REQUIRED) and the client's throttle for it
   * (429 THROTTLED).
   */
  authenticate(right?: Right): RequestHandler;
  /** An admin console session, or the token of a client with the admin role (the admin API's rule). */
  authenticateAdmin(): RequestHandler;
  /** An admin console session, or a client token with `right`: a read both the console and connected systems make. */
  authenticateClientOrAdmin(right: Right): RequestHandler;
  /**
   * The one breaker of an upstream, created at start and shown in /metrics and the admin API; its probe asks
   * `config.probeUrl`, or else `upstreamUrl`, whether the upstream is answering. `displayName` is the name operators
   * know the upstream by (the console shows it beside the machine id).
   */
  breaker(upstream: string, config: BreakerConfig, upstreamUrl: string, displayName?: string): UpstreamBreaker;
  /**
   * Writes a step the flow takes outside a message's route (a package fetched from an upstream, its acknowledgement)
   * into the audit trail; rejects while the audit log cannot be written.
   */
  audit(event: AuditEvent): Promise<AuditRecordRef>;
  /** Called on shutdown, after consumers have stopped. */
  onStop(stop: () => Promise<void> | void): void;
  /** Where clients reach the bus (http.publicBaseUrl, else where it listens), for the addresses a flow serves. */
  publicBaseUrl(): string;
}

export interface Flow<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  /** The message types only this flow may send (its endpoints and its own steps); each needs a rule at setup. */
  readonly messageTypes: readonly string[];
  readonly settingsSchema: S;
  setup(context: FlowContext<z.infer<S>>): Promise<void>;
}

/** A flow with its settings type erased, as the bus runs it; the settings are parsed by the flow's own schema. */
export interface RegisteredFlow {
  readonly name: string;
  readonly messageTypes: readonly string[];
  setup(context: FlowContext<unknown>): Promise<void>;
}

export function registerFlow<S extends z.ZodType>(flow: Flow<S>): RegisteredFlow {
  return {
    name: flow.name,
    messageTypes: flow.messageTypes,
    setup: (context) => flow.setup({ ...context, settings: flow.settingsSchema.parse(context.settings) }),
  };
}
