// Builds and verifies the VXP axis HMAC-SHA256 header signature (XroadVnpt-sign-header / -sign-header-key / -hash-header).
//
// What the decompiled SDKVXP 2.0.1 (VnptService.addXroadVnptHashHeader) does, reproduced here:
//   1. It keeps one map of unprefixed keys: systemid, timestamp, Content-Type and the per-call keys.
//   2. Iterating that map, it sends each pair as header `XroadVnpt-<key>: <value>` and adds
//      `"XroadVnpt-<key>": "<value>"` to a Gson JsonObject; the keys alone are joined by ';'.
//   3. sign-header = JsonObject.toString() (compact JSON); hash-header = lower-case hex of
//      HMAC-SHA256(key = UTF-8 secret, message = UTF-8 sign-header).
// Uncertain points (see the report):
//   - Key order. The SDK map is a java.util.HashMap, so the JSON order is the HashMap iteration order,
//     not insertion order. `keyOrder: 'java-hashmap'` (default) reproduces it; 'insertion' keeps ours.
//     A verifier MACs the received sign-header bytes as they are, so order only matters for byte-exact
//     interoperability with a server that rebuilds the string itself.
//   - Escaping. Gson escapes like JSON.stringify except that it also escapes U+2028/U+2029; done here too.
//   - Timestamp. SimpleDateFormat("ddMMyyyy'T'HHmmss+SSSS") in the JVM zone; we format in UTC+7
//     (Asia/Ho_Chi_Minh, no DST). The SDK sets it once per service object, so servers cannot check it
//     tightly; the verifier takes an optional skew limit.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { VIETNAM_UTC_OFFSET_MS, vietnamClockFields } from '../../core/vietnam-clock';

export const AXIS_HEADER_PREFIX = 'XroadVnpt-';
export const SIGN_HEADER = `${AXIS_HEADER_PREFIX}sign-header`;
export const SIGN_HEADER_KEY = `${AXIS_HEADER_PREFIX}sign-header-key`;
export const HASH_HEADER = `${AXIS_HEADER_PREFIX}hash-header`;
export const VERSION_HEADER = `${AXIS_HEADER_PREFIX}version`;
export const SDK_VERSION = '3.0.201608';
export const SDK_USER_AGENT = 'JAVASDKAgent/1.0.0 XRoad/VPCP';

/** How the signed pairs are ordered in the sign-header JSON. */
export type SignatureKeyOrder = 'java-hashmap' | 'insertion';

export interface SigningOptions {
  keyOrder?: SignatureKeyOrder;
}

/** One signed parameter: the unprefixed key (e.g. `systemid`, `docId`) and its value. */
export type SignedPair = readonly [key: string, value: string];

export interface CanonicalSignature {
  /** The pairs in signing order. */
  pairs: SignedPair[];
  /** The exact text that is MACed and sent as XroadVnpt-sign-header. */
  signHeader: string;
  /** Unprefixed keys joined by ';', sent as XroadVnpt-sign-header-key. */
  signHeaderKey: string;
}

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit integer. */
export function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}

/**
 * Orders keys the way a java.util.HashMap<String,String> built by putting them in this order iterates:
 * by bucket index (spread hash & (capacity - 1)), ties in insertion order. Capacity starts at 16 and
 * doubles while size exceeds 0.75 × capacity; a resize keeps the relative order inside each bucket.
 */
