// Access over a real socket: per-client JWT keys (RS256, ES256, HS256 by kid) and each refusal with its code, rights per
// service (403 RIGHT_REQUIRED), and throttling of one client (429 THROTTLED, Retry-After) while another keeps its rate.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';
import { startBus, type Bus } from '../../../src/bus';
import { type BusConfig } from '../../../src/config/load-config';
import { hashPassword } from '../../../src/core/password-hash';
import { createLogger } from '../../../src/observability/logger';
import { busProcessDocuments, TEST_CLIENT, TEST_SIGNING_KEY } from '../../../testkit/bus-process';
import { loadDocuments } from '../../../testkit/config/bus-documents';
import { DEVELOPMENT_PROFILE, waitFor } from '../../../testkit/env';
import { testToken } from '../../../testkit/intake';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const HS_SECRET_ENV = 'ACCESS_TEST_HS_SECRET';
const HS_SECRET = 'per-client-hs256-secret-0123456789abcdef';
const MESSAGES = ['message.generic', 'message.status'];

const ADMIN_PASSWORD = 'admin-test-password';
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
  const signIn = async (username = 'admin') => (await request(bus.url()).post('/api/v1/admin/session').send({ username, password: ADMIN_PASSWORD }).expect(200)).body.token as string;

  beforeAll(async () => {
    process.env[HS_SECRET_ENV] = HS_SECRET;
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-access-'));
    const documents = busProcessDocuments({ dir, amqpUrl: null, namePrefix: 'access', receiverUrl: receiver.url, port: 0 });
    documents.bus.groups = { messaging: { rights: MESSAGES } };
    documents.bus.clients = [
      ...(documents.bus.clients ?? []),
      { id: 'rsa-client', name: 'RS256', roles: ['intake'], rights: MESSAGES, keys: [{ kid: 'rsa-1', alg: 'RS256', publicKeyPem: rsaPublicPem }] },
      { id: 'es-client', name: 'ES256', roles: ['intake'], groups: ['messaging'], keys: [{ kid: 'es-1', alg: 'ES256', publicKeyPem: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString() }] },
      { id: 'hs-client', name: 'HS256', roles: ['intake'], rights: ['message.*'], keys: [{ kid: 'hs-1', alg: 'HS256', secretEnv: HS_SECRET_ENV }] },
      { id: 'status-only', name: 'No generic messages', roles: ['intake'], rights: ['message.status'] },
      { id: 'no-rights', name: 'Rights absent', roles: ['intake'] },
      { id: 'slow', name: 'Throttled', roles: ['intake'], rights: MESSAGES, throttle: { rate: 0.5, burst: 3 } },
      { id: 'per-service', name: 'Status calls limited', roles: ['intake'], rights: MESSAGES, throttle: { services: { 'message.status': { rate: 0.5, burst: 1 } } } },
      { id: 'steady', name: 'Same limits, own bucket', roles: ['intake'], rights: MESSAGES, throttle: { rate: 0.5, burst: 3 } },
    ];
    documents.bus.admins = [
      { username: 'admin', passwordHash: hashPassword(ADMIN_PASSWORD) },
      { username: 'auditor', passwordHash: hashPassword(ADMIN_PASSWORD), canViewPersonalData: true },
    ];
    config = loadDocuments(documents, { configDir: path.join(dir, 'config'), env: DEVELOPMENT_PROFILE });
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
    const admin = await signIn();
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
    ['issued ten years in the future (would outlive the maximum age)', () => rs(claims('rsa-client', { iat: now() + 10 * 365 * 86400, exp: now() + 10 * 365 * 86400 + 600 })), 'TOKEN_ISSUED_IN_FUTURE'],
    ['issued just past the clock tolerance', () => rs(claims('rsa-client', { iat: now() + 120, exp: now() + 600 })), 'TOKEN_ISSUED_IN_FUTURE'],
    ['without exp', () => jwt.sign(claims('rsa-client'), rsa.privateKey, { algorithm: 'RS256', keyid: 'rsa-1' }), 'TOKEN_EXPIRY_REQUIRED'],
    ['a lifetime over the maximum token age', () => rs(claims('rsa-client', { iat: now(), exp: now() + 10 * 86400 })), 'TOKEN_LIFETIME_TOO_LONG'],
    ['a crit header (RFC 7515 §4.1.11)', () => rs(claims('rsa-client'), 'rsa-1', { header: { alg: 'RS256', kid: 'rsa-1', crit: ['exp'] } as jwt.JwtHeader }), 'TOKEN_CRIT_UNSUPPORTED'],
    ['a validly signed token whose sub is a number', () => jwt.sign({ sub: 42, iss: 'lgsp-bus', aud: 'lgsp-bus' }, TEST_SIGNING_KEY, { algorithm: 'HS256', expiresIn: 600 }), 'TOKEN_SUBJECT_INVALID'],
    ['a validly signed token whose sub is an object', () => jwt.sign({ sub: { id: TEST_CLIENT }, iss: 'lgsp-bus', aud: 'lgsp-bus' }, TEST_SIGNING_KEY, { algorithm: 'HS256', expiresIn: 600 }), 'TOKEN_SUBJECT_INVALID'],
    ['an admin: subject signed with the shared client key', () => testToken('admin:admin', TEST_SIGNING_KEY), 'TOKEN_SUBJECT_INVALID'],
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

  test('every answer says no-store and nosniff (answers can carry personal data)', async () => {
    for (const res of [
      await post(testToken(TEST_CLIENT, TEST_SIGNING_KEY)).expect(202),
      await post('not.a.jwt').expect(401),
      await request(bus.url()).get('/api/v1/admin/breakers').set('Authorization', `Bearer ${await signIn()}`).expect(200),
      await request(bus.url()).get('/api/v1/nothing-here').expect(404),
    ]) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('admin sessions: a key of their own, signed out on every instance', () => {
  let receiver: ReceiverSimulator;
  let bus: Bus;
  let dir: string;
  const api = () => request(bus.url());
  const signIn = async (username: string) => (await api().post('/api/v1/admin/session').send({ username, password: ADMIN_PASSWORD }).expect(200)).body.token as string;
  const sessionKid = 'lgsp-admin-session';

  beforeAll(async () => {
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-sessions-'));
    const documents = busProcessDocuments({ dir, amqpUrl: null, namePrefix: 'sessions', receiverUrl: receiver.url, port: 0 });
    documents.bus.admins = [
      { username: 'admin', passwordHash: hashPassword(ADMIN_PASSWORD) },
      { username: 'auditor', passwordHash: hashPassword(ADMIN_PASSWORD), canViewPersonalData: true },
    ];
    bus = await startBus(loadDocuments(documents, { configDir: path.join(dir, 'config'), env: DEVELOPMENT_PROFILE }), { logger: createLogger('silent') });
    // A message with personal data in its audit record, for the forged reads below.
    await api().post('/api/v1/messages').set('Authorization', `Bearer ${testToken(TEST_CLIENT, TEST_SIGNING_KEY)}`).send({ type: 'test.ping', subject: 'HS-PD', payload: { ChuHoSo: 'Nguyễn Thị Minh Khai' } }).expect(202);
  });
  afterAll(async () => {
    await bus.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an admin: token signed with the shared client key cannot read personal data (or anything) on the admin API', async () => {
    const forged = [
      testToken('admin:auditor', TEST_SIGNING_KEY),
      // The same, dressed as a session: the session key is not the client key.
      jwt.sign({ roles: ['admin'], token_use: 'admin-session', jti: 'x' }, TEST_SIGNING_KEY, { algorithm: 'HS256', keyid: sessionKid, issuer: 'lgsp-bus', audience: 'lgsp-bus/admin-session', subject: 'admin:auditor', expiresIn: 600 }),
    ];
    for (const token of forged) {
      const res = await api().get('/api/v1/admin/audit?personalData=show').set('Authorization', `Bearer ${token}`).expect(401);
      expect(['TOKEN_SUBJECT_INVALID', 'SESSION_INVALID']).toContain(res.body.code);
      expect(JSON.stringify(res.body)).not.toContain('Minh Khai');
    }
    // The real auditor's session does see it, so the refusals above are about the forgery.
    const shown = await api().get('/api/v1/admin/audit?personalData=show&subject=HS-PD').set('Authorization', `Bearer ${await signIn('auditor')}`).expect(200);
    expect(shown.body.personalData).toBe('shown');
  });

  test('an admin session is refused on every client endpoint', async () => {
    const session = await signIn('admin');
    const intake = await api().post('/api/v1/messages').set('Authorization', `Bearer ${session}`).send({ type: 'test.ping', subject: 'HS-1', payload: {} }).expect(401);
    expect(intake.body.code).toBe('ADMIN_SESSION_NOT_ALLOWED');
    const status = await api().get('/api/v1/messages/00000000-0000-0000-0000-000000000000').set('Authorization', `Bearer ${session}`).expect(401);
    expect(status.body.code).toBe('ADMIN_SESSION_NOT_ALLOWED');
    const meta = await api().get('/api/v1/meta/services').set('Authorization', `Bearer ${session}`).expect(401);
    expect(meta.body.code).toBe('ADMIN_SESSION_NOT_ALLOWED');
  });

  test('sign-out revokes the session for its remaining lifetime; a new sign-in works; a client token cannot be signed out', async () => {
    const session = await signIn('admin');
    await api().get('/api/v1/admin/breakers').set('Authorization', `Bearer ${session}`).expect(200);
    await api().delete('/api/v1/admin/session').set('Authorization', `Bearer ${session}`).expect(204);
    const refused = await api().get('/api/v1/admin/breakers').set('Authorization', `Bearer ${session}`).expect(401);
    expect(refused.body.code).toBe('SESSION_REVOKED');
    expect(await bus.stores.revokedSessions.isRevoked((jwt.decode(session) as jwt.JwtPayload).jti!)).toBe(true);
    await api().get('/api/v1/admin/breakers').set('Authorization', `Bearer ${await signIn('admin')}`).expect(200);
    const client = await api().delete('/api/v1/admin/session').set('Authorization', `Bearer ${testToken(TEST_CLIENT, TEST_SIGNING_KEY)}`).expect(400);
    expect(client.body.code).toBe('NOT_A_SESSION');
    await waitFor(async () => (await bus.audit.search({ step: 'admin.sign-out' }, { limit: 10, cursor: null })).records.length >= 2, 5000, 'sign-outs audited');
  });
});

describe('admin sign-in: throttled per username and address, hashed off the event loop', () => {
  let receiver: ReceiverSimulator;
  let bus: Bus;
  let dir: string;
  const api = () => request(bus.url());
  const attempt = (username: string, password: string) => api().post('/api/v1/admin/session').send({ username, password });

  beforeAll(async () => {
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-sign-in-'));
    const documents = busProcessDocuments({ dir, amqpUrl: null, namePrefix: 'sign-in', receiverUrl: receiver.url, port: 0 });
    documents.bus.admins = [
      { username: 'admin', passwordHash: hashPassword(ADMIN_PASSWORD) },
      { username: 'victim', passwordHash: hashPassword(ADMIN_PASSWORD) },
    ];
    documents.bus.auth = { ...documents.bus.auth, signIn: { maxFailuresPerUsername: 3, maxFailuresPerAddress: 20, windowSeconds: 600 } };
    bus = await startBus(loadDocuments(documents, { configDir: path.join(dir, 'config'), env: DEVELOPMENT_PROFILE }), { logger: createLogger('silent') });
  });
  afterAll(async () => {
    await bus.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('password checks run off the event loop: health answers while a burst of sign-ins is still being checked', async () => {
    const burst = 12;
    let answered = 0;
    const signIns = Array.from({ length: burst }, (_, i) =>
      attempt(`guess-${i}`, 'wrong').then((res) => {
        answered++;
        return res.status;
      }),
    );
    // Once the bus is checking passwords, ask for its health: checked on the loop, it would wait for every hash.
    await waitFor(() => answered >= 1, 10_000, 'the first sign-in answered');
    await api().get('/healthz').expect(200);
    const pendingWhenHealthAnswered = burst - answered;
    expect(await Promise.all(signIns)).toEqual(Array(burst).fill(401));
    expect(pendingWhenHealthAnswered).toBeGreaterThanOrEqual(burst / 2);
  });

  test('past the limit a username is refused 429 with Retry-After before its password is checked, even the right one; audited', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt('victim', `wrong-${i}`)).status).toBe(401);
    const throttled = await attempt('victim', ADMIN_PASSWORD).expect(429);
    expect(throttled.body.code).toBe('SIGN_IN_THROTTLED');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    // Another admin is not locked out by the victim's failures.
    await attempt('admin', ADMIN_PASSWORD).expect(200);
    await waitFor(async () => {
      const page = await bus.audit.search({ step: 'admin.sign-in', outcome: 'rejected' }, { limit: 100, cursor: null });
      return page.records.some((r) => r.errorCode === 'SIGN_IN_THROTTLED');
    }, 5000, 'the throttled sign-in audited');
  });

  test('past the limit an address is refused whatever username it tries', async () => {
    let status = 0;
    for (let i = 0; i < 30 && status !== 429; i++) status = (await attempt(`someone-${i}`, 'wrong')).status;
    expect(status).toBe(429);
    const res = await attempt('admin', ADMIN_PASSWORD).expect(429);
    expect(res.body.message).toMatch(/address/);
  });
});
