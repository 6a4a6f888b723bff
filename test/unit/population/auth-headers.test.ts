import { createHash } from 'node:crypto';
import { authToken, buildAuthHeaders, checkAuthHeaders, type PopulationCredentials } from '../../../src/upstreams/population';

const credentials: PopulationCredentials = {
  userName: 'lgsp_binhphuoc',
  secretKey: 'not-a-real-secret',
  clientId: 'VN/GOV/000.00.00.H10/LGSP',
  apiKey: 'demo-api-key',
  authUrl: 'https://csdl.example.gov.vn/dancu/xacthuc',
};
const now = 1_750_000_000_000;

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

describe('population auth headers', () => {
  test('token is hex SHA-256 of url_xacthuc + userName + timestamp + secretKey', () => {
    const expected = createHash('sha256')
      .update('https://csdl.example.gov.vn/dancu/xacthuclgsp_binhphuoc1750000000000not-a-real-secret')
      .digest('hex');
    expect(authToken(credentials, '1750000000000')).toBe(expected);
  });

  test('headers: Timestamp in ms, Basic user:token, X-Road-Client, ApiKey', () => {
    const headers = buildAuthHeaders(credentials, now);
    expect(headers.Timestamp).toBe('1750000000000');
    const decoded = Buffer.from(headers.Authorization.replace(/^Basic /, ''), 'base64').toString('utf8');
    expect(decoded).toBe(`lgsp_binhphuoc:${authToken(credentials, '1750000000000')}`);
    expect(headers['X-Road-Client']).toBe(credentials.clientId);
    expect(headers.ApiKey).toBe(credentials.apiKey);
  });

  test('a fresh, correct set passes the check', () => {
    expect(checkAuthHeaders(lowerCased(buildAuthHeaders(credentials, now)), credentials, now + 1000)).toEqual({ ok: true });
  });

  test.each([
    ['wrong secret', { ...credentials, secretKey: 'other' }, now, 'bad-authorization'],
    ['wrong user', { ...credentials, userName: 'other' }, now, 'bad-authorization'],
    ['wrong auth url', { ...credentials, authUrl: 'https://elsewhere' }, now, 'bad-authorization'],
    ['wrong client', { ...credentials, clientId: 'other' }, now, 'unknown-client'],
    ['wrong api key', { ...credentials, apiKey: 'other' }, now, 'bad-api-key'],
    ['stale timestamp', credentials, now - 10 * 60_000, 'stale-timestamp'],
  ])('%s is refused', (_label, signedWith, signedAt, failure) => {
    const headers = lowerCased(buildAuthHeaders(signedWith, signedAt));
    expect(checkAuthHeaders(headers, credentials, now)).toEqual({ ok: false, failure });
  });

  test('missing headers are refused', () => {
    const headers = lowerCased(buildAuthHeaders(credentials, now));
    delete headers.apikey;
    expect(checkAuthHeaders(headers, credentials, now)).toEqual({ ok: false, failure: 'missing-header' });
  });
});
