// SQL shared by both audit stores: table layout, row ↔ record mapping, search filters and page cursors.
import { textViolation } from '../core/text-policy';
import { DEFAULT_PAGE, MAX_PAGE } from './audit-store';
import { AuditError } from './errors';
import type { AuditActivity, AuditFilter, AuditPage, AuditRecord, ChainLeaseRow, ExportAnchor, SealReason, SignedCheckpoint, SignedSeal } from './types';

/** Tables of one prefix, in an order they can be dropped in. */
export function auditTables(p: string): string[] {
  return ['records', 'checkpoints', 'anchors', 'chains', 'seals'].map((t) => `${p}${t}`);
}

/** SQL of a chain's lease (open, closed or sealed) and its seal, shared by both dialects; `ph(i)` writes placeholder i, `now` the store clock in ms. */
export function leaseSql(p: string, ph: (i: number) => string, now: string) {
  return {
    claim: `INSERT INTO ${p}chains (chain_id, owner_host, owner_pid, owner_token, renewed_at_ms, lease_ms, state) VALUES (${ph(1)}, ${ph(2)}, ${ph(3)}, ${ph(4)}, ${now}, ${ph(5)}, 'open')
      ON CONFLICT (chain_id) DO UPDATE SET owner_host = excluded.owner_host, owner_pid = excluded.owner_pid, owner_token = excluded.owner_token,
      renewed_at_ms = excluded.renewed_at_ms, lease_ms = excluded.lease_ms, state = 'open' WHERE ${p}chains.state <> 'sealed' RETURNING state`,
    renew: `UPDATE ${p}chains SET renewed_at_ms = ${now} WHERE chain_id = ${ph(1)} AND state = 'open'`,
    release: `UPDATE ${p}chains SET state = 'closed' WHERE chain_id = ${ph(1)} AND state = 'open'`,
    state: `SELECT state FROM ${p}chains WHERE chain_id = ${ph(1)}`,
    open: `SELECT chain_id, owner_host, owner_pid, owner_token, renewed_at_ms, lease_ms, ${now} AS now_ms FROM ${p}chains WHERE state = 'open' ORDER BY chain_id`,
    unleased: `SELECT chain_id FROM ${p}records UNION SELECT chain_id FROM ${p}checkpoints EXCEPT SELECT chain_id FROM ${p}chains ORDER BY chain_id`,
    sealExpired: `UPDATE ${p}chains SET state = 'sealed' WHERE chain_id = ${ph(1)} AND state = 'open' AND renewed_at_ms + lease_ms < ${now} RETURNING renewed_at_ms`,
    sealOwnerGone: `UPDATE ${p}chains SET state = 'sealed' WHERE chain_id = ${ph(1)} AND state = 'open' AND owner_host = ${ph(2)} AND owner_pid = ${ph(3)} AND owner_token = ${ph(4)} RETURNING renewed_at_ms`,
    sealUnleased: `INSERT INTO ${p}chains (chain_id, owner_host, owner_pid, owner_token, renewed_at_ms, lease_ms, state) VALUES (${ph(1)}, '', 0, '', 0, 0, 'sealed') ON CONFLICT (chain_id) DO NOTHING RETURNING renewed_at_ms`,
    lastRecord: `SELECT seq, hash FROM ${p}records WHERE chain_id = ${ph(1)} ORDER BY seq DESC LIMIT 1`,
    lastCheckpoint: `SELECT seq, head_hash FROM ${p}checkpoints WHERE chain_id = ${ph(1)} ORDER BY seq DESC LIMIT 1`,
    insertSeal: `INSERT INTO ${p}seals (chain_id, seq, head_hash, at, sealed_by, reason, owner_last_seen_at, key_id, signature) VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9].map(ph).join(', ')})`,
    seal: `SELECT * FROM ${p}seals WHERE chain_id = ${ph(1)}`,
  };
}

export function sealParams(s: SignedSeal): (string | number | null)[] {
  return [s.chainId, s.seq, s.headHash, s.at, s.sealedBy, s.reason, s.ownerLastSeenAt, s.keyId, s.signature];
}

export interface SealRow {
  chain_id: string;
  seq: number | string;
  head_hash: string;
  at: string;
  sealed_by: string;
  reason: string;
  owner_last_seen_at: string | null;
  key_id: string;
  signature: string;
}

export function sealFromRow(row: SealRow): SignedSeal {
  return {
    chainId: row.chain_id,
    seq: Number(row.seq),
    headHash: row.head_hash,
    at: row.at,
    sealedBy: row.sealed_by,
    reason: row.reason as SealReason,
    ownerLastSeenAt: row.owner_last_seen_at,
    keyId: row.key_id,
    signature: row.signature,
  };
}

