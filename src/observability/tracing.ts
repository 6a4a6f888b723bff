// Distributed tracing with OpenTelemetry: a bus's tracer provider exporting over OTLP/HTTP when `observability.otlp`
// is configured, and the helpers every hop uses to open spans and pass W3C Trace Context on.
//
// Rules: with OTLP off nothing is registered and no span is made (the helpers find no tracer and run the work as it
// is). A bus's tracer travels in the OpenTelemetry context next to the active span, not in the global API, so several
// buses in one process (tests, an intake-only and a consuming instance) each export to their own collector. Spans are
// made only where a traced request or message is under way: a hop never starts a trace of its own except at intake.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  context,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { validTraceCarrier, type TraceCarrier } from '../core/envelope';
import { OtlpJsonSpanExporter } from './otlp-json-exporter';

export { SpanKind, type Span };

/** The bus's own span attribute names (the semantic conventions have none for these). */
export const TRACE_ATTR = {
  route: 'lgsp.route',
  step: 'lgsp.step',
  stepKind: 'lgsp.step.kind',
  adapter: 'lgsp.adapter',
  attempt: 'lgsp.attempt',
  outcome: 'lgsp.outcome',
  code: 'lgsp.code',
  messageId: 'lgsp.message.id',
  messageType: 'lgsp.message.type',
  /** The dossier code of a dossier message. */
  maHoSo: 'lgsp.dossier.ma_ho_so',
  /** The edXML DocumentId of an e-document message. */
  documentId: 'lgsp.edoc.document_id',
} as const;

export interface ObservabilityConfig {
  otlp?: { url: string; serviceName: string; exportDelayMs: number };
}

/** One bus's tracing: on (a provider exporting to its collector) or off (nothing made, nothing sent). */
export interface BusTracing {
  readonly enabled: boolean;
  /** Runs `work` in a span continuing `carrier`'s trace (a new trace when there is none); off: runs it as it is. */
  inTrace<T>(carrier: TraceCarrier | undefined, name: string, options: SpanOptions, work: (span: Span | undefined) => Promise<T>): Promise<T>;
  /**
   * A span the caller ends (a request's, ended when its answer is sent), continuing `carrier`'s trace, and the context
   * to run its work in; null when tracing is off.
   */
  startSpan(carrier: TraceCarrier | undefined, name: string, options: SpanOptions): { span: Span; context: Context } | null;
  /** Sends the spans still waiting and stops exporting. */
  shutdown(): Promise<void>;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
}

const TRACER = createContextKey('lgsp-bus tracer');
const propagator = new W3CTraceContextPropagator();

export const TRACING_OFF: BusTracing = {
  enabled: false,
  inTrace: (_carrier, _name, _options, work) => work(undefined),
  startSpan: () => null,
  shutdown: async () => undefined,
};

let contextManagerReady = false;

/**
 * The async context manager carries the active span across awaits. It is registered once in the process, by the first
 * bus that traces (a process whose buses do not trace pays nothing for it); another one registered first is kept.
 */
function ensureContextManager(): void {
  if (contextManagerReady) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerReady = true;
}

export function openTracing(config: ObservabilityConfig, version: string): BusTracing {
  const otlp = config.otlp;
  if (!otlp) return TRACING_OFF;
  ensureContextManager();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: otlp.serviceName, [ATTR_SERVICE_VERSION]: version }),
    spanProcessors: [new BatchSpanProcessor(new OtlpJsonSpanExporter(otlp.url), { scheduledDelayMillis: otlp.exportDelayMs })],
  });
  const tracer = provider.getTracer('lgsp-bus', version);
  const parentOf = (carrier: TraceCarrier | undefined): Context => {
    const base = ROOT_CONTEXT.setValue(TRACER, tracer);
    return carrier ? propagator.extract(base, carrier, defaultTextMapGetter) : base;
  };
  return {
    enabled: true,
    inTrace(carrier, name, options, work) {
      return context.with(parentOf(carrier), () => runSpan(tracer, name, options, work));
    },
    startSpan(carrier, name, options) {
      const parent = parentOf(carrier);
      const span = tracer.startSpan(name, options, parent);
      return { span, context: trace.setSpan(parent, span) };
    },
    shutdown: () => provider.shutdown(),
  };
}

/** The tracer of the trace under way, if any. */
function activeTracer(): Tracer | undefined {
  return context.active().getValue(TRACER) as Tracer | undefined;
}

/** True while a trace is under way here (a span may be made); false whenever tracing is off. */
export function traceActive(): boolean {
  return activeTracer() !== undefined;
}

/**
 * Runs `work` in a child span of the trace under way; with none (tracing off, an untraced caller) runs it as it is.
 * The options may be given as a function, called only when a span is made: untraced work builds no attributes.
 */
export function withSpan<T>(name: string, options: SpanOptions | (() => SpanOptions), work: (span: Span | undefined) => Promise<T>): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return work(undefined);
  return runSpan(tracer, name, typeof options === 'function' ? options() : options, work);
}

function runSpan<T>(tracer: Tracer, name: string, options: SpanOptions, work: (span: Span | undefined) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed with the error's message (never its cause or data: those may carry personal data). */
export function failSpan(span: Span | undefined, error: unknown, code?: string): void {
  if (!span) return;
  const message = error instanceof Error ? error.message : String(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  if (code) span.setAttribute(TRACE_ATTR.code, code);
}

/** The trace context a message accepted now carries on: the active span's, when a trace is under way. */
export function currentTraceCarrier(): TraceCarrier | undefined {
  if (!activeTracer()) return undefined;
  const carrier: Record<string, string> = {};
  propagator.inject(context.active(), carrier, defaultTextMapSetter);
  return validTraceCarrier(carrier);
}

/** The headers of an outbound call with the active span's `traceparent` (and `tracestate`) added; the same headers when none. */
export function withTraceHeaders(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!activeTracer()) return headers;
  const out: Record<string, string> = { ...headers };
  propagator.inject(context.active(), out, defaultTextMapSetter);
  return out;
}

/** The business key of a message as span attributes: the dossier code or the e-document's DocumentId. */
export function subjectAttributes(type: string, subject: string | null): Attributes {
  if (subject === null) return {};
  if (type.startsWith('dossier.')) return { [TRACE_ATTR.maHoSo]: subject };
  if (type.startsWith('edoc.')) return { [TRACE_ATTR.documentId]: subject };
  return { 'lgsp.subject': subject };
}

/** Binds an incoming request's streams and handlers to a context (body parsers read in the socket's own context). */
export function bindToContext(ctx: Context, emitters: readonly NodeJS.EventEmitter[]): void {
  for (const emitter of emitters) context.bind(ctx, emitter);
}

/** Runs `work` with `ctx` active. */
export function inContext<T>(ctx: Context, work: () => T): T {
  return context.with(ctx, work);
}
