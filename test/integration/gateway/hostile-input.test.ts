// Hostile input, one test per refusal: each answers 4xx with a machine-readable code (JSON, or a SOAP Client fault
// carrying it) and leaves an audit record of the refusal.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { waitFor } from '../../../testkit/env';
import { EDOC_SENDER, EDXML_CAP_BYTES, JSON_CAP_BYTES, RECIPIENT_ORGAN, SENDER_ORGAN, startHostileWorld, type HostileWorld } from '../../../testkit/worlds/hostile-world';
import { TEST_CLIENT } from '../../../testkit/bus-process';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { MAX_JSON_DEPTH } from '../../../src/http/json-body';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;

interface Answer {
  status: number;
  text: string;
  /** The JSON error code, or the code of a SOAP fault's detail. */
  code: string | undefined;
  field: string[];
}

const soapEnvelope = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:lgsp:edoc:1.0"><soap:Body>${inner}</soap:Body></soap:Envelope>`;
const sendEdocEnvelope = (edxml: Buffer) => soapEnvelope(`<e:SendEdoc><e:edXML>${edxml.toString('base64')}</e:edXML></e:SendEdoc>`);

/** The HTTP status of every SOAP 1.1 fault (WS-I Basic Profile R1126); the code in the detail says what was refused. */
const SOAP_FAULT = 500;

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']><edXML>&lol9;</edXML>';
const EXTERNAL_ENTITY = '<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><edXML>&xxe;</edXML>';