export interface LeaseRow {
  chain_id: string;
  owner_host: string;
  owner_pid: number | string;
  owner_token: string;
  renewed_at_ms: number | string;
  lease_ms: number | string;
  now_ms: number | string;
}

export function leaseFromRow(row: LeaseRow): ChainLeaseRow {
  return {
    chainId: row.chain_id,
    owner: { host: row.owner_host, pid: Number(row.owner_pid), token: row.owner_token },
    renewedAtMs: Number(row.renewed_at_ms),
    leaseMs: Number(row.lease_ms),
    nowMs: Number(row.now_ms),
  };
}

/** A chain's head from its last record and last checkpoint (the checkpoint left by a prune when every record went). */
export function headOf(record: { seq: number | string; hash: string } | undefined, checkpoint: { seq: number | string; head_hash: string } | undefined): { seq: number; hash: string } | null {
  if (record && (!checkpoint || Number(record.seq) >= Number(checkpoint.seq))) return { seq: Number(record.seq), hash: record.hash };
  if (checkpoint) return { seq: Number(checkpoint.seq), hash: checkpoint.head_hash };
  return null;
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

/**
 * WHERE clause, order and parameters of a search; `ph(i)` writes the i-th (1-based) placeholder of the dialect. A cursor
 * names the last record of the previous page: the next page continues past it in the page's order.
 */
export function searchQuery(p: string, filter: AuditFilter, page: AuditPage, ph: (i: number) => string): { sql: string; params: (string | number)[]; limit: number } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: (x: string) => string, value: string | number): void => {
    params.push(value);
    where.push(clause(ph(params.length)));
  };
  const equals: [Exclude<keyof AuditFilter, 'since' | 'until' | 'omitOkSteps'>, string][] = [
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
  if (filter.omitOkSteps !== undefined && filter.omitOkSteps.length > 0) {
    const steps = filter.omitOkSteps.map((step) => {
      params.push(step);
      return ph(params.length);
    });
    where.push(`NOT (outcome = 'ok' AND step IN (${steps.join(', ')}))`);
  }
  const newest = page.order === 'newest-first';
  if (page.cursor) {
    const c = parseAuditCursor(page.cursor);
    if (!c) throw new AuditError('the page cursor is not one this audit log gave out', 'AUDIT_INVALID_CURSOR');
    const next = (value: string | number): string => {
      params.push(value);
      return ph(params.length);
    };
    const after = newest ? '<' : '>';
    where.push(`(at ${after} ${next(c.at)} OR (at = ${next(c.at)} AND (chain_id ${after} ${next(c.chainId)} OR (chain_id = ${next(c.chainId)} AND seq ${after} ${next(c.seq)}))))`);
  }
  const limit = Math.min(Math.max(1, page.limit ?? DEFAULT_PAGE), MAX_PAGE);
  const order = newest ? 'at DESC, chain_id DESC, seq DESC' : 'at, chain_id, seq';
  const sql = `SELECT ${RECORD_COLUMNS} FROM ${p}records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${limit + 1}`;
  return { sql, params, limit };
}

/** What activity() reads of a record: no body, no hash, only what traffic charts count. */
export interface ActivityRow {
  at: string;
  step: string;
  outcome: string;
  route: string | null;
  error_code: string | null;
  duration_ms: number | string | null;
  details: string | null;
}

/** Records with since <= at < until, oldest first, at most limit + 1 (the one past the limit says there were more). */
export function activitySql(p: string, ph: (i: number) => string, limit: number): string {
  return `SELECT at, step, outcome, route, error_code, duration_ms, details FROM ${p}records WHERE at >= ${ph(1)} AND at < ${ph(2)} ORDER BY at LIMIT ${limit + 1}`;
}

/** The stage a step's record names (details.stage), for records of stages only; unreadable details count as none. */
export function activityFromRow(row: ActivityRow): AuditActivity {
  let stage: string | null = null;
  if (row.details !== null && row.details.includes('"stage"')) {
    try {
      const details: unknown = JSON.parse(row.details);
      if (details !== null && typeof details === 'object' && 'stage' in details && typeof details.stage === 'string') stage = details.stage;
    } catch {
      stage = null;
    }
  }
  const duration = row.duration_ms === null ? null : Number(row.duration_ms);
  return { at: row.at, step: row.step, outcome: row.outcome, route: row.route, errorCode: row.error_code, durationMs: duration, stage };
}
