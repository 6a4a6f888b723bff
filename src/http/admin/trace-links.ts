// The distributed traces a message's audit records belong to, with a link into the operator's trace viewer
// (bus.yaml observability.traceViewerUrl, `{traceId}` replaced).
import type { AuditRecord } from '../../audit';

export interface TraceLink {
  traceId: string;
  /** Null when no trace viewer is configured. */
  url: string | null;
}

const TRACE_ID = /^[0-9a-f]{32}$/;

/** The trace ids of the records' details, each once, in the order first met. */
export function traceLinks(records: readonly AuditRecord[], viewerTemplate: string | undefined): TraceLink[] {
  const seen = new Set<string>();
  for (const record of records) {
    const traceId = traceIdOfDetails(record.details);
    if (traceId !== null) seen.add(traceId);
  }
  return [...seen].map((traceId) => ({ traceId, url: viewerTemplate === undefined ? null : viewerTemplate.replaceAll('{traceId}', traceId) }));
}

function traceIdOfDetails(details: string | null): string | null {
  if (details === null || !details.includes('"traceId"')) return null;
  try {
    const parsed = JSON.parse(details) as unknown;
    const traceId = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>).traceId : undefined;
    return typeof traceId === 'string' && TRACE_ID.test(traceId) ? traceId : null;
  } catch {
    return null;
  }
}