export function javaHashMapOrder<T extends { key: string }>(entries: readonly T[]): T[] {
  let capacity = 16;
  while (entries.length > capacity * 0.75) capacity *= 2;
  const bucketOf = (key: string): number => {
    const h = javaStringHashCode(key);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return entries
    .map((entry, index) => ({ entry, index, bucket: bucketOf(entry.key) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((x) => x.entry);
}

/** JSON string literal as Gson's JsonWriter writes it (JSON.stringify plus \u2028 and \u2029). */
export function gsonQuote(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Builds the sign-header JSON and key list from the unprefixed pairs; a later duplicate key replaces an earlier value in place. */
export function canonicalSignature(pairs: readonly SignedPair[], options: SigningOptions = {}): CanonicalSignature {
  const unique = new Map<string, string>();
  for (const [key, value] of pairs) unique.set(key, value);
  const entries = [...unique].map(([key, value]) => ({ key, value }));
  const ordered = (options.keyOrder ?? 'java-hashmap') === 'java-hashmap' ? javaHashMapOrder(entries) : entries;
  const body = ordered.map((e) => `${gsonQuote(AXIS_HEADER_PREFIX + e.key)}:${gsonQuote(e.value)}`).join(',');
  return {
    pairs: ordered.map((e) => [e.key, e.value] as const),
    signHeader: `{${body}}`,
    signHeaderKey: ordered.map((e) => e.key).join(';'),
  };
}

/** Lower-case hex HMAC-SHA256 of the UTF-8 text under the UTF-8 secret. */
export function hmacSha256Hex(secret: string, text: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(text, 'utf8')).digest('hex');
}

/** Formats a time as the SDK does: ddMMyyyy'T'HHmmss+SSSS in UTC+7 (the '+' is a literal, SSSS the milliseconds). */
export function formatAxisTimestamp(date: Date): string {
  const t = vietnamClockFields(date);
  return `${t.day}${t.month}${t.year}T${t.hour}${t.minute}${t.second}+${t.millisecond}`;
}

/** Parses formatAxisTimestamp output back to a Date; null when it does not match. */
export function parseAxisTimestamp(text: string): Date | null {
  const m = /^(\d{2})(\d{2})(\d{4})T(\d{2})(\d{2})(\d{2})\+(\d{4})$/.exec(text);
  if (!m) return null;
  const [, dd, mm, yyyy, hh, mi, ss, ms] = m.map(Number) as number[];
  const utc = Date.UTC(yyyy, mm - 1, dd, hh, mi, ss, ms) - VIETNAM_UTC_OFFSET_MS;
  return Number.isNaN(utc) ? null : new Date(utc);
}

/** SHA-256 of the file for XroadVnpt-hash-file: standard hex, or the SDK form that drops each byte's leading zero. */
export function fileHashHex(digest: Buffer, form: 'hex' | 'java-sdk' = 'hex'): string {
  if (form === 'hex') return digest.toString('hex');
  let out = '';
  for (const byte of digest) out += byte.toString(16);
  return out;
}

/** SHA-256 digest of the bytes. */
export function sha256(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

export interface SignRequestInput {
  systemId: string;
  secret: string;
  contentType: string;
  /** Per-call pairs, e.g. [['servicetype','eDoc'], ['messagetype','edoc']]. */
  params: readonly SignedPair[];
  now?: Date;
  options?: SigningOptions;
}

/** Every header the SDK sends for one call: the XroadVnpt-<key> pairs, the three signature headers, version and user agent. */
export function signAxisRequest(input: SignRequestInput): Record<string, string> {
  const pairs: SignedPair[] = [
    ['timestamp', formatAxisTimestamp(input.now ?? new Date())],
    ['systemid', input.systemId],
    ['Content-Type', input.contentType],
    ...input.params,
  ];
  const canonical = canonicalSignature(pairs, input.options);
  const headers: Record<string, string> = { 'Content-Type': input.contentType };
  for (const [key, value] of canonical.pairs) headers[AXIS_HEADER_PREFIX + key] = value;
  headers[SIGN_HEADER_KEY] = canonical.signHeaderKey;
  headers[SIGN_HEADER] = canonical.signHeader;
  headers[HASH_HEADER] = hmacSha256Hex(input.secret, canonical.signHeader);
  headers['User-Agent'] = SDK_USER_AGENT;
  headers[VERSION_HEADER] = SDK_VERSION;
  return headers;
}

export type SignatureFailureCode =
  | 'AXIS_SIGNATURE_MISSING'
  | 'AXIS_SIGNATURE_MALFORMED'
  | 'AXIS_UNKNOWN_SYSTEM'
  | 'AXIS_SIGNATURE_MISMATCH'
  | 'AXIS_SIGNED_HEADER_MISMATCH'
  | 'AXIS_UNSIGNED_HEADER'
  | 'AXIS_TIMESTAMP_SKEW';

export type SignatureVerdict =
  | { ok: true; systemId: string; params: Record<string, string> }
  | { ok: false; code: SignatureFailureCode; reason: string };

export interface VerifyOptions {
  /** Looks up the secret for a system id; undefined = unknown system. */
  secretFor: (systemId: string) => string | undefined;
  /** Reject timestamps further than this from now; off when absent (the SDK stamps once per service object). */
  maxClockSkewMs?: number;
  now?: Date;
}

/** Header map as Node gives it: lower-case names. */
export type IncomingHeaderMap = Readonly<Record<string, string | string[] | undefined>>;

const META_HEADERS = new Set([SIGN_HEADER, SIGN_HEADER_KEY, HASH_HEADER, VERSION_HEADER].map((h) => h.toLowerCase()));

/**
 * Verifies a request: MACs the received sign-header bytes as sent (so any key order verifies),
 * checks each listed key against its XroadVnpt-<key> header, and refuses XroadVnpt-* headers that
 * were not signed. Returns the signed parameters by unprefixed key.
 */
export function verifyAxisRequest(headers: IncomingHeaderMap, options: VerifyOptions): SignatureVerdict {
  const one = (name: string): string | undefined => {
    const v = headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const signHeader = one(SIGN_HEADER);
  const signHeaderKey = one(SIGN_HEADER_KEY);
  const hash = one(HASH_HEADER);
  if (!signHeader || signHeaderKey === undefined || !hash) {
    return { ok: false, code: 'AXIS_SIGNATURE_MISSING', reason: 'sign-header, sign-header-key and hash-header are required' };
  }
  let signed: unknown;
  try {
    signed = JSON.parse(signHeader);
  } catch {
    return { ok: false, code: 'AXIS_SIGNATURE_MALFORMED', reason: 'sign-header is not JSON' };
  }
  if (!signed || typeof signed !== 'object' || Array.isArray(signed)) {
    return { ok: false, code: 'AXIS_SIGNATURE_MALFORMED', reason: 'sign-header is not a JSON object' };
  }
  const signedMap = signed as Record<string, unknown>;
  const keys = signHeaderKey.split(';').filter((k) => k.length > 0);
  const params = Object.create(null) as Record<string, string>;
  for (const key of keys) {
    const value = signedMap[AXIS_HEADER_PREFIX + key];
    if (typeof value !== 'string') {
      return { ok: false, code: 'AXIS_SIGNATURE_MALFORMED', reason: `key ${key} is listed but not in sign-header` };
    }
    params[key] = value;
  }
  if (Object.keys(signedMap).length !== keys.length) {
    return { ok: false, code: 'AXIS_SIGNATURE_MALFORMED', reason: 'sign-header and sign-header-key list different keys' };
  }
  const systemId = params.systemid;
  if (!systemId || !params.timestamp) {
    return { ok: false, code: 'AXIS_SIGNATURE_MALFORMED', reason: 'systemid and timestamp must be signed' };
  }
  const secret = options.secretFor(systemId);
  if (secret === undefined) return { ok: false, code: 'AXIS_UNKNOWN_SYSTEM', reason: `unknown systemid ${systemId}` };
  const expected = Buffer.from(hmacSha256Hex(secret, signHeader), 'utf8');
  const given = Buffer.from(hash.toLowerCase(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, code: 'AXIS_SIGNATURE_MISMATCH', reason: 'hash-header does not match HMAC-SHA256 of sign-header' };
  }
  const signedLower = new Set(keys.map((k) => (AXIS_HEADER_PREFIX + k).toLowerCase()));
  for (const key of keys) {
    if (one(AXIS_HEADER_PREFIX + key) !== params[key]) {
      return { ok: false, code: 'AXIS_SIGNED_HEADER_MISMATCH', reason: `header ${AXIS_HEADER_PREFIX}${key} differs from its signed value` };
    }
  }
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith(AXIS_HEADER_PREFIX.toLowerCase()) && !META_HEADERS.has(lower) && !signedLower.has(lower)) {
      return { ok: false, code: 'AXIS_UNSIGNED_HEADER', reason: `header ${name} is not covered by the signature` };
    }
  }
  if (options.maxClockSkewMs !== undefined) {
    const at = parseAxisTimestamp(params.timestamp);
    const now = (options.now ?? new Date()).getTime();
    if (!at || Math.abs(now - at.getTime()) > options.maxClockSkewMs) {
      return { ok: false, code: 'AXIS_TIMESTAMP_SKEW', reason: `timestamp ${params.timestamp} is outside the allowed skew` };
    }
  }
  return { ok: true, systemId, params };
}
