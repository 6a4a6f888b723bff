import { LONGEST_KEPT_TOKEN, VerifiedTokens, verifiedUntilMs } from '../../../src/http/auth/verified-tokens';

describe('VerifiedTokens', () => {
  it('answers for a kept token until the instant it was kept until, then forgets it', () => {
    const tokens = new VerifiedTokens<string>(10);
    tokens.remember('a.b.c', 'client-a', 2_000);
    expect(tokens.get('a.b.c', 1_999)).toBe('client-a');
    expect(tokens.get('a.b.c', 2_000)).toBeUndefined();
    expect(tokens.size).toBe(0);
    expect(tokens.get('a.b.d', 0)).toBeUndefined();
  });

  it('holds at most its capacity, the oldest token making room', () => {
    const tokens = new VerifiedTokens<number>(3);
    for (let i = 0; i < 5; i++) tokens.remember(`t${i}`, i, 10_000);
    expect(tokens.size).toBe(3);
    expect(tokens.get('t0', 0)).toBeUndefined();
    expect(tokens.get('t1', 0)).toBeUndefined();
    expect([tokens.get('t2', 0), tokens.get('t3', 0), tokens.get('t4', 0)]).toEqual([2, 3, 4]);
    // Keeping a token again does not push another out.
    tokens.remember('t4', 4, 20_000);
    expect(tokens.size).toBe(3);
  });

  it('does not keep a token longer than the bound, so its memory stays bounded', () => {
    const tokens = new VerifiedTokens<string>(10);
    tokens.remember('x'.repeat(LONGEST_KEPT_TOKEN + 1), 'client', 10_000);
    expect(tokens.size).toBe(0);
  });
});

describe('verifiedUntilMs', () => {
  it('is the expiry, or the issue time plus the maximum age when that comes first', () => {
    expect(verifiedUntilMs({ iat: 1_000, exp: 1_600 }, 3_600)).toBe(1_600_000);
    expect(verifiedUntilMs({ iat: 1_000, exp: 1_600 }, 300)).toBe(1_300_000);
  });
});
