// Access over a real socket: per-client JWT keys (RS256, ES256, HS256 by kid) and each refusal with its code, rights per
// service (403 RIGHT_REQUIRED), and throttling of one client (429 THROTTLED, Retry-After) while another keeps its rate.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import YAML from 'yaml';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../adapters/http-push/receiver-simulator';
import { startBus, type Bus } from '../../../src/bus';
import { loadConfig, type BusConfig } from '../../../src/config/load-config';
import { mintAdminToken } from '../../../src/gateway/auth';
import { hashPassword } from '../../../src/gateway/password-hash';
import { createLogger } from '../../../src/observability/logger';
import { TEST_CLIENT, TEST_SIGNING_KEY, writeBusConfig } from '../../support/bus-process';
import { waitFor } from '../../support/env';
import { testToken } from '../../support/intake';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const HS_SECRET_ENV = 'ACCESS_TEST_HS_SECRET';
const HS_SECRET = 'per-client-hs256-secret-0123456789abcdef';
const MESSAGES = ['message.generic', 'message.status'];

const claims = (sub: string, extra: object = {}) => ({ iss: 'lgsp-bus', aud: 'lgsp-bus', sub, ...extra });
const rs = (payload: object, kid = 'rsa-1', options: jwt.SignOptions = {}) =>
  jwt.sign(payload, rsa.privateKey, { algorithm: 'RS256', keyid: kid, ...('exp' in payload ? {} : { expiresIn: 600 }), ...options });
const es = (payload: object) => jwt.sign(payload, ec.privateKey, { algorithm: 'ES256', keyid: 'es-1', expiresIn: 600 });
const hs = (payload: object) => jwt.sign(payload, HS_SECRET, { algorithm: 'HS256', keyid: 'hs-1', expiresIn: 600 });

