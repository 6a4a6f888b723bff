// Appending the bus's own TraceHeader: to a package model, or spliced into the original bytes leaving everything else intact.
import { EdxmlError } from './errors';
import { isValidOrganId } from './organ-id';
import type { EdxmlPackage, ParsedEdxmlPackage, TraceHeader } from './types';
import { escapeText } from './xml-text';

const VIETNAM_UTC_OFFSET_MS = 7 * 60 * 60 * 1000;

/** `yyyy/MM/dd HH:mm:ss` in Vietnam time (UTC+7); the format carries no zone, so the sender's local time is assumed. */
export function formatEdxmlTimestamp(at: Date = new Date()): string {
  const local = new Date(at.getTime() + VIETNAM_UTC_OFFSET_MS);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${local.getUTCFullYear()}/${pad(local.getUTCMonth() + 1)}/${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  );
}

function assertTraceHeader(trace: TraceHeader): void {
  if (!isValidOrganId(trace.organId)) {
    throw new EdxmlError('EDXML_INVALID_ORGAN_ID', `"${trace.organId}" is not a valid organ id`, 'TraceHeaderList/TraceHeader/OrganId');
  }
  if (trace.timestamp.trim() === '') throw new EdxmlError('EDXML_MISSING_FIELD', 'required value is missing', 'TraceHeaderList/TraceHeader/Timestamp');
}

/** A copy of the package with `trace` after the existing TraceHeaders; the Signature block is carried over untouched. */
export function appendTraceHeader<P extends EdxmlPackage>(pkg: P, trace: TraceHeader): P {
  assertTraceHeader(trace);
  return { ...pkg, traceHeaderList: { ...pkg.traceHeaderList, traceHeaders: [...pkg.traceHeaderList.traceHeaders, trace] } };
}

/**
 * Inserts `trace` into the package's original bytes and returns the result as chunks: the untouched bytes before
 * the insertion point, the new TraceHeader, the untouched rest. The first and last chunks are views of
 * `pkg.source`, so nothing is copied; Buffer.concat them or write them in order to a stream.
 */
export function spliceTraceHeader(pkg: ParsedEdxmlPackage, trace: TraceHeader): Buffer[] {
  assertTraceHeader(trace);
  const { start, end, prefix, mode } = pkg.traceInsertion;
  const q = (name: string): string => (prefix === '' ? name : `${prefix}:${name}`);
  const entry =
    `<${q('TraceHeader')}><${q('OrganId')}>${escapeText(trace.organId)}</${q('OrganId')}>` +
    `<${q('Timestamp')}>${escapeText(trace.timestamp)}</${q('Timestamp')}></${q('TraceHeader')}>`;
  const inserted =
    mode === 'entry'
      ? entry
      : mode === 'close-empty-list'
        ? `>${entry}</${q('TraceHeaderList')}>`
        : `<${q('TraceHeaderList')}>${entry}</${q('TraceHeaderList')}>`;
  return [pkg.source.subarray(0, start), Buffer.from(inserted, 'utf8'), pkg.source.subarray(end)];
}
