// The HTTP-header auth scheme of the CSDL dân cư 037 endpoint: compute the headers, and check them (simulator side).
import { createHash, timingSafeEqual } from 'node:crypto';

/** What a caller needs to sign calls (vn-standards §3.2). Never logged. */
export interface PopulationCredentials {
  userName: string;
  secretKey: string;
  /** Value of the X-Road-Client header. */
  clientId: string;
  apiKey: string;
  /**
   * `url_xacthuc`, the address that goes into the token hash. The sources name it but do not say what it
   * is; the bus treats it as a configured string and defaults it to the service endpoint.
   */
  authUrl: string;
}

export type PopulationAuthHeaders = {
  Timestamp: string;
  Authorization: string;
  'X-Road-Client': string;
  ApiKey: string;
};

/** Lower-case hex SHA-256 of url_xacthuc + userName + timestamp + secretKey. */
export function authToken(credentials: PopulationCredentials, timestampMs: string): string {
  return createHash('sha256')
    .update(credentials.authUrl + credentials.userName + timestampMs + credentials.secretKey, 'utf8')
    .digest('hex');
}

export function buildAuthHeaders(credentials: PopulationCredentials, nowMs: number = Date.now()): PopulationAuthHeaders {
  const timestamp = String(Math.trunc(nowMs));
  const basic = Buffer.from(`${credentials.userName}:${authToken(credentials, timestamp)}`, 'utf8').toString('base64');
  return {
    Timestamp: timestamp,
    Authorization: `Basic ${basic}`,
    'X-Road-Client': credentials.clientId,
    ApiKey: credentials.apiKey,
  };
}

export type AuthCheckFailure =
  | 'missing-header'
  | 'stale-timestamp'
  | 'bad-authorization'
  | 'unknown-client'
  | 'bad-api-key';

export type AuthCheck = { ok: true } | { ok: false; failure: AuthCheckFailure };

/** Header lookup as node gives it: lower-case names. */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

function single(headers: IncomingHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Verifies the four auth headers against the expected credentials, allowing maxSkewMs of clock drift. */
export function checkAuthHeaders(
  headers: IncomingHeaders,
  expected: PopulationCredentials,
  nowMs: number = Date.now(),
  maxSkewMs = 5 * 60_000,
): AuthCheck {
  const timestamp = single(headers, 'Timestamp');
  const authorization = single(headers, 'Authorization');
  const clientId = single(headers, 'X-Road-Client');
  const apiKey = single(headers, 'ApiKey');
  if (!timestamp || !authorization || !clientId || !apiKey) return { ok: false, failure: 'missing-header' };
  if (!/^\d{1,15}$/.test(timestamp) || Math.abs(nowMs - Number(timestamp)) > maxSkewMs) {
    return { ok: false, failure: 'stale-timestamp' };
  }
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization)?.[1];
  const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false, failure: 'bad-authorization' };
  const userOk = sameText(decoded.slice(0, colon), expected.userName);
  const tokenOk = sameText(decoded.slice(colon + 1), authToken(expected, timestamp));
  if (!userOk || !tokenOk) return { ok: false, failure: 'bad-authorization' };
  if (!sameText(clientId, expected.clientId)) return { ok: false, failure: 'unknown-client' };
  if (!sameText(apiKey, expected.apiKey)) return { ok: false, failure: 'bad-api-key' };
  return { ok: true };
}
