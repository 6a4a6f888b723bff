// The throttle on a fake clock: token bucket with burst and refill, requests in flight, limits checked before any is spent.
import { Throttle } from '../../../src/http/auth/throttle';

describe('throttle', () => {
  let now = 0;
  const throttle = () => new Throttle(() => now);
  beforeEach(() => (now = 1_000_000));

  test('a bucket allows its burst, then one request per 1/rate seconds, with Retry-After rounded up', () => {
    const t = throttle();
    const limits = [{ key: 'a', limits: { rate: 2, burst: 3 } }];
    for (let i = 0; i < 3; i++) expect(t.acquire(limits).ok).toBe(true);
    const refused = t.acquire(limits);
    expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 1 });
    now += 500;
    expect(t.acquire(limits).ok).toBe(true);
    expect(t.acquire(limits).ok).toBe(false);
  });

  test('requests in flight are capped and released once', () => {
    const t = throttle();
    const limits = [{ key: 'a', limits: { concurrent: 2 } }];
    const first = t.acquire(limits);
    const second = t.acquire(limits);
    expect(t.acquire(limits)).toMatchObject({ ok: false, reason: expect.stringContaining('in flight') });
    if (!first.ok || !second.ok) throw new Error('expected both admitted');
    first.release();
    first.release();
    expect(t.acquire(limits).ok).toBe(true);
    expect(t.acquire(limits).ok).toBe(false);
  });

  test('a refusal by the service limit does not spend the client bucket; keys are independent', () => {
    const t = throttle();
    const client = { key: 'client', limits: { rate: 1, burst: 2 } };
    const service = { key: 'client svc', limits: { rate: 1, burst: 1 } };
    expect(t.acquire([client, service]).ok).toBe(true);
    expect(t.acquire([client, service]).ok).toBe(false);
    expect(t.acquire([client]).ok).toBe(true);
    expect(t.acquire([{ key: 'other', limits: { rate: 1, burst: 1 } }]).ok).toBe(true);
  });
});
