// The envelope: ids, digest over canonical NFC JSON, and refusal of altered or malformed messages.
import { canonicalJson, createEnvelope, deriveEnvelope, EnvelopeError, nfc, normalizeNfc, parseEnvelope, serializeEnvelope } from '../../../src/core/envelope';
import { isMessageId } from '../../../src/core/uuid';

describe('envelope', () => {
  const nfd = 'Ủy ban nhân dân tỉnh Bình Phước'.normalize('NFD');

  test('a new envelope has a v7 id, its own correlation, attempt 1 and an NFC payload with a matching digest', () => {
    const e = createEnvelope({ type: 'dossier.submitted', source: 'motcua', subject: 'H10.22-241127-0001', payload: { ten: nfd } });
    expect(isMessageId(e.id)).toBe(true);
    expect(e.id[14]).toBe('7');
    expect(e.correlationId).toBe(e.id);
    expect(e.causationId).toBeNull();
    expect(e.attempt).toBe(1);
    expect(e.payload).toEqual({ ten: 'Ủy ban nhân dân tỉnh Bình Phước'.normalize('NFC') });
    expect(e.payloadDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  test('NFD and NFC forms of the same text give the same digest; key order does not matter', () => {
    const a = createEnvelope({ type: 't.x', source: 's', payload: { b: 1, a: nfd } });
    const b = createEnvelope({ type: 't.x', source: 's', payload: { a: nfd.normalize('NFC'), b: 1 } });
    expect(a.payloadDigest).toBe(b.payloadDigest);
    expect(canonicalJson({ b: 1, a: [true, null, 'x'] })).toBe('{"a":[true,null,"x"],"b":1}');
  });

  test('normalizeNfc: nested strings and keys in NFC; a value already NFC is returned as it is, not copied', () => {
    const nfdName = 'Nguye\u0302\u0303n Thi\u0323 Hoa\u0300';
    const nfcName = nfdName.normalize('NFC');
    const input = { a: nfdName, b: [nfdName, 1, null, 'x'], c: { d: nfdName, e: true }, ['ke\u0301y']: 'plain' };
    const normal = normalizeNfc(input);
    expect(normal).toEqual({ a: nfcName, b: [nfcName, 1, null, 'x'], c: { d: nfcName, e: true }, ['k\u00e9y']: 'plain' });
    expect(Object.keys(normal)).toEqual(['a', 'b', 'c', 'k\u00e9y']);
    expect(input.a).toBe(nfdName);
    const already = { a: nfcName, b: ['Đồng Xoài', 2, { c: 'ascii' }] };
    expect(normalizeNfc(already)).toBe(already);
    expect(normalizeNfc(already.b)).toBe(already.b);
    // Only the part that changes is copied; what follows it is normalised too.
    const mixed = { ok: 'Bình Phước', later: ['x', nfdName] };
    expect(normalizeNfc(mixed)).toEqual({ ok: 'Bình Phước', later: ['x', nfcName] });
  });

  test("a payload already NFC is the envelope's payload as given; one that is not is copied in NFC, the input untouched", () => {
    const already = { ten: 'Ủy ban nhân dân tỉnh Bình Phước', list: ['Đồng Xoài', 2, { c: 'ascii' }] };
    expect(createEnvelope({ type: 't.x', source: 's', payload: already }).payload).toBe(already);
    // Only a key not in NFC, deep down: the copy is normalised there and the digest is the NFC form's.
    const keyOnly = { list: [{ ['ke\u0301y']: 'x' }] };
    const e = createEnvelope({ type: 't.x', source: 's', payload: keyOnly });
    expect(e.payload).not.toBe(keyOnly);
    expect(e.payload).toEqual({ list: [{ ['k\u00e9y']: 'x' }] });
    expect(Object.keys(keyOnly.list[0]!)).toEqual(['ke\u0301y']);
    expect(e.payloadDigest).toBe(createEnvelope({ type: 't.x', source: 's', payload: { list: [{ ['k\u00e9y']: 'x' }] } }).payloadDigest);
  });

  test('nfc: text below U+0300 is returned as it is; above, it is normalised', () => {
    expect(nfc('MaHoSo 000.00.04.H10 ~ \u00ff\u02ff')).toBe('MaHoSo 000.00.04.H10 ~ \u00ff\u02ff');
    expect(nfc('e\u0301')).toBe('\u00e9');
    expect(nfc('\u1ea0')).toBe('\u1ea0');
    expect(canonicalJson({ 'e\u0301': ['A\u0300', 'x'] })).toBe('{"\u00e9":["\u00c0","x"]}');
  });

  test('a derived envelope keeps the correlation and names its cause', () => {
    const cause = createEnvelope({ type: 'edoc.send', source: 'qlvb', payload: {} });
    const status = deriveEnvelope(cause, { type: 'edoc.status', source: 'lgsp', payload: { code: '01' } });
    expect(status.correlationId).toBe(cause.correlationId);
    expect(status.causationId).toBe(cause.id);
    expect(status.id).not.toBe(cause.id);
  });

  test('round trip through bytes, and a changed payload is caught by its digest', () => {
    const e = createEnvelope({ type: 't.x', source: 's', payload: { amount: 1 } });
    expect(parseEnvelope(serializeEnvelope(e))).toEqual(e);
    const tampered = serializeEnvelope(e).toString().replace('"amount":1', '"amount":2');
    expect(() => parseEnvelope(tampered)).toThrow(expect.objectContaining({ code: 'ENVELOPE_DIGEST_MISMATCH' }));
  });

  test.each([
    ['not json', '{'],
    ['an array', '[]'],
    ['missing id', JSON.stringify({ correlationId: 'x' })],
  ])('malformed input (%s) is refused with a code', (_name, raw) => {
    expect(() => parseEnvelope(raw)).toThrow(EnvelopeError);
  });

  test('an unknown schema version is refused', () => {
    const e = { ...createEnvelope({ type: 't.x', source: 's', payload: 1 }), schemaVersion: 99 };
    expect(() => parseEnvelope(JSON.stringify(e))).toThrow(expect.objectContaining({ code: 'ENVELOPE_VERSION_UNSUPPORTED' }));
  });
});
