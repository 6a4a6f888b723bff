// SQL shared by both audit stores: table layout, row ↔ record mapping, search filters and page cursors.
import { textViolation } from '../validation/text-policy';
import { DEFAULT_PAGE, MAX_PAGE } from './audit-store';
import { AuditError } from './errors';
import type { AuditFilter, AuditPage, AuditRecord, ExportAnchor, SignedCheckpoint } from './types';

export function auditSchema(p: string, bigint: 'INTEGER' | 'BIGINT'): string {
  return `
  CREATE TABLE IF NOT EXISTS ${p}records (
    chain_id TEXT NOT NULL,
    seq ${bigint} NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    step TEXT NOT NULL,
    outcome TEXT NOT NULL,
    message_id TEXT,
    correlation_id TEXT,
    subject TEXT,
    client TEXT,
    route TEXT,
    error_code TEXT,
    reason TEXT,
    started_at TEXT,
    duration_ms ${bigint},
    request_bytes ${bigint},
    response_bytes ${bigint},
    payload_digest TEXT,
    payload TEXT,
    actor TEXT,
    details TEXT,
    PRIMARY KEY (chain_id, seq)
  );
  CREATE INDEX IF NOT EXISTS ${p}records_message ON ${p}records(message_id);
  CREATE INDEX IF NOT EXISTS ${p}records_correlation ON ${p}records(correlation_id);
  CREATE INDEX IF NOT EXISTS ${p}records_subject ON ${p}records(subject);
  CREATE INDEX IF NOT EXISTS ${p}records_at ON ${p}records(at, chain_id, seq);
  CREATE TABLE IF NOT EXISTS ${p}checkpoints (
    chain_id TEXT NOT NULL,
    seq ${bigint} NOT NULL,
    head_hash TEXT NOT NULL,
    at TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (chain_id, seq)
  );
  CREATE TABLE IF NOT EXISTS ${p}anchors (
    chain_id TEXT NOT NULL,
    through_seq ${bigint} NOT NULL,
    head_hash TEXT NOT NULL,
    bundle_name TEXT NOT NULL,
    bundle_digest TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    PRIMARY KEY (chain_id, through_seq)
  );`;
}

export const RECORD_COLUMNS =
  'chain_id, seq, prev_hash, hash, at, step, outcome, message_id, correlation_id, subject, client, route, error_code, reason, started_at, duration_ms, request_bytes, response_bytes, payload_digest, payload, actor, details';

export function recordParams(r: AuditRecord): (string | number | null)[] {
  return [r.chainId, r.seq, r.prevHash, r.hash, r.at, r.step, r.outcome, r.messageId, r.correlationId, r.subject, r.client, r.route, r.errorCode, r.reason, r.startedAt, r.durationMs, r.requestBytes, r.responseBytes, r.payloadDigest, r.payload, r.actor, r.details];
}

