// Walkers over untrusted JSON values take any depth without overflowing the stack: NFC, canonical JSON and digests,
// personal-data masking and encryption, and the JSON body reader's own check (which refuses past MAX_JSON_DEPTH).
import { randomBytes } from 'node:crypto';
import { canonicalJson, createEnvelope, MAX_PAYLOAD_DEPTH, normalizeNfc, parseEnvelope, payloadDigest, serializeEnvelope, type JsonValue } from '../../../src/core/envelope';
import { jsonPointer, walkJson } from '../../../src/core/json-walk';
import { PersonalDataProtector } from '../../../src/audit/personal-data';
import { MAX_JSON_DEPTH, parsedBodyRefusal } from '../../../src/http/json-body';

const DEPTH = 100_000;
const nfdName = 'Nguye\u0302\u0303n Thi\u0323 Hoa\u0300';

/** Arrays and objects taking turns, DEPTH levels, an NFD name and a personal field at the bottom. */
function deepValue(depth: number): JsonValue {
  let value: JsonValue = { HoTen: nfdName, ghiChu: nfdName };
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { ['ke\u0301y']: value };
  return value;
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return null;
}

/** The innermost object of a value made by deepValue. */
function bottomOf(value: JsonValue): Record<string, JsonValue> {
  let at = value;
  for (;;) {
    if (Array.isArray(at)) at = at[0]!;
    else if (at !== null && typeof at === 'object' && 'k\u00e9y' in at) at = at['k\u00e9y']!;
    else if (at !== null && typeof at === 'object' && 'ke\u0301y' in at) at = at['ke\u0301y']!;
    else return at as Record<string, JsonValue>;
  }
}

describe('walkers over a value 100,000 levels deep', () => {
  const deep = deepValue(DEPTH);

  test('normalizeNfc normalises the keys and strings at every level', () => {
    const normal = normalizeNfc(deep);
    expect(bottomOf(normal)).toEqual({ HoTen: nfdName.normalize('NFC'), ghiChu: nfdName.normalize('NFC') });
    expect(Object.keys(normal as Record<string, JsonValue>)).toEqual(['k\u00e9y']);
  });

  test('canonicalJson writes it whole, and its digest is the digest of its NFC form', () => {
    const text = canonicalJson(deep);
    expect(text.startsWith('{"k\u00e9y":[{"k\u00e9y":[{')).toBe(true);
    expect(text.length).toBeGreaterThan(DEPTH * 4);
    expect(payloadDigest(deep)).toBe(payloadDigest(normalizeNfc(deep)));
  });

  test('the personal-data protector masks and encrypts the field at the bottom', () => {
    const masked = new PersonalDataProtector({ mode: 'mask', fields: ['HoTen'] }).protect(deep);
    expect(bottomOf(masked)).toEqual({ HoTen: '***', ghiChu: nfdName });
    const encrypted = new PersonalDataProtector({ mode: 'encrypt', fields: ['HoTen'], encryptionKey: randomBytes(32) }).protect(deep);
    expect(String(bottomOf(encrypted).HoTen)).toMatch(/^enc:v1:/);
  });

  test("the protector's canonical JSON, written in one walk, is the canonical JSON of its protected copy", () => {
    const masker = new PersonalDataProtector({ mode: 'mask', fields: ['HoTen'] });
    expect(masker.canonicalJson(deep)).toBe(canonicalJson(masker.protect(deep)));
    expect(masker.canonicalJson(deep)).toContain(`[{"HoTen":"***","ghiChu":"${nfdName.normalize('NFC')}"}]}]}`);
  });

  test('walkJson reaches the bottom and names it by its JSON pointer', () => {
    let deepest = 0;
    let pointer = '';
    walkJson(deep, {
      container: (depth) => ((deepest = Math.max(deepest, depth)), true),
      string: (text, place, key) => (!key && text === nfdName && pointer === '' ? ((pointer = jsonPointer(place)), true) : true),
    });
    expect(deepest).toBe(DEPTH + 1);
    expect(pointer.split('/').length).toBe(DEPTH + 2);
    expect(pointer.endsWith('/HoTen')).toBe(true);
  });

  test('an envelope refuses it with its own error, made or parsed (JSON.stringify, which transports use, recurses)', () => {
    const refusal = { name: 'EnvelopeError', code: 'ENVELOPE_TOO_DEEP', message: expect.stringContaining(String(MAX_PAYLOAD_DEPTH)) };
    expect(thrown(() => createEnvelope({ type: 't.x', source: 's', payload: deep }))).toMatchObject(refusal);
    const atLimit = createEnvelope({ type: 't.x', source: 's', payload: deepValue(MAX_PAYLOAD_DEPTH - 1) });
    expect(parseEnvelope(serializeEnvelope(atLimit)).payloadDigest).toBe(atLimit.payloadDigest);
    const raw = serializeEnvelope(atLimit).toString('utf8').replace('"payload":', '"payload":[').replace(/}$/, ']}');
    expect(thrown(() => parseEnvelope(raw))).toMatchObject(refusal);
  });

  test('the JSON body check refuses it as too deep, and takes a body at exactly the limit', () => {
    expect(parsedBodyRefusal(deep)).toMatchObject({ code: 'JSON_TOO_DEEP', message: expect.stringContaining(String(MAX_JSON_DEPTH)) });
    expect(parsedBodyRefusal(deepValue(MAX_JSON_DEPTH - 1))).toBeNull();
    expect(parsedBodyRefusal(deepValue(MAX_JSON_DEPTH))).toMatchObject({ code: 'JSON_TOO_DEEP' });
  });
});

describe('rebuilt values keep what JSON.parse made', () => {
  test('an own "__proto__" key is kept as a key when its value changes, never made the prototype', () => {
    const parsed = JSON.parse(`{"a":"x","__proto__":{"t":"${nfdName}"}}`) as JsonValue;
    const normal = normalizeNfc(parsed) as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(normal)).toBe(Object.prototype);
    expect(Object.keys(normal)).toEqual(['a', '__proto__']);
    const masked = new PersonalDataProtector({ mode: 'mask', fields: ['t'] }).protect(parsed) as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(canonicalJson(masked)).toBe('{"__proto__":{"t":"***"},"a":"x"}');
    expect(new PersonalDataProtector({ mode: 'mask', fields: ['t'] }).canonicalJson(parsed)).toBe('{"__proto__":{"t":"***"},"a":"x"}');
  });
});
