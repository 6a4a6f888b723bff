// The error table is the one place a refusal's HTTP status and retryability are decided: every face answers from it.
import express from 'express';
import request from 'supertest';
import { ERRORS, isErrorCode, retryAfterSeconds, type ErrorCode } from '../../../src/core/errors';
import { sendError } from '../../../src/http/errors';
import { recordRefusals } from '../../../src/http/refusal-recorder';
import { BusMetrics } from '../../../src/observability/metrics';
import { createLogger } from '../../../src/observability/logger';
import { ProbeLogSampler, PROBE_LOG_INTERVAL_MS } from '../../../src/http/probe-log-sampler';
import { Writable } from 'node:stream';

test('every code has a 4xx or 5xx status, a message, and only the bus-side ones are retryable', () => {
  for (const [code, spec] of Object.entries(ERRORS)) {
    expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(spec.status).toBeGreaterThanOrEqual(400);
    expect(spec.message.length).toBeGreaterThan(5);
    // A retryable refusal is one the caller cannot fix by changing the call: busy (429), a key in use (409), or away (503).
    if (spec.retryable) expect([409, 429, 503]).toContain(spec.status);
    if (spec.status === 503) expect(spec.retryable).toBe(true);
  }
  expect(isErrorCode('STORE_UNAVAILABLE')).toBe(true);
  expect(isErrorCode('toString')).toBe(false);
  expect(retryAfterSeconds('VALIDATION_FAILED')).toBeNull();
  expect(retryAfterSeconds('IDEMPOTENCY_KEY_IN_USE')).toBe(1);
});

test('a refusal is answered with its table status and Retry-After, and counted and audited once', async () => {
  const metrics = new BusMetrics();
  const audited: string[] = [];
  const app = express();
  app.use(recordRefusals({ append: async (event) => (audited.push(String(event.errorCode)), { chainId: 'c', seq: 1, hash: 'h' }) }, metrics, createLogger('silent')));
  app.get('/:code', (req, res) => {
    const code = String(req.params.code) as ErrorCode;
    if (req.query.wait) res.setHeader('Retry-After', String(req.query.wait));
    sendError(res, code);
  });
  const unavailable = await request(app).get('/STORE_UNAVAILABLE');
  expect(unavailable.status).toBe(503);
  expect(unavailable.headers['retry-after']).toBe('5');
  expect(unavailable.body).toEqual({ code: 'STORE_UNAVAILABLE', message: ERRORS.STORE_UNAVAILABLE.message });
  // A refuser that knows the precise wait keeps it.
  expect((await request(app).get('/SIGN_IN_THROTTLED?wait=42')).headers['retry-after']).toBe('42');
  const invalid = await request(app).get('/VALIDATION_FAILED');
  expect(invalid.status).toBe(400);
  expect(invalid.headers['retry-after']).toBeUndefined();
  await new Promise((resolve) => setImmediate(resolve));
  expect(audited).toEqual(['STORE_UNAVAILABLE', 'SIGN_IN_THROTTLED', 'VALIDATION_FAILED']);
  const counted = (await metrics.refused.get()).values.map((v) => `${String(v.labels.code)}=${v.value}`).sort();
  expect(counted).toEqual(['SIGN_IN_THROTTLED=1', 'STORE_UNAVAILABLE=1', 'VALIDATION_FAILED=1']);
});

test('a 404 to a caller without credentials is counted as a probe and not audited; an identified caller\'s 404 is audited', async () => {
  const metrics = new BusMetrics();
  const audited: string[] = [];
  const app = express();
  app.use(recordRefusals({ append: async (event) => (audited.push(`${String(event.client)}:${String(event.errorCode)}`), { chainId: 'c', seq: 1, hash: 'h' }) }, metrics, createLogger('silent')));
  app.get('/api/v1/messages/:id', (req, res) => {
    req.client = { id: 'motcua-binhphuoc', roles: ['intake'], rights: [], canViewPersonalData: false };
    sendError(res, 'MESSAGE_NOT_FOUND');
  });
  app.use((_req, res) => sendError(res, 'NOT_FOUND', 'no such endpoint'));
  for (const path of ['/wp-login.php', '/.env', '/admin/../../etc/passwd']) await request(app).get(path).expect(404);
  await request(app).get('/api/v1/messages/nope').expect(404);
  await new Promise((resolve) => setImmediate(resolve));
  expect(audited).toEqual(['motcua-binhphuoc:MESSAGE_NOT_FOUND']);
  expect((await metrics.unauthenticatedProbes.get()).values[0]?.value).toBe(3);
  expect((await metrics.refused.get()).values.map((v) => `${String(v.labels.code)}=${v.value}`)).toEqual(['MESSAGE_NOT_FOUND=1']);
});

test('probes are logged by sample: the first at once, then one line a minute with the count since, citizen ids masked', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
  let now = 1_000_000;
  const sampler = new ProbeLogSampler(createLogger('info', sink), () => now);
  sampler.seen('GET', '/citizen/026092008262');
  for (let i = 0; i < 500; i++) sampler.seen('GET', '/.env');
  now += PROBE_LOG_INTERVAL_MS;
  sampler.seen('POST', '/x');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatchObject({ code: 'UNAUTHENTICATED_PROBE', method: 'GET', path: '/citizen/***', probes: 1 });
  expect(lines[1]).toMatchObject({ path: '/x', probes: 501 });
  expect(JSON.stringify(lines)).not.toContain('026092008262');
});
