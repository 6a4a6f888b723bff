// The HTTP gateway over a real socket (supertest) on the embedded transport: intake refusals with machine-readable
// codes, health, metrics, and the dead-letter admin API from failure to replay.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';
import { startBus, type Bus } from '../../../src/bus';
import { loadBusConfig } from '../../../src/bus-config';
import { createLogger } from '../../../src/observability/logger';
import { TEST_CLIENT, TEST_SIGNING_KEY, writeBusConfig } from '../../../testkit/bus-process';
import { DEVELOPMENT_PROFILE, waitFor } from '../../../testkit/env';
import { testToken } from '../../../testkit/intake';
import jwt from 'jsonwebtoken';
import { Writable } from 'node:stream';

describe('gateway', () => {
  let receiver: ReceiverSimulator;
  let bus: Bus;
  let dir: string;
  let logs = '';
  const token = testToken(TEST_CLIENT, TEST_SIGNING_KEY);
  const ping = (payload: object = { n: 1 }) => ({ type: 'test.ping', subject: 'HS-1', payload });

  beforeAll(async () => {
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-gw-'));
    const configDir = writeBusConfig({ dir, amqpUrl: null, namePrefix: 'gw', receiverUrl: receiver.url, port: 0 });
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logs += chunk.toString()), done()) });
    bus = await startBus(loadBusConfig({ configDir, env: DEVELOPMENT_PROFILE }), { logger: createLogger('debug', sink) });
  });
  afterAll(async () => {
    await bus.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('healthz and readyz answer', async () => {
    await request(bus.url()).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(bus.url()).get('/readyz').expect(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { audit: 'ok', transport: 'ok', stores: 'ok' } });
  });

  test('an accepted message gets 202 with its id and reaches the receiver', async () => {
    const res = await request(bus.url()).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).send(ping()).expect(202);
    expect(res.body).toMatchObject({ route: 'chaos', status: 'accepted' });
    await waitFor(() => receiver.applied().some((a) => a.key === res.body.messageId), 10_000, 'delivery');
  });

  test.each([
    ['no token', undefined, 401, 'AUTH_REQUIRED'],
    ['garbage token', 'Bearer abc', 401, 'TOKEN_INVALID'],
    ['expired token', `Bearer ${jwt.sign({ exp: Math.floor(Date.now() / 1000) - 3600 }, TEST_SIGNING_KEY, { algorithm: 'HS256', issuer: 'lgsp-bus', audience: 'lgsp-bus', subject: TEST_CLIENT })}`, 401, 'TOKEN_EXPIRED'],
    ['wrong audience', `Bearer ${jwt.sign({}, TEST_SIGNING_KEY, { algorithm: 'HS256', issuer: 'lgsp-bus', audience: 'other', subject: TEST_CLIENT, expiresIn: 600 })}`, 401, 'TOKEN_AUDIENCE_INVALID'],
    ['unknown client', `Bearer ${testToken('stranger', TEST_SIGNING_KEY)}`, 401, 'UNKNOWN_CLIENT'],
    ['alg none', `Bearer ${jwt.sign({ iss: 'lgsp-bus', aud: 'lgsp-bus', sub: TEST_CLIENT }, '', { algorithm: 'none' })}`, 401, 'TOKEN_UNSIGNED'],
  ])('refused: %s', async (_name, auth, status, code) => {
    const req = request(bus.url()).post('/api/v1/messages');
    if (auth) req.set('Authorization', auth);
    const res = await req.send(ping()).expect(status);
    expect(res.body.code).toBe(code);
  });

  test('malformed JSON, wrong content type, oversized body and invalid fields get 4xx with codes', async () => {
    const post = () => request(bus.url()).post('/api/v1/messages').set('Authorization', `Bearer ${token}`);
    expect((await post().set('Content-Type', 'application/json').send('{"type":').expect(400)).body.code).toBe('MALFORMED_JSON');
    expect((await post().set('Content-Type', 'text/plain').send('hello').expect(415)).body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = JSON.stringify(ping({ blob: 'x'.repeat(2 * 1024 * 1024) }));
    expect((await post().set('Content-Type', 'application/json').send(big).expect(413)).body.code).toBe('PAYLOAD_TOO_LARGE');
    const invalid = await post().send({ type: 'NOT A TYPE', payload: {}, extra: 1 }).expect(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
    expect(invalid.body.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['/type', '/extra']));
    expect((await post().send({ type: 'no.such-route', payload: {} }).expect(422)).body.code).toBe('NO_ROUTE');
  });

  test('metrics expose per-route counters, queue depth and outbox size', async () => {
    const res = await request(bus.url()).get('/metrics').expect(200);
    expect(res.text).toMatch(/lgsp_messages_accepted_total\{route="chaos",type="test.ping"\} \d+/);
    expect(res.text).toMatch(/lgsp_queue_depth\{route="chaos"\} \d+/);
    expect(res.text).toMatch(/lgsp_outbox_size \d+/);
    expect(res.text).toMatch(/lgsp_intake_refused_total\{code="MALFORMED_JSON"\} 1/);
    expect(res.text).toMatch(/lgsp_breaker_state\{upstream="receiver"\} 0/);
  });

  test('an upstream refusal dead-letters the message; an admin lists it and replays it to delivery', async () => {
    receiver.control.setFault({ mode: 'fail', status: 422, durationMs: 60_000 });
    const res = await request(bus.url()).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).send(ping({ n: 42 })).expect(202);
    const id = res.body.messageId as string;
    const letters = await waitFor(async () => {
      const list = await request(bus.url()).get(`/api/v1/admin/dead-letters?messageId=${id}`).set('Authorization', `Bearer ${token}`).expect(200);
      return list.body.items.length === 1 ? list.body.items : null;
    }, 10_000, 'dead letter');
    expect(letters[0]).toMatchObject({ messageId: id, route: 'chaos', code: 'UPSTREAM_REJECTED', reason: 'receiver answered HTTP 422' });
    expect(letters[0].history).toHaveLength(1);
    receiver.control.setFault({ mode: 'none' });

    await request(bus.url()).post('/api/v1/admin/dead-letters/replay').set('Authorization', `Bearer ${token}`).send({}).expect(400);
    const replay = await request(bus.url()).post('/api/v1/admin/dead-letters/replay').set('Authorization', `Bearer ${token}`).send({ messageId: id }).expect(200);
    expect(replay.body.replayed).toHaveLength(1);
    await waitFor(() => receiver.applied().some((a) => a.key === id), 10_000, 'replayed delivery');
    const breakers = await request(bus.url()).get('/api/v1/admin/breakers').set('Authorization', `Bearer ${token}`).expect(200);
    expect(breakers.body.items).toEqual([{ upstream: 'receiver', displayName: 'receiver', state: 'closed' }]);
  });

  test('logs carry message and correlation ids but never payloads or tokens', async () => {
    const secretName = 'Nguyễn Thị Minh Khai';
    const res = await request(bus.url()).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).send(ping({ SoDinhDanh: '079203001234', HoVaTen: secretName })).expect(202);
    await waitFor(() => receiver.applied().some((a) => a.key === res.body.messageId), 10_000, 'delivery');
    expect(logs).toContain(res.body.messageId);
    expect(logs).not.toContain('079203001234');
    expect(logs).not.toContain(secretName);
    expect(logs).not.toContain(token);
  });
});
