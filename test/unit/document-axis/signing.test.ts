// Fixed-vector tests of the VXP HMAC header signature (vectors from openssl and a real JVM, not from this code).
import { createHash } from 'node:crypto';
import {
  canonicalSignature,
  fileHashHex,
  formatAxisTimestamp,
  hmacSha256Hex,
  javaHashMapOrder,
  javaStringHashCode,
  parseAxisTimestamp,
  signAxisRequest,
  verifyAxisRequest,
} from '../../../src/upstreams/document-axis/signing';

const SECRET = 'A7TKG/r2gOKTEpe1MhWx6zw8O4JfzN0KkCRS6HZY81Ve';
const AT = new Date('2024-03-05T07:22:33.123Z'); // 14:22:33.123 in UTC+7

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

describe('HMAC-SHA256', () => {
  it('matches RFC 4231 test case 2', () => {
    expect(hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('Java HashMap key order', () => {
  it('hashes strings like java.lang.String.hashCode', () => {
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('systemid')).toBe(1976086410);
    expect(javaStringHashCode('XroadVnpt-to')).toBe(672189588);
    expect(javaStringHashCode('Aa')).toBe(javaStringHashCode('BB'));
  });

  it.each([
    [['timestamp', 'systemid', 'Content-Type', 'servicetype', 'messagetype'], ['systemid', 'servicetype', 'messagetype', 'timestamp', 'Content-Type']],
    [['timestamp', 'systemid', 'Content-Type', 'status', 'docId'], ['systemid', 'docId', 'timestamp', 'Content-Type', 'status']],
    [
      ['timestamp', 'systemid', 'Content-Type', 'servicetype', 'messagetype', 'from', 'to', 'hash-file'],
      ['systemid', 'servicetype', 'messagetype', 'hash-file', 'from', 'to', 'timestamp', 'Content-Type'],
    ],
  ])('iterates %j as a JVM HashMap does', (inserted, expected) => {
    expect(javaHashMapOrder(inserted.map((key) => ({ key }))).map((e) => e.key)).toEqual(expected);
  });
});

describe('timestamp', () => {
  it("formats ddMMyyyy'T'HHmmss+SSSS in UTC+7 and parses back", () => {
    expect(formatAxisTimestamp(AT)).toBe('05032024T142233+0123');
    expect(parseAxisTimestamp('05032024T142233+0123')?.toISOString()).toBe(AT.toISOString());
    expect(parseAxisTimestamp('2024-03-05')).toBeNull();
  });
});

describe('hash-file', () => {
  const digest = createHash('sha256').update('abc').digest();
  it('standard hex', () => {
    expect(fileHashHex(digest)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it("SDK form drops each byte's leading zero (Integer.toHexString(b & 0xFF))", () => {
    expect(fileHashHex(digest, 'java-sdk')).toBe('ba7816bf8f1cfea414140de5dae2223b0361a396177a9cb410ff61f2015ad');
  });
});

describe('signAxisRequest', () => {
  const headers = signAxisRequest({
    systemId: 'vxp.saas.03',
    secret: SECRET,
    contentType: 'application/json',
    params: [['servicetype', 'eDoc'], ['messagetype', 'edoc']],
    now: AT,
  });

  it('builds the sign-header JSON in JVM HashMap order and its HMAC', () => {
    expect(headers['XroadVnpt-sign-header']).toBe(
      '{"XroadVnpt-systemid":"vxp.saas.03","XroadVnpt-servicetype":"eDoc","XroadVnpt-messagetype":"edoc",' +
        '"XroadVnpt-timestamp":"05032024T142233+0123","XroadVnpt-Content-Type":"application/json"}',
    );
    expect(headers['XroadVnpt-sign-header-key']).toBe('systemid;servicetype;messagetype;timestamp;Content-Type');
    // openssl dgst -sha256 -hmac <secret> over the sign-header text above
    expect(headers['XroadVnpt-hash-header']).toBe('32eb6e63d9a5b5fb8ce3f45fbda1f5b71581601fda81e689874f1f9c3d930ed7');
    expect(headers['XroadVnpt-systemid']).toBe('vxp.saas.03');
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers['XroadVnpt-version']).toBe('3.0.201608');
    expect(headers['User-Agent']).toBe('JAVASDKAgent/1.0.0 XRoad/VPCP');
  });

  it('keeps insertion order when asked', () => {
    const c = canonicalSignature([['systemid', 'a'], ['timestamp', 'b']], { keyOrder: 'insertion' });
    expect(c.signHeader).toBe('{"XroadVnpt-systemid":"a","XroadVnpt-timestamp":"b"}');
    // openssl dgst -sha256 -hmac <secret> over {"XroadVnpt-systemid":"vxp.saas.03","XroadVnpt-timestamp":"05032024T142233+0123"}
    const d = canonicalSignature([['systemid', 'vxp.saas.03'], ['timestamp', '05032024T142233+0123']], { keyOrder: 'insertion' });
    expect(hmacSha256Hex(SECRET, d.signHeader)).toBe('c02e8d4e3c32d974adfa742a96abe83b5f6898ed8f0a7a6f525698296d4974e0');
  });

  it('escapes like Gson, including U+2028', () => {
    const c = canonicalSignature([['x', 'a"b\u2028']], { keyOrder: 'insertion' });
    expect(c.signHeader).toBe('{"XroadVnpt-x":"a\\"b\\u2028"}');
  });
});

describe('verifyAxisRequest', () => {
  const secretFor = (id: string): string | undefined => (id === 'vxp.saas.03' ? SECRET : undefined);
  const signed = lower(
    signAxisRequest({ systemId: 'vxp.saas.03', secret: SECRET, contentType: 'application/json', params: [['docId', 'd1']], now: AT }),
  );

  it('accepts a well-signed request and returns its parameters', () => {
    const verdict = verifyAxisRequest(signed, { secretFor });
    expect(verdict).toEqual({ ok: true, systemId: 'vxp.saas.03', params: expect.objectContaining({ docId: 'd1', systemid: 'vxp.saas.03' }) });
  });

  it.each([
    ['wrong secret', { 'xroadvnpt-hash-header': hmacSha256Hex('other', signed['xroadvnpt-sign-header']) }, 'AXIS_SIGNATURE_MISMATCH'],
    ['tampered parameter', { 'xroadvnpt-docid': 'd2' }, 'AXIS_SIGNED_HEADER_MISMATCH'],
    ['unsigned extra parameter', { 'xroadvnpt-status': 'done' }, 'AXIS_UNSIGNED_HEADER'],
    ['missing hash', { 'xroadvnpt-hash-header': '' }, 'AXIS_SIGNATURE_MISSING'],
    ['sign-header naming another system', { 'xroadvnpt-sign-header': signed['xroadvnpt-sign-header'].replace('vxp.saas.03', 'nobody') }, 'AXIS_UNKNOWN_SYSTEM'],
  ])('rejects %s', (_label, patch, code) => {
    const verdict = verifyAxisRequest({ ...signed, ...patch }, { secretFor });
    expect(verdict).toMatchObject({ ok: false, code });
  });

  it('rejects an unknown system id', () => {
    const other = lower(signAxisRequest({ systemId: 'nobody', secret: 'x', contentType: 'application/json', params: [], now: AT }));
    expect(verifyAxisRequest(other, { secretFor })).toMatchObject({ ok: false, code: 'AXIS_UNKNOWN_SYSTEM' });
  });

  it('checks timestamp skew only when configured', () => {
    expect(verifyAxisRequest(signed, { secretFor, maxClockSkewMs: 60_000, now: new Date(AT.getTime() + 30_000) }).ok).toBe(true);
    expect(verifyAxisRequest(signed, { secretFor, maxClockSkewMs: 60_000, now: new Date(AT.getTime() + 120_000) })).toMatchObject({
      ok: false,
      code: 'AXIS_TIMESTAMP_SKEW',
    });
  });
});
