// The circuit breaker of an upstream over a real socket: its timeout really aborts the request, refusals (4xx) do
// not count as failures, failures open it, and it closes again once the upstream answers. Its judgement of a failure:
// an outage (consecutive failures, a failing probe) or the message's own (the upstream answers its probe).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpPushAdapter } from '../../../src/messaging/delivery/http-push';
import { createEnvelope } from '../../../src/core/envelope';
import { httpProbe } from '../../../src/upstreams/http-kit/http-probe';
import { createBreaker, failedDuringOutage, isBreakerOpen } from '../../../src/messaging/breaker';
import { waitFor } from '../../../testkit/env';

describe('upstream circuit breaker', () => {
  let server: http.Server;
  let url: string;
  let mode: 'ok' | 'slow' | 'refuse-422' | 'fail-503' = 'ok';
  /** What the upstream answers a probe (GET /) with: up (404, an answer), or down (503). */
  let probeAnswer: 'up' | 'down' = 'up';
  const aborted: number[] = [];
  let served = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      if (req.method === 'GET') {
        res.writeHead(probeAnswer === 'up' ? 404 : 503).end();
        return;
      }
      served++;
      if (mode === 'slow') {
        const started = Date.now();
        // The client hanging up is what a real abort looks like from the upstream's side.
        res.on('close', () => {
          if (!res.writableEnded) aborted.push(Date.now() - started);
        });
        setTimeout(() => !res.destroyed && res.end('{}'), 5000);
        return;
      }
      res.writeHead(mode === 'refuse-422' ? 422 : mode === 'fail-503' ? 503 : 200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const envelope = () => createEnvelope({ type: 'test.ping', source: 't', payload: {} });

  test('a slow upstream is cut off at the timeout, and the upstream sees the request aborted', async () => {
    mode = 'slow';
    // A timeout long enough for a loaded machine to hand the request to the upstream's handler before it expires
    // (the upstream runs in this process), well short of the upstream's 5 s answer.
    const breaker = createBreaker('slow-upstream', { timeoutMs: 1000, errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 1000, rollingCountTimeoutMs: 10_000, consecutiveFailures: 100, abandonedCallSettleMs: 0 });
    const adapter = createHttpPushAdapter({ name: 'slow-upstream', url });
    const started = Date.now();
    await expect(breaker.call(({ signal }) => adapter.deliver(envelope(), signal))).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT', transient: true });
    expect(Date.now() - started).toBeLessThan(4000);
    await waitFor(() => aborted.length === 1, 5000, 'upstream to see the abort');
    expect(aborted[0]).toBeLessThan(4000);
    breaker.shutdown();
  });

  test('refusals do not open the breaker; failures do; it closes when the upstream recovers', async () => {
    const breaker = createBreaker('flaky-upstream', { timeoutMs: 1000, errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 300, rollingCountTimeoutMs: 10_000, consecutiveFailures: 100, abandonedCallSettleMs: 0 });
    const adapter = createHttpPushAdapter({ name: 'flaky-upstream', url });
    const call = () => breaker.call(({ signal }) => adapter.deliver(envelope(), signal));
    mode = 'refuse-422';
    for (let i = 0; i < 5; i++) await expect(call()).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED', transient: false });
    expect(breaker.state()).toBe('closed');

    // Refusals count as answers: the error rate only crosses 50% once failures outnumber them.
    mode = 'fail-503';
    let failures = 0;
    while (breaker.state() !== 'open' && failures < 20) {
      await expect(call()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      failures++;
    }
    expect(breaker.state()).toBe('open');
    expect(failures).toBeGreaterThanOrEqual(5);
    const before = served;
    const refused = await call().catch((e: unknown) => e);
    expect(isBreakerOpen(refused)).toBe(true);
    expect(served).toBe(before);

    mode = 'ok';
    // After resetTimeoutMs the breaker lets one trial through; that trial, answered, closes it.
    await waitFor(() => breaker.state() === 'half-open', 5000, 'the breaker half-open after its reset timeout');
    await call();
    expect(breaker.state()).toBe('closed');
    breaker.shutdown();
  });

  const settings = { timeoutMs: 1000, errorThresholdPercentage: 50, volumeThreshold: 50, resetTimeoutMs: 60_000, rollingCountTimeoutMs: 10_000, probeIntervalMs: 100 };

  test('a failure while the upstream answers its probe is the message\'s own: it counts, and the circuit stays closed', async () => {
    const origin = new URL(url).origin;
    const breaker = createBreaker('poison', { ...settings, consecutiveFailures: 3, abandonedCallSettleMs: 0 }, httpProbe(`${origin}/`));
    const adapter = createHttpPushAdapter({ name: 'poison', url });
    mode = 'fail-503';
    probeAnswer = 'up';
    const failure = await breaker.call(({ signal }) => adapter.deliver(envelope(), signal)).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', transient: true });
    expect(failedDuringOutage(failure)).toBe(false);
    expect(breaker.state()).toBe('closed');
    breaker.shutdown();
    mode = 'ok';
  });

  test('at one call, a failing probe makes the failure an outage and opens the circuit; the probe closes it once the upstream is back', async () => {
    const origin = new URL(url).origin;
    const breaker = createBreaker('lone', { ...settings, consecutiveFailures: 3, abandonedCallSettleMs: 0 }, httpProbe(`${origin}/`));
    const adapter = createHttpPushAdapter({ name: 'lone', url });
    mode = 'fail-503';
    probeAnswer = 'down';
    const failure = await breaker.call(({ signal }) => adapter.deliver(envelope(), signal)).catch((e: unknown) => e);
    expect(failedDuringOutage(failure)).toBe(true);
    expect(breaker.state()).toBe('open');
    const served0 = served;
    // No message is sent while it is open: the probe alone finds the upstream back.
    mode = 'ok';
    probeAnswer = 'up';
    await waitFor(() => breaker.state() === 'closed', 5000, 'the probe to close the circuit');
    expect(served).toBe(served0);
    await breaker.call(({ signal }) => adapter.deliver(envelope(), signal));
    breaker.shutdown();
  });

  test('without a probe, consecutive failures open the circuit where the volume rule never would', async () => {
    const breaker = createBreaker('no-probe', { ...settings, consecutiveFailures: 3, abandonedCallSettleMs: 0 });
    const adapter = createHttpPushAdapter({ name: 'no-probe', url });
    mode = 'fail-503';
    const verdicts: boolean[] = [];
    for (let i = 0; i < 3; i++) verdicts.push(failedDuringOutage(await breaker.call(({ signal }) => adapter.deliver(envelope(), signal)).catch((e: unknown) => e)));
    expect(verdicts).toEqual([false, false, true]);
    expect(breaker.state()).toBe('open');
    breaker.shutdown();
    mode = 'ok';
  });
});
