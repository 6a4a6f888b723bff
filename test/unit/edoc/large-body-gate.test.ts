// The large-body caps: per client first (429), then in all (503); small bodies are not counted; a slot is given back
// once, however often its release is called.
import { LargeBodyGate } from '../../../src/flows/edoc/large-body-gate';

describe('LargeBodyGate', () => {
  const settings = { thresholdBytes: 1000, perClient: 2, total: 3, retryAfterSeconds: 9 };

  test('over the threshold or of unknown length is large', () => {
    const gate = new LargeBodyGate(settings);
    expect(gate.isLarge(1000)).toBe(false);
    expect(gate.isLarge(1001)).toBe(true);
    expect(gate.isLarge(undefined)).toBe(true);
  });

  test('a client over its share gets 429, anyone over the total 503; released slots are taken again', () => {
    const seen: number[] = [];
    const gate = new LargeBodyGate(settings, (n) => seen.push(n));
    const a1 = gate.admit('a');
    const a2 = gate.admit('a');
    expect(gate.admit('a')).toMatchObject({ ok: false, code: 'LARGE_BODY_CLIENT_LIMIT', retryAfterSeconds: 9 });
    const b1 = gate.admit('b');
    expect(gate.admit('c')).toMatchObject({ ok: false, code: 'LARGE_BODY_BUS_LIMIT', retryAfterSeconds: 9 });
    // A client over its own share hears about its share, even when the bus is full too.
    expect(gate.admit('a')).toMatchObject({ ok: false, code: 'LARGE_BODY_CLIENT_LIMIT' });
    if (!a1.ok || !a2.ok || !b1.ok) throw new Error('expected the first three admitted');
    a1.release();
    a1.release();
    expect(gate.admit('c').ok).toBe(true);
    expect(gate.admit('b')).toMatchObject({ ok: false, code: 'LARGE_BODY_BUS_LIMIT' });
    // Each change is heard (a second release of the same slot repeats the count, changing nothing).
    expect(seen).toEqual([1, 2, 3, 2, 2, 3]);
  });
});
