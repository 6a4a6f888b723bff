import { derivedUuidv7, isMessageId, uuidv7 } from '../../../src/core/uuid';

const V7_LAYOUT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit millisecond timestamp an id carries (its first 12 hex digits). */
function timestampOf(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

describe('uuidv7', () => {
  it('writes the version-7 layout: version 7, variant 10, and the given millisecond in the first 48 bits', () => {
    const at = new Date('2026-12-04T20:30:00.123Z');
    // More than one random pool's worth, so ids drawn after a refill are checked too.
    for (let i = 0; i < 2_000; i++) {
      const id = uuidv7(at);
      expect(id).toMatch(V7_LAYOUT);
      expect(isMessageId(id)).toBe(true);
      expect(timestampOf(id)).toBe(at.getTime());
    }
  });

  it('gives 100 000 distinct ids within one millisecond', () => {
    const at = new Date();
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(uuidv7(at));
    expect(ids.size).toBe(100_000);
  });

  it('spreads the random bits: every hex digit appears in each random position', () => {
    const at = new Date(0);
    const seen = Array.from({ length: 32 }, () => new Set<string>());
    for (let i = 0; i < 5_000; i++) [...uuidv7(at).replace(/-/g, '')].forEach((digit, position) => seen[position]!.add(digit));
    // Positions 12 (version) and 16 (variant: 8, 9, a or b) are fixed or bounded; 0-11 are the timestamp.
    for (let position = 13; position < 32; position++) {
      expect(seen[position]!.size).toBe(position === 16 ? 4 : 16);
    }
    expect([...seen[12]!]).toEqual(['7']);
  });

  it('sorts ids of successive milliseconds by time, as strings', () => {
    const start = Date.UTC(2026, 11, 4, 20, 30);
    const ids: string[] = [];
    for (let ms = 0; ms < 1_000; ms++) for (let i = 0; i < 3; i++) ids.push(uuidv7(new Date(start + ms)));
    const sorted = [...ids].reverse().sort();
    expect(sorted.map(timestampOf)).toEqual(ids.map(timestampOf));
  });

  it('takes the low 48 bits of the time, as the byte layout always did', () => {
    expect(uuidv7(new Date(0)).slice(0, 13)).toBe('00000000-0000');
    expect(uuidv7(new Date(0xfedcba987654)).slice(0, 13)).toBe('fedcba98-7654');
    expect(uuidv7(new Date(-1)).slice(0, 13)).toBe('ffffffff-ffff');
  });
});

describe('derivedUuidv7', () => {
  it('is the same id for the same parent and key, version-7 shaped, with the parent timestamp', () => {
    const parent = uuidv7(new Date('2026-01-02T03:04:05.006Z'));
    const part = derivedUuidv7(parent, 'recipient-a');
    expect(part).toBe(derivedUuidv7(parent, 'recipient-a'));
    expect(part).not.toBe(derivedUuidv7(parent, 'recipient-b'));
    expect(part).toMatch(V7_LAYOUT);
    expect(timestampOf(part)).toBe(timestampOf(parent));
  });
});
