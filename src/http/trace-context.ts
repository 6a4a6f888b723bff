// Express middleware opening a span per intake request: it continues the caller's W3C `traceparent` (a one-stop
// system's trace) or starts a trace, and runs the rest of the request in it so every hop after carries it on.
import type { NextFunction, Request, Response } from 'express';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import { validTraceCarrier } from '../core/envelope';
import { bindToContext, failSpan, inContext, SpanKind, type BusTracing } from '../observability/tracing';

/** Requests that hand something to the bus; reads (status, console, downloads, metrics) open no span. */
const INTAKE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function traceContext(tracing: BusTracing): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (!tracing.enabled || !INTAKE_METHODS.has(req.method)) return next();
    const header = (name: string) => (typeof req.headers[name] === 'string' ? req.headers[name] : undefined);
    const carrier = validTraceCarrier({ traceparent: header('traceparent'), tracestate: header('tracestate') });
    // The path only: a query string may carry what the trace must not.
    const started = tracing.startSpan(carrier, `${req.method} ${req.path}`, {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_PATH]: req.path },
    });
    if (!started) return next();
    const { span, context } = started;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) failSpan(span, new Error(`answered ${res.statusCode}`));
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    // The body is read in the socket's own context: its events are bound to the request's, so the handlers after
    // the body parser run in the span.
    bindToContext(context, [req, res]);
    inContext(context, next);
  };
}
