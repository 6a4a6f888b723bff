// A flow is one business capability (dossier sync, e-document exchange) plugged into the bus: its config section,
// its HTTP/SOAP endpoints, and the enrichers, transformers and adapters its routes name.
import type { Router } from 'express';
import type { z } from 'zod';
import type { BusConfig } from '../config/load-config';
import type { BreakerConfig } from '../config/schema';
import type { ContractValidator } from '../gateway/contract-validator';
import type { Right } from '../gateway/rights';
import type { MessageIntake } from '../intake/message-intake';
import type { Logger } from '../observability/logger';
import type { BusMetrics } from '../observability/metrics';
import type { UpstreamBreaker } from '../resilience/breaker';
import type { RouteTable } from '../routing/route-table';
import type { StepRegistry } from '../routing/step-registry';
import type { Stores } from '../stores/stores';
import type { Transport } from '../transport/transport';
import type { RequestHandler } from 'express';

export interface FlowContext<C> {
  /** This flow's section of bus.yaml (`flows.<name>`), already validated by the flow's schema. */
  settings: C;
  config: BusConfig;
  registry: StepRegistry;
  routes: RouteTable;
  stores: Stores;
  transport: Transport;
  intake: MessageIntake;
  contracts: ContractValidator;
  metrics: BusMetrics;
  logger: Logger;
  /** Mounted on the gateway after health and metrics, before the 404 handler. */
  router: Router;
  /**
   * Bearer JWT, role, and when `right` is named, that right (403 RIGHT_REQUIRED) and the client's throttle for it
   * (429 THROTTLED).
   */
  authenticate(role: 'intake' | 'admin', right?: Right): RequestHandler;
  /** The one breaker of an upstream, created at start and shown in /metrics and the admin API. */
  breaker(upstream: string, config: BreakerConfig): UpstreamBreaker;
  /** Looks up a secret by environment variable name. */
  secret(envName: string): string | undefined;
  /** Called on shutdown, after consumers have stopped. */
  onStop(stop: () => Promise<void> | void): void;
  /** Where clients reach the bus (http.publicBaseUrl, else where it listens), for the addresses a flow serves. */
  publicBaseUrl(): string;
}

export interface Flow<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly settingsSchema: S;
  setup(context: FlowContext<z.infer<S>>): Promise<void>;
}

/** A flow with its settings type erased, as the bus runs it; the settings are parsed by the flow's own schema. */
export interface RegisteredFlow {
  readonly name: string;
  setup(context: FlowContext<unknown>): Promise<void>;
}

export function registerFlow<S extends z.ZodType>(flow: Flow<S>): RegisteredFlow {
  return {
    name: flow.name,
    setup: (context) => flow.setup({ ...context, settings: flow.settingsSchema.parse(context.settings) }),
  };
}