export interface RecordRow {
  chain_id: string;
  seq: number | string;
  prev_hash: string;
  hash: string;
  at: string;
  step: string;
  outcome: string;
  message_id: string | null;
  correlation_id: string | null;
  subject: string | null;
  client: string | null;
  route: string | null;
  error_code: string | null;
  reason: string | null;
  started_at: string | null;
  duration_ms: number | string | null;
  request_bytes: number | string | null;
  response_bytes: number | string | null;
  payload_digest: string | null;
  payload: string | null;
  actor: string | null;
  details: string | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function recordFromRow(row: RecordRow): AuditRecord {
  return {
    chainId: row.chain_id,
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    at: row.at,
    step: row.step,
    outcome: row.outcome,
    messageId: row.message_id,
    correlationId: row.correlation_id,
    subject: row.subject,
    client: row.client,
    route: row.route,
    errorCode: row.error_code,
    reason: row.reason,
    startedAt: row.started_at,
    durationMs: num(row.duration_ms),
    requestBytes: num(row.request_bytes),
    responseBytes: num(row.response_bytes),
    payloadDigest: row.payload_digest,
    payload: row.payload,
    actor: row.actor,
    details: row.details,
    hash: row.hash,
  };
}

export interface CheckpointRow {
  chain_id: string;
  seq: number | string;
  head_hash: string;
  at: string;
  key_id: string;
  signature: string;
}

export function checkpointFromRow(row: CheckpointRow): SignedCheckpoint {
  return { chainId: row.chain_id, seq: Number(row.seq), headHash: row.head_hash, at: row.at, keyId: row.key_id, signature: row.signature };
}

export interface AnchorRow {
  chain_id: string;
  through_seq: number | string;
  head_hash: string;
  bundle_name: string;
  bundle_digest: string;
  exported_at: string;
}

export function anchorFromRow(row: AnchorRow): ExportAnchor {
  return { chainId: row.chain_id, throughSeq: Number(row.through_seq), headHash: row.head_hash, bundleName: row.bundle_name, bundleDigest: row.bundle_digest, exportedAt: row.exported_at };
}

/** Where a page ends: the last record's position in (at, chainId, seq) order. */
export interface AuditCursor {
  at: string;
  chainId: string;
  seq: number;
}

export function encodeCursor(record: AuditCursor): string {
  return Buffer.from(JSON.stringify([record.at, record.chainId, record.seq]), 'utf8').toString('base64url');
}

/**
 * The position a page cursor names, or null when the text is not a cursor this audit log gives out: exactly the
 * encoding of a time, a chain id and a sequence number a store can compare with (no NUL, which PostgreSQL refuses in
 * text; a safe integer, as BIGINT takes).
 */
export function parseAuditCursor(cursor: string): AuditCursor | null {
  if (!/^[A-Za-z0-9_-]{1,1000}$/.test(cursor)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return null;
  const [at, chainId, seq] = parsed as unknown[];
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || textViolation(at, 'code') !== null) return null;
  if (typeof chainId !== 'string' || chainId === '' || textViolation(chainId, 'code') !== null) return null;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return null;
  const position = { at, chainId, seq };
  return encodeCursor(position) === cursor ? position : null;
}

/** WHERE clause and parameters of a search; `ph(i)` writes the i-th (1-based) placeholder of the dialect. */
export function searchQuery(p: string, filter: AuditFilter, page: AuditPage, ph: (i: number) => string): { sql: string; params: (string | number)[]; limit: number } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: (x: string) => string, value: string | number): void => {
    params.push(value);
    where.push(clause(ph(params.length)));
  };
  const equals: [keyof AuditFilter, string][] = [
    ['subject', 'subject'],
    ['messageId', 'message_id'],
    ['correlationId', 'correlation_id'],
    ['client', 'client'],
    ['route', 'route'],
    ['step', 'step'],
    ['outcome', 'outcome'],
    ['chainId', 'chain_id'],
  ];
  for (const [key, column] of equals) {
    const value = filter[key];
    if (value !== undefined) add((x) => `${column} = ${x}`, value);
  }
  if (filter.since !== undefined) add((x) => `at >= ${x}`, filter.since);
  if (filter.until !== undefined) add((x) => `at < ${x}`, filter.until);
  if (page.cursor) {
    const c = parseAuditCursor(page.cursor);
    if (!c) throw new AuditError('the page cursor is not one this audit log gave out', 'AUDIT_INVALID_CURSOR');
    const next = (value: string | number): string => {
      params.push(value);
      return ph(params.length);
    };
    where.push(`(at > ${next(c.at)} OR (at = ${next(c.at)} AND (chain_id > ${next(c.chainId)} OR (chain_id = ${next(c.chainId)} AND seq > ${next(c.seq)}))))`);
  }
  const limit = Math.min(Math.max(1, page.limit ?? DEFAULT_PAGE), MAX_PAGE);
  const sql = `SELECT ${RECORD_COLUMNS} FROM ${p}records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at, chain_id, seq LIMIT ${limit + 1}`;
  return { sql, params, limit };
}
