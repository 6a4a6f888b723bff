// A message's place in its trace: the span of its acceptance (whose context the envelope carries on through the
// transport) and the trace id each of its audit records keeps.
import type { JsonValue } from '../core/envelope';
import { traceIdOf, type Envelope } from '../core/envelope';
import { SpanKind, subjectAttributes, TRACE_ATTR, traceActive, withSpan, type Span } from '../observability/tracing';

/** What accepting a message is known by before its envelope exists. */
export interface AcceptedFacts {
  route: string;
  type: string;
  subject: string | null;
  messageId?: string;
}

/**
 * Runs an acceptance in a span of the trace under way (the intake request's, or the delivery that fans a message out):
 * the envelope made inside it carries that span's context as its trace context. Untraced: runs it as it is.
 */
export function inAcceptSpan<T>(facts: AcceptedFacts, work: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!traceActive()) return work(undefined);
  const attributes = {
    [TRACE_ATTR.route]: facts.route,
    [TRACE_ATTR.messageType]: facts.type,
    ...(facts.messageId === undefined ? {} : { [TRACE_ATTR.messageId]: facts.messageId }),
    ...subjectAttributes(facts.type, facts.subject),
  };
  return withSpan(`accept ${facts.route}`, { kind: SpanKind.PRODUCER, attributes }, work);
}

/** The trace id an audit record of the message keeps in its details (hashed with the record), when it has one. */
export function traceDetails(envelope: Envelope): { [key: string]: JsonValue } {
  const traceId = traceIdOf(envelope.traceContext);
  return traceId === null ? {} : { traceId };
}