describe('hostile input is refused with a code, and audited', () => {
  let world: HostileWorld;
  let validEdxml: Buffer;
  beforeAll(async () => {
    world = await startHostileWorld();
    validEdxml = documentPackage({ from: SENDER_ORGAN, to: [RECIPIENT_ORGAN], documentId: `${SENDER_ORGAN},2025/03/14,1/UBND-VP` });
  });
  afterAll(async () => world?.dispose());

  const post = async (pathname: string, body: string | Buffer, headers: Record<string, string>, client = TEST_CLIENT): Promise<Answer> => {
    const res = await fetch(`${world.url}${pathname}`, { method: 'POST', headers: { authorization: `Bearer ${world.token(client)}`, ...headers }, body });
    const text = await res.text();
    let code: string | undefined;
    let field: string[] = [];
    try {
      const parsed = JSON.parse(text) as { code?: string; details?: { field: string }[] };
      code = parsed.code;
      field = (parsed.details ?? []).map((d) => d.field);
    } catch {
      code = /<code>([A-Z0-9_]+)<\/code>/.exec(text)?.[1];
    }
    return { status: res.status, text, code, field };
  };
  const postJson = (pathname: string, body: string | Buffer, headers: Record<string, string> = {}) => post(pathname, body, { 'content-type': 'application/json', ...headers });
  const postEdxml = (body: string | Buffer, headers: Record<string, string> = {}) => post('/api/v1/edocs', body, { 'content-type': 'application/xml', ...headers }, EDOC_SENDER);
  const postSoap = (body: string | Buffer, headers: Record<string, string> = {}) =>
    post('/soap/edoc', body, { 'content-type': 'text/xml; charset=utf-8', soapaction: 'urn:lgsp:edoc:1.0/SendEdoc', ...headers }, EDOC_SENDER);
  const dossier = (changes: Record<string, unknown>) => JSON.stringify({ ...sample, MaHoSo: '000.00.04.H10-261201-0001', ...changes });

  /** Sends, expects the status and code, then waits for one more refusal record with that code on that path. */
  const expectRefused = async (send: () => Promise<Answer>, status: number, code: string, pathname: string): Promise<Answer> => {
    const matching = async () => (await world.refusalRecords()).filter((r) => r.errorCode === code && (r.details ?? '').includes(`"path":"${pathname}"`)).length;
    const before = await matching();
    const answer = await send();
    expect({ status: answer.status, code: answer.code }).toEqual({ status, code });
    await waitFor(async () => (await matching()) > before, 5000, `audit record of ${code} on ${pathname}`);
    return answer;
  };

  test('malformed JSON → 400 MALFORMED_JSON', async () => {
    await expectRefused(() => postJson('/api/v1/dossiers', '{"MaHoSo": "000.00.04.H10-261201-0001",'), 400, 'MALFORMED_JSON', '/api/v1/dossiers');
  });

  test('wrong content type → 415 UNSUPPORTED_MEDIA_TYPE (JSON, edXML and SOAP endpoints)', async () => {
    await expectRefused(() => post('/api/v1/dossiers', dossier({}), { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE', '/api/v1/dossiers');
    await expectRefused(() => postJson('/api/v1/messages', dossier({}), { 'content-type': 'application/json; charset=utf-16' }), 415, 'UNSUPPORTED_MEDIA_TYPE', '/api/v1/messages');
    await expectRefused(() => post('/api/v1/edocs', validEdxml, { 'content-type': 'application/json' }, EDOC_SENDER), 415, 'UNSUPPORTED_MEDIA_TYPE', '/api/v1/edocs');
    await expectRefused(() => postSoap(sendEdocEnvelope(validEdxml), { 'content-type': 'text/html' }), SOAP_FAULT, 'UNSUPPORTED_MEDIA_TYPE', '/soap/edoc');
  });

  test('invalid UTF-8 → 400 INVALID_UTF8 (JSON and SOAP), EDXML_INVALID_UTF8 (edXML)', async () => {
    const badJson = Buffer.concat([Buffer.from('{"type":"test.ping","payload":{"ten":"Nguy'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('n"}}')]);
    await expectRefused(() => postJson('/api/v1/messages', badJson), 400, 'INVALID_UTF8', '/api/v1/messages');
    const badXml = Buffer.from(validEdxml.toString('utf8').replace('Công văn', 'C\u0000ng'), 'utf8');
    badXml[badXml.indexOf(0)] = 0xff;
    await expectRefused(() => postEdxml(badXml), 400, 'EDXML_INVALID_UTF8', '/api/v1/edocs');
    const badSoap = Buffer.from(sendEdocEnvelope(validEdxml).replace('<e:edXML>', '<e:edXML>\u0000'), 'utf8');
    badSoap[badSoap.indexOf(0)] = 0xfe;
    await expectRefused(() => postSoap(badSoap), SOAP_FAULT, 'INVALID_UTF8', '/soap/edoc');
  });

  test('JSON nested past the limit → 400 JSON_TOO_DEEP naming it, on every JSON endpoint; at the limit it is read', async () => {
    const nested = (levels: number, inner = '') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;
    const marker = `"depth-${Date.now()}"`;
    const generic = (levels: number) => `{"type":"test.ping","payload":${nested(levels - 1, marker)}}`;
    for (const [pathname, body] of [
      ['/api/v1/messages', generic(10_000)],
      ['/api/v1/dossiers', dossier({}).replace(/}$/, `,"GhiChu":${nested(10_000)}}`)],
      ['/api/v1/dossiers/000.00.04.H10-261201-0001/progress', `{"MaHoSo":${nested(10_000)}}`],
      ['/api/v1/citizens/verify', nested(10_000)],
      ['/api/v1/admin/dead-letters/replay', `{"ids":${nested(10_000)}}`],
    ] as const) {
      const answer = await expectRefused(() => postJson(pathname, body), 400, 'JSON_TOO_DEEP', pathname);
      expect(answer.text).toContain(String(MAX_JSON_DEPTH));
    }
    expect((await postJson('/api/v1/messages', generic(MAX_JSON_DEPTH + 1))).code).toBe('JSON_TOO_DEEP');
    const atLimit = await postJson('/api/v1/messages', generic(MAX_JSON_DEPTH));
    expect(atLimit.status).toBe(202);
    await waitFor(() => world.receiver.applied().some((e) => JSON.stringify(e.body).includes(nested(MAX_JSON_DEPTH - 1, marker))), 10_000, 'the message at the limit delivered');
  });

  test('text the policy refuses (lone surrogate, NUL, other C0, C1, U+202E) → 400 VALIDATION_FAILED naming the field, on the generic endpoint too', async () => {
    const marker = `text-${Date.now()}`;
    for (const [value, codePoint] of [
      ['\ud800', 'U+D800'],
      ['\u0000', 'U+0000'],
      ['\u0007', 'U+0007'],
      ['\u009f', 'U+009F'],
      ['\u202e', 'U+202E'],
    ] as const) {
      const body = JSON.stringify({ type: 'test.ping', payload: { marker, items: [{ ghiChu: `Ghi chú ${value}` }] } });
      const answer = await expectRefused(() => postJson('/api/v1/messages', body), 400, 'VALIDATION_FAILED', '/api/v1/messages');
      expect(answer.field).toEqual(['/payload/items/0/ghiChu']);
      expect(answer.text).toContain(codePoint);
    }
    // The same text with a tab and line breaks is free text, and goes through; nothing refused reached the receiver.
    expect((await postJson('/api/v1/messages', JSON.stringify({ type: 'test.ping', payload: { marker, ghiChu: 'Dòng một\r\n\tDòng hai' } }))).status).toBe(202);
    await waitFor(() => world.receiver.applied().some((e) => JSON.stringify(e.body).includes(marker)), 10_000, 'the accepted message delivered');
    expect(world.receiver.applied().filter((e) => JSON.stringify(e.body).includes(marker))).toHaveLength(1);
    const subject = await postJson('/api/v1/messages', JSON.stringify({ type: 'test.ping', subject: 'HS-1\u200b', payload: {} }));
    expect({ status: subject.status, code: subject.code, field: subject.field }).toEqual({ status: 400, code: 'VALIDATION_FAILED', field: ['/subject'] });
  });

  test('an overlong field → 400 VALIDATION_FAILED naming it', async () => {
    const answer = await expectRefused(() => postJson('/api/v1/dossiers', dossier({ TrichYeuHoSo: 'Đăng ký khai sinh '.repeat(200) })), 400, 'VALIDATION_FAILED', '/api/v1/dossiers');
    expect(answer.field).toEqual(['/TrichYeuHoSo']);
  });

  test('an invalid citizen id (unknown province, future birth year) → 400 VALIDATION_FAILED naming it', async () => {
    // 12 digits, so only the id's own rules refuse it: province 999 does not exist.
    const unknownProvince = await expectRefused(() => postJson('/api/v1/dossiers', dossier({ SoDinhDanh: '999092008262' })), 400, 'VALIDATION_FAILED', '/api/v1/dossiers');
    expect(unknownProvince.field).toEqual(['/SoDinhDanh']);
    expect(unknownProvince.text).not.toContain('999092008262');
    // G = 5: born in the 2100s.
    const future = await expectRefused(() => postJson('/api/v1/dossiers', dossier({ SoDinhDanh: '026592008262' })), 400, 'VALIDATION_FAILED', '/api/v1/dossiers');
    expect(future.field).toEqual(['/SoDinhDanh']);
    const verify = JSON.stringify({ soDinhDanh: '999092008262', hoVaTen: 'Đào Văn Tài', ngaySinh: '1992-11-22' });
    expect((await expectRefused(() => postJson('/api/v1/citizens/verify', verify), 400, 'VALIDATION_FAILED', '/api/v1/citizens/verify')).field).toEqual(['/soDinhDanh']);
  });

  test('an invalid organ id → 400 (VALIDATION_FAILED in a dossier, EDXML_INVALID_ORGAN_ID in edXML) naming it', async () => {
    const inDossier = await expectRefused(() => postJson('/api/v1/dossiers', dossier({ MaDonViXuLy: 'UBND phường <Tân Phú>' })), 400, 'VALIDATION_FAILED', '/api/v1/dossiers');
    expect(inDossier.field).toEqual(['/MaDonViXuLy']);
    const badFrom = Buffer.from(validEdxml.toString('utf8').replace(`<edXML:OrganId>${SENDER_ORGAN}</edXML:OrganId>`, '<edXML:OrganId>000.00.01.H10;DROP</edXML:OrganId>'));
    const inEdxml = await expectRefused(() => postEdxml(badFrom), 400, 'EDXML_INVALID_ORGAN_ID', '/api/v1/edocs');
    expect(inEdxml.field[0]).toMatch(/OrganId$/);
  });

  test('an invalid dossier code → 400 VALIDATION_FAILED naming MaHoSo', async () => {
    const answer = await expectRefused(() => postJson('/api/v1/dossiers', dossier({ MaHoSo: 'HS 2026/0001' })), 400, 'VALIDATION_FAILED', '/api/v1/dossiers');
    expect(answer.field).toEqual(['/MaHoSo']);
    const progress = JSON.stringify({ MaHoSo: '../../admin', TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'A', NoiDungXuLy: 'B', ThoiGianXuLy: '2026-11-27T10:00:00+07:00' });
    const path2 = '/api/v1/dossiers/000.00.04.H10-261201-0001/progress';
    expect((await expectRefused(() => postJson(path2, progress), 400, 'VALIDATION_FAILED', path2)).field).toContain('/MaHoSo');
  });

  test('a DOCTYPE → EDXML_DOCTYPE_FORBIDDEN on REST and SOAP, in any letter case', async () => {
    const withDoctype = Buffer.from(validEdxml.toString('utf8').replace(/^(<\?xml[^>]*\?>)?/, '$1<!DOCTYPE edXML>'));
    await expectRefused(() => postEdxml(withDoctype), 400, 'EDXML_DOCTYPE_FORBIDDEN', '/api/v1/edocs');
    const soap = `<?xml version="1.0"?><!DocType soap:Envelope>${sendEdocEnvelope(validEdxml).replace(/^<\?xml[^>]*\?>/, '')}`;
    const fault = await expectRefused(() => postSoap(soap), SOAP_FAULT, 'EDXML_DOCTYPE_FORBIDDEN', '/soap/edoc');
    expect(fault.text).toContain('<faultcode>soap:Client</faultcode>');
  });

  test('an external entity → EDXML_ENTITY_FORBIDDEN on REST and SOAP', async () => {
    await expectRefused(() => postEdxml(EXTERNAL_ENTITY), 400, 'EDXML_ENTITY_FORBIDDEN', '/api/v1/edocs');
    const soap = `<?xml version="1.0"?><!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${soapEnvelope('<e:SendEdoc><e:edXML>&xxe;</e:edXML></e:SendEdoc>').replace(/^<\?xml[^>]*\?>/, '')}`;
    const fault = await expectRefused(() => postSoap(soap), SOAP_FAULT, 'EDXML_ENTITY_FORBIDDEN', '/soap/edoc');
    expect(fault.text).not.toContain('root:');
  });

  test('entity expansion (billion laughs) → EDXML_ENTITY_FORBIDDEN on REST and SOAP', async () => {
    await expectRefused(() => postEdxml(BILLION_LAUGHS), 400, 'EDXML_ENTITY_FORBIDDEN', '/api/v1/edocs');
    const soap = BILLION_LAUGHS.replace('<edXML>&lol9;</edXML>', soapEnvelope('<e:SendEdoc><e:edXML>&lol9;</e:edXML></e:SendEdoc>').replace(/^<\?xml[^>]*\?>/, ''));
    await expectRefused(() => postSoap(soap), SOAP_FAULT, 'EDXML_ENTITY_FORBIDDEN', '/soap/edoc');
  });

  test('a gzip bomb (50 MB of zeros) → 415 UNSUPPORTED_CONTENT_ENCODING, never inflated', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(100 * 1024);
    for (const [pathname, type, client] of [
      ['/api/v1/dossiers', 'application/json', TEST_CLIENT],
      ['/api/v1/messages', 'application/json', TEST_CLIENT],
      ['/api/v1/edocs', 'application/xml', EDOC_SENDER],
      ['/soap/edoc', 'text/xml', EDOC_SENDER],
    ] as const) {
      await expectRefused(() => post(pathname, bomb, { 'content-type': type, 'content-encoding': 'gzip' }, client), pathname === '/soap/edoc' ? SOAP_FAULT : 415, 'UNSUPPORTED_CONTENT_ENCODING', pathname);
    }
  });

  test('an oversize body → 413 PAYLOAD_TOO_LARGE: declared (answered before the body is sent), chunked (cut at the cap); edXML has its own larger cap', async () => {
    // Declared: only the headers go out; the answer comes without the body ever being sent.
    for (const [pathname, type, client, cap] of [
      ['/api/v1/dossiers', 'application/json', TEST_CLIENT, JSON_CAP_BYTES],
      ['/api/v1/edocs', 'application/xml', EDOC_SENDER, EDXML_CAP_BYTES],
      ['/soap/edoc', 'text/xml', EDOC_SENDER, EDXML_CAP_BYTES * 2],
      ['/api/v1/admin/dead-letters/replay', 'application/json', TEST_CLIENT, 64 * 1024],
    ] as const) {
      const before = (await world.refusalRecords()).filter((r) => r.errorCode === 'PAYLOAD_TOO_LARGE').length;
      const head = await headersOnly(world.url, pathname, { 'content-type': type, authorization: `Bearer ${world.token(client)}`, 'content-length': String(cap * 100) });
      expect(head).toMatch(pathname === '/soap/edoc' ? /^HTTP\/1\.1 500 / : /^HTTP\/1\.1 413 /);
      expect(head).toContain('PAYLOAD_TOO_LARGE');
      await waitFor(async () => (await world.refusalRecords()).filter((r) => r.errorCode === 'PAYLOAD_TOO_LARGE').length > before, 5000, 'audit of the 413');
    }
    // Chunked: no length declared; the bus stops reading at the cap.
    const chunked = (size: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let sent = 0; sent < size; sent += 16 * 1024) controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
          controller.close();
        },
      });
    const streamed = async (pathname: string, type: string, client: string, size: number) => {
      const res = await fetch(`${world.url}${pathname}`, { method: 'POST', headers: { authorization: `Bearer ${world.token(client)}`, 'content-type': type }, body: chunked(size), duplex: 'half' } as RequestInit);
      const text = await res.text();
      return { status: res.status, text, code: (JSON.parse(text) as { code?: string }).code, field: [] };
    };
    await expectRefused(() => streamed('/api/v1/messages', 'application/json', TEST_CLIENT, JSON_CAP_BYTES * 4), 413, 'PAYLOAD_TOO_LARGE', '/api/v1/messages');
    // Over the JSON cap but under the edXML cap: edXML reads it (and refuses it for what it is, not for its size).
    const underEdxmlCap = await postEdxml(Buffer.concat([validEdxml, Buffer.alloc(JSON_CAP_BYTES * 2, 0x20)]));
    expect(underEdxmlCap.status).toBe(202);
    await expectRefused(() => streamed('/api/v1/edocs', 'application/xml', EDOC_SENDER, EDXML_CAP_BYTES * 2), 413, 'PAYLOAD_TOO_LARGE', '/api/v1/edocs');
  });

  test('a SOAP request node-soap cannot process is a Client fault with a code, never a 500 or a stack trace', async () => {
    for (const body of ['<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><oops></soap:Body>', soapEnvelope('<e:NoSuchOperation/>'), 'not xml at all']) {
      const fault = await expectRefused(() => post('/soap/edoc', body, { 'content-type': 'text/xml' }, EDOC_SENDER), SOAP_FAULT, 'SOAP_MALFORMED_REQUEST', '/soap/edoc');
      expect(fault.text).toContain('<faultcode>soap:Client</faultcode>');
      expect(fault.text).not.toMatch(/\bat \S+ \(|\.(ts|js):\d+|node_modules|Error:/);
    }
    // A package the bus refuses: its code in the fault, no stack either.
    const bad = await expectRefused(() => postSoap(sendEdocEnvelope(Buffer.from('<edXML><broken></edXML>'))), SOAP_FAULT, 'EDXML_MALFORMED_XML', '/soap/edoc');
    expect(bad.text).not.toMatch(/\bat \S+ \(|\.(ts|js):\d+|node_modules/);
  });
});

/** Sends only the request line and headers, and returns what the server answers before any body byte is sent. */
function headersOnly(baseUrl: string, pathname: string, headers: Record<string, string>): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer before the body to ${pathname}: ${answer}`));
    }, 5000);
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.on('connect', () => {
      const lines = [`POST ${pathname} HTTP/1.1`, `Host: ${url.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
}
