// A span exporter sending OTLP/HTTP JSON (https://opentelemetry.io/docs/specs/otlp/#otlphttp) to a collector on the
// bus's own HTTP client (UpstreamPool). The exporter package's transport loads node:http through a dynamic import,
// which a host running the bus in a VM context (jest) cannot do; OTLP/JSON is small enough to write here.
// Its calls make no spans and carry no traceparent: an export traced would be exported again, without end.
import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { UpstreamPool } from '../upstreams/http-kit/upstream-pool';

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: OtlpAnyValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** An export that gets no answer within this time fails (the batch is dropped; tracing never holds the bus up). */
const EXPORT_TIMEOUT_MS = 10_000;

export class OtlpJsonSpanExporter implements SpanExporter {
  private readonly pool: UpstreamPool;
  private pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(url: string) {
    this.pool = new UpstreamPool({ baseUrl: url, traced: false, connections: 2, timeoutMs: EXPORT_TIMEOUT_MS, maxAnswerBytes: 64 * 1024 });
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.stopped) {
      done({ code: ExportResultCode.FAILED, error: new Error('the exporter is shut down') });
      return;
    }
    const sent = this.send(spans).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: unknown) => done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
    );
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
    await this.pool.close();
  }

  private async send(spans: ReadableSpan[]): Promise<void> {
    const answer = await this.pool.post('', JSON.stringify(exportRequest(spans)), { headers: { 'content-type': 'application/json' } });
    if (answer.status >= 300) throw new Error(`the collector answered ${answer.status}`);
  }
}

/** An ExportTraceServiceRequest in OTLP/JSON: spans grouped by resource, then by instrumentation scope. */
export function exportRequest(spans: readonly ReadableSpan[]): { resourceSpans: unknown[] } {
  const byResource = new Map<ReadableSpan['resource'], Map<string, ReadableSpan[]>>();
  for (const span of spans) {
    const scopes = byResource.get(span.resource) ?? new Map<string, ReadableSpan[]>();
    byResource.set(span.resource, scopes);
    const scopeKey = `${span.instrumentationScope.name}@${span.instrumentationScope.version ?? ''}`;
    scopes.set(scopeKey, [...(scopes.get(scopeKey) ?? []), span]);
  }
  return {
    resourceSpans: [...byResource].map(([resource, scopes]) => ({
      resource: { attributes: keyValues(resource.attributes) },
      scopeSpans: [...scopes.values()].map((scoped) => ({
        scope: { name: scoped[0]!.instrumentationScope.name, version: scoped[0]!.instrumentationScope.version ?? '' },
        spans: scoped.map(spanOf),
      })),
    })),
  };
}

function spanOf(span: ReadableSpan) {
  const context = span.spanContext();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    ...(span.parentSpanContext ? { parentSpanId: span.parentSpanContext.spanId } : {}),
    ...(context.traceState ? { traceState: context.traceState.serialize() } : {}),
    name: span.name,
    // The API's kinds start at INTERNAL = 0; OTLP's at UNSPECIFIED = 0, INTERNAL = 1.
    kind: span.kind + 1,
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
    attributes: keyValues(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((event) => ({ timeUnixNano: nanos(event.time), name: event.name, attributes: keyValues(event.attributes ?? {}) })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId, attributes: keyValues(link.attributes ?? {}) })),
    droppedLinksCount: span.droppedLinksCount,
    status: { code: span.status.code, ...(span.status.message ? { message: span.status.message } : {}) },
  };
}

function nanos([seconds, nanoseconds]: HrTime): string {
  return (BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds)).toString();
}

function keyValues(attributes: Attributes): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out.push({ key, value: anyValue(value) });
  return out;
}

function anyValue(value: AttributeValue | null | undefined): OtlpAnyValue {
  if (Array.isArray(value)) return { arrayValue: { values: (value as readonly (string | number | boolean | null | undefined)[]).map(anyValue) } };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return {};
}