/** An HS256 token signed by hand with any secret (jsonwebtoken refuses to sign with a PEM public key as HMAC secret). */
function hmacToken(header: object, payload: object, secret: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('access: keys, rights, throttling', () => {
  let receiver: ReceiverSimulator;
  let bus: Bus;
  let config: BusConfig;
  let dir: string;
  const now = () => Math.floor(Date.now() / 1000);
  const ping = { type: 'test.ping', subject: 'HS-1', payload: { n: 1 } };
  const post = (token: string) => request(bus.url()).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).send(ping);

  beforeAll(async () => {
    process.env[HS_SECRET_ENV] = HS_SECRET;
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-access-'));
    const configDir = writeBusConfig({ dir, amqpUrl: null, namePrefix: 'access', receiverUrl: receiver.url, port: 0 });
    const file = path.join(configDir, 'bus.yaml');
    const bus0 = YAML.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { clients: object[] };
    bus0.groups = { messaging: { rights: MESSAGES } };
    bus0.clients.push(
      { id: 'rsa-client', name: 'RS256', roles: ['intake'], rights: MESSAGES, keys: [{ kid: 'rsa-1', alg: 'RS256', publicKeyPem: rsaPublicPem }] },
      { id: 'es-client', name: 'ES256', roles: ['intake'], groups: ['messaging'], keys: [{ kid: 'es-1', alg: 'ES256', publicKeyPem: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString() }] },
      { id: 'hs-client', name: 'HS256', roles: ['intake'], rights: ['message.*'], keys: [{ kid: 'hs-1', alg: 'HS256', secretEnv: HS_SECRET_ENV }] },
      { id: 'status-only', name: 'No generic messages', roles: ['intake'], rights: ['message.status'] },
      { id: 'no-rights', name: 'Rights absent', roles: ['intake'] },
      { id: 'slow', name: 'Throttled', roles: ['intake'], rights: MESSAGES, throttle: { rate: 0.5, burst: 3 } },
      { id: 'per-service', name: 'Status calls limited', roles: ['intake'], rights: MESSAGES, throttle: { services: { 'message.status': { rate: 0.5, burst: 1 } } } },
      { id: 'steady', name: 'Same limits, own bucket', roles: ['intake'], rights: MESSAGES, throttle: { rate: 0.5, burst: 3 } },
    );
    bus0.admins = [{ username: 'admin', passwordHash: hashPassword('admin-test-password') }];
    writeFileSync(file, YAML.stringify(bus0));
    config = loadConfig({ configDir, env: {} });
    bus = await startBus(config, { logger: createLogger('silent') });
  });
  afterAll(async () => {
    await bus.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
    delete process.env[HS_SECRET_ENV];
  });

  test('RS256, ES256 and per-client HS256 tokens chosen by kid are accepted; the shared key and admin tokens still work', async () => {
    await post(rs(claims('rsa-client'))).expect(202);
    await post(es(claims('es-client'))).expect(202);
    await post(hs(claims('hs-client'))).expect(202);
    await post(testToken(TEST_CLIENT, TEST_SIGNING_KEY)).expect(202);
    const admin = mintAdminToken(config, 'admin').token;
    await request(bus.url()).get('/api/v1/admin/breakers').set('Authorization', `Bearer ${admin}`).expect(200);
  });

  test.each([
    ['alg none', () => jwt.sign(claims('rsa-client'), '', { algorithm: 'none', keyid: 'rsa-1' }), 'TOKEN_UNSIGNED'],
    ['algorithm confusion (HS256 signed with the RSA public key)', () => hmacToken({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' }, claims('rsa-client', { iat: now(), exp: now() + 600 }), rsaPublicPem), 'TOKEN_ALGORITHM_MISMATCH'],
    ['algorithm confusion without kid (shared-key path)', () => hmacToken({ alg: 'HS256', typ: 'JWT' }, claims(TEST_CLIENT, { iat: now(), exp: now() + 600 }), rsaPublicPem), 'TOKEN_SIGNATURE_INVALID'],
    ['expired', () => rs(claims('rsa-client', { iat: now() - 7200, exp: now() - 3600 })), 'TOKEN_EXPIRED'],
    ['older than maxTokenAgeSeconds', () => rs(claims('rsa-client', { iat: now() - 10 * 86400 })), 'TOKEN_EXPIRED'],
    ['not yet valid', () => rs(claims('rsa-client', { nbf: now() + 3600 })), 'TOKEN_NOT_YET_VALID'],
    ['wrong audience', () => rs(claims('rsa-client', { aud: 'another-bus' })), 'TOKEN_AUDIENCE_INVALID'],
    ['no audience', () => rs({ iss: 'lgsp-bus', sub: 'rsa-client' }), 'TOKEN_AUDIENCE_INVALID'],
    ['wrong issuer', () => rs(claims('rsa-client', { iss: 'someone-else' })), 'TOKEN_ISSUER_INVALID'],
    ['without iat while a maximum age applies', () => rs(claims('rsa-client'), 'rsa-1', { noTimestamp: true }), 'TOKEN_INVALID'],
    ['unknown kid', () => rs(claims('rsa-client'), 'rsa-9'), 'UNKNOWN_KID'],
    ['kid of another client than sub', () => rs(claims('es-client')), 'TOKEN_CLIENT_MISMATCH'],
    ['client with own keys using the shared key', () => testToken('rsa-client', TEST_SIGNING_KEY), 'KID_REQUIRED'],
    ['RS256 token signed with a key other than the configured one', () => jwt.sign(claims('rsa-client'), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, { algorithm: 'RS256', keyid: 'rsa-1', expiresIn: 60 }), 'TOKEN_SIGNATURE_INVALID'],
    ['garbage', () => 'not.a.jwt', 'TOKEN_INVALID'],
  ])('401: %s', async (_name, token, code) => {
    const res = await post(token()).expect(401);
    expect(res.body.code).toBe(code);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  test('a token within exp but older than maxTokenAgeSeconds is refused for its age, and the refusal is audited', async () => {
    const res = await post(rs(claims('rsa-client', { iat: now() - 10 * 86400, exp: now() + 600 }))).expect(401);
    expect(res.body).toEqual({ code: 'TOKEN_EXPIRED', message: 'the token is older than the maximum token age (iat)' });
    await waitFor(async () => {
      const page = await bus.audit.search({ step: 'rejected' }, { limit: 50, cursor: null });
      return page.records.some((r) => r.errorCode === 'TOKEN_EXPIRED' && r.reason === res.body.message);
    }, 5000, 'audited refusal');
  });

  test('a right missing is 403 RIGHT_REQUIRED; rights absent means none', async () => {
    expect((await post(testToken('status-only', TEST_SIGNING_KEY)).expect(403)).body).toMatchObject({ code: 'RIGHT_REQUIRED' });
    await request(bus.url()).get('/api/v1/messages/00000000-0000-0000-0000-000000000000').set('Authorization', `Bearer ${testToken('status-only', TEST_SIGNING_KEY)}`).expect(404);
    expect((await post(testToken('no-rights', TEST_SIGNING_KEY)).expect(403)).body.code).toBe('RIGHT_REQUIRED');
  });

  test('one client is throttled (429 THROTTLED, Retry-After) while another keeps its full rate', async () => {
    const slow = testToken('slow', TEST_SIGNING_KEY);
    const steady = testToken('steady', TEST_SIGNING_KEY);
    for (let i = 0; i < 3; i++) await post(slow).expect(202);
    const refused = await post(slow).expect(429);
    expect(refused.body.code).toBe('THROTTLED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The other client, same limits, its own bucket: its whole burst is still there.
    for (let i = 0; i < 3; i++) await post(steady).expect(202);
    expect((await post(steady).expect(429)).body.code).toBe('THROTTLED');
  });

  test('a per-service limit throttles that service only', async () => {
    const token = testToken('per-service', TEST_SIGNING_KEY);
    const status = () => request(bus.url()).get('/api/v1/messages/00000000-0000-0000-0000-000000000000').set('Authorization', `Bearer ${token}`);
    await status().expect(404);
    const res = await status().expect(429);
    expect(res.body).toMatchObject({ code: 'THROTTLED', message: expect.stringMatching(/message\.status/) });
    for (let i = 0; i < 5; i++) await post(token).expect(202);
  });
});
