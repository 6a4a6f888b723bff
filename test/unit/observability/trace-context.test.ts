// The trace context a message carries: kept when valid, dropped (never a refusal) when not; outside the payload's
// digest. The OTLP/JSON encoding of spans, and the console's trace links built from audit records.
import { createEnvelope, parseEnvelope, serializeEnvelope, traceIdOf, validTraceCarrier } from '../../../src/core/envelope';
import { exportRequest } from '../../../src/observability/otlp-json-exporter';
import { traceLinks } from '../../../src/http/admin/trace-links';
import { InMemorySpanExporter, BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { AuditRecord } from '../../../src/audit';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('a message trace context', () => {
  test('a valid traceparent crosses a transport with the envelope; the digest is the payload alone', () => {
    const plain = createEnvelope({ type: 'test.ping', source: 'c', payload: { a: 1 } });
    const traced = createEnvelope({ type: 'test.ping', source: 'c', payload: { a: 1 }, traceContext: { traceparent: TRACEPARENT, tracestate: 'lgsp=1' } });
    expect(traced.payloadDigest).toBe(plain.payloadDigest);
    expect('traceContext' in plain).toBe(false);
    expect(parseEnvelope(serializeEnvelope(traced)).traceContext).toEqual({ traceparent: TRACEPARENT, tracestate: 'lgsp=1' });
    expect(traceIdOf(traced.traceContext)).toBe(TRACE_ID);
  });

  test.each([
    ['not a string', { traceparent: 42 }],
    ['malformed', { traceparent: '00-xyz-00f067aa0ba902b7-01' }],
    ['an all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` }],
    ['an all-zero span id', { traceparent: `00-${TRACE_ID}-${'0'.repeat(16)}-01` }],
    ['not an object', 'traceparent'],
  ])('a trace context that is %s is dropped and the message still parses', (_name, traceContext) => {
    const envelope = createEnvelope({ type: 'test.ping', source: 'c', payload: { a: 1 } });
    const parsed = parseEnvelope(JSON.stringify({ ...envelope, traceContext }));
    expect(parsed.traceContext).toBeUndefined();
    expect(parsed.payload).toEqual({ a: 1 });
  });

  test('a tracestate beyond the spec length is dropped, the traceparent kept', () => {
    expect(validTraceCarrier({ traceparent: TRACEPARENT, tracestate: 'a'.repeat(513) })).toEqual({ traceparent: TRACEPARENT });
  });
});

describe('OTLP/JSON encoding', () => {
  test('ids in hex, times in nanoseconds as strings, kinds and attributes as OTLP has them', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    const span = provider.getTracer('t', '1').startSpan('POST dvcqg', { kind: SpanKind.CLIENT, attributes: { 'lgsp.attempt': 2, 'lgsp.route': 'r', ok: true, ratio: 0.5 } });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'answered 503' });
    span.end();
    await provider.forceFlush();
    const body = exportRequest(memory.getFinishedSpans()) as { resourceSpans: { scopeSpans: { scope: { name: string }; spans: Record<string, unknown>[] }[] }[] };
    const encoded = body.resourceSpans[0]!.scopeSpans[0]!;
    expect(encoded.scope.name).toBe('t');
    const out = encoded.spans[0]!;
    expect(out).toMatchObject({ name: 'POST dvcqg', kind: 3, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, status: { code: 2, message: 'answered 503' } });
    expect(out.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(out.attributes).toEqual([
      { key: 'lgsp.attempt', value: { intValue: '2' } },
      { key: 'lgsp.route', value: { stringValue: 'r' } },
      { key: 'ok', value: { boolValue: true } },
      { key: 'ratio', value: { doubleValue: 0.5 } },
    ]);
    expect('parentSpanId' in out).toBe(false);
    await provider.shutdown();
  });
});

describe('trace links of a timeline', () => {
  const record = (details: string | null) => ({ details }) as AuditRecord;
  test('each trace id once, in the order met, linked through the template; none without a template', () => {
    const other = 'a'.repeat(32);
    const records = [record(`{"attempt":1,"traceId":"${TRACE_ID}"}`), record(null), record(`{"traceId":"${other}"}`), record(`{"traceId":"${TRACE_ID}"}`), record('{"traceId":"<script>"}')];
    expect(traceLinks(records, 'http://jaeger:16686/trace/{traceId}')).toEqual([
      { traceId: TRACE_ID, url: `http://jaeger:16686/trace/${TRACE_ID}` },
      { traceId: other, url: `http://jaeger:16686/trace/${other}` },
    ]);
    expect(traceLinks(records, undefined).map((l) => l.url)).toEqual([null, null]);
  });
});
