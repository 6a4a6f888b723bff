import * as soap from 'soap';
import { wsdlPath } from '../../../src/core/repo-files';
import { buildAuthHeaders, PopulationClient, PopulationError, toLookupRequest, toVerificationRequest } from '../../../src/upstreams/population';
import { SAMPLE_CITIZENS, startPopulationSimulator, type RunningPopulationSimulator } from '../../../testkit/simulators/population';
import { caught as caughtOf } from '../../../testkit/caught';
import { checkSoapAnswer, wsdlSchemas } from '../../../testkit/soap-schema';
import { waitFor } from '../../../testkit/env';

const credentials = {
  userName: 'lgsp_test',
  secretKey: 'test-only-secret',
  clientId: 'VN/GOV/000.00.00.H10/LGSP',
  apiKey: 'test-only-api-key',
};
const requestContext = { maDvc: 'VPCP', maCanBo: '001090000001' };
const tai = SAMPLE_CITIZENS.daoVanTai;

let sim: RunningPopulationSimulator;
let client: PopulationClient;

beforeAll(async () => {
  sim = await startPopulationSimulator({ port: 0, credentials, maxBodyBytes: 16 * 1024 });
  client = await PopulationClient.create({ endpoint: sim.url, credentials, requestContext, timeoutMs: 5000 });
});

afterAll(async () => {
  await client.close();
  await sim.close();
});

afterEach(() => {
  sim.control.setFault({ mode: 'none' });
  sim.control.clear();
});

const caught = (promise: Promise<unknown>): Promise<PopulationError> => caughtOf(promise, PopulationError);

async function setFault(body: object): Promise<void> {
  const res = await fetch(new URL('/__sim/fault', sim.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

function signedHeaders(): Record<string, string> {
  return { ...buildAuthHeaders({ ...credentials, authUrl: sim.url }), 'Content-Type': 'application/xml; charset=utf-8' };
}

describe('population client against the simulator', () => {
  test('found: the record comes back typed and NFC', async () => {
    const result = await client.lookupCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: 'Đào Văn Tài', ngaySinh: tai.ngaySinh });
    expect(result.status).toBe('found');
    if (result.status !== 'found') return;
    expect(result.citizen.soDinhDanh).toBe(tai.soDinhDanh);
    expect(result.citizen.hoVaTen).toBe(tai.hoVaTen);
    expect(result.citizen.hoVaTen).toBe(result.citizen.hoVaTen.normalize('NFC'));
    expect(result.citizen.hoVaTenParts).toEqual({ ho: '', chuDem: '', ten: 'ĐÀO VĂN TÀI' });
    expect(result.citizen.ngaySinh).toBe('1992-11-22');

    const [received] = sim.control.received('TraCuuThongTinCongDan');
    expect(received?.body).toMatchObject({ MaTichHop: '037', SoDinhDanh: tai.soDinhDanh, HoVaTen: 'ĐÀO VĂN TÀI' });
    expect(received?.headers).toMatchObject({ 'x-road-client': credentials.clientId, authorization: '[redacted]' });
    expect(received?.headers.timestamp).toMatch(/^\d{13}$/);
  });

  test('not found: a valid id the registry does not hold', async () => {
    const result = await client.lookupCitizen({ soDinhDanh: '001099123456', hoVaTen: 'Trần Văn Bình', ngaySinh: '1999-01-01' });
    expect(result).toEqual({ status: 'not-found' });
  });

  test('mismatch: right id, wrong birth date or name', async () => {
    expect(await client.lookupCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: '1992-11-23' })).toEqual({
      status: 'mismatch',
      fields: ['ngaySinh'],
    });
    expect(await client.lookupCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: 'ĐÀO VĂN TÁI', ngaySinh: tai.ngaySinh })).toEqual({
      status: 'mismatch',
      fields: ['hoVaTen'],
    });
  });

  test('an NFD name (Unikey "tổ hợp", macOS) is matched after NFC; old/new tone placement too', async () => {
    const thuy = SAMPLE_CITIZENS.nguyenThiThuy;
    const nfd = 'Nguyễn Thị Thuỷ'.normalize('NFD');
    expect(nfd).not.toBe('Nguyễn Thị Thuỷ');
    const result = await client.lookupCitizen({ soDinhDanh: thuy.soDinhDanh, hoVaTen: nfd, ngaySinh: thuy.ngaySinh });
    expect(result.status).toBe('found');
    const hoa = SAMPLE_CITIZENS.leThiHoa;
    expect((await client.lookupCitizen({ soDinhDanh: hoa.soDinhDanh, hoVaTen: 'Lê Thị Hòa', ngaySinh: hoa.ngaySinh })).status).toBe('found');
  });

  test('a year-only record matches a full birth date in that year', async () => {
    const nam = SAMPLE_CITIZENS.phamVanNam;
    const result = await client.lookupCitizen({ soDinhDanh: nam.soDinhDanh, hoVaTen: nam.hoVaTen, ngaySinh: '1948-05-01' });
    expect(result.status).toBe('found');
  });

  test('033 verification answers only TonTai', async () => {
    expect(await client.verifyCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: 'đào văn tài', ngaySinh: tai.ngaySinh })).toEqual({ status: 'verified' });
    expect(await client.verifyCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: 'ĐÀO VĂN TÀI', ngaySinh: '1992-01-01' })).toEqual({ status: 'not-verified' });
  });

  test('invalid input is refused before any call and names no personal data', async () => {
    const error = await caught(client.lookupCitizen({ soDinhDanh: '003092008262', hoVaTen: 'ĐÀO VĂN TÀI', ngaySinh: '1992-11-22' }));
    expect(error).toMatchObject({ code: 'POPULATION_INVALID_REQUEST', transient: false });
    expect(error.message).not.toMatch(/003092008262|ĐÀO|1992/);
    expect(sim.control.received()).toHaveLength(0);
  });

  test('bad auth → SOAP fault → non-transient POPULATION_AUTH_REJECTED', async () => {
    const wrong = await PopulationClient.create({ endpoint: sim.url, credentials: { ...credentials, secretKey: 'wrong' }, requestContext });
    const error = await caught(wrong.lookupCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: tai.ngaySinh }));
    await wrong.close();
    expect(error).toMatchObject({ code: 'POPULATION_AUTH_REJECTED', transient: false, httpStatus: 401, faultCode: 'soap:Client.Authentication' });
    expect(error.message).not.toMatch(/026092008262|ĐÀO/);
  });

  test('fault mode fail → transient POPULATION_UNAVAILABLE', async () => {
    await setFault({ mode: 'fail', durationMs: 10_000 });
    const error = await caught(client.lookupCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: tai.ngaySinh }));
    expect(error).toMatchObject({ code: 'POPULATION_UNAVAILABLE', transient: true, httpStatus: 503 });
    expect(error.message).not.toMatch(/026092008262|ĐÀO/);
  });

  test('slow mode + per-call timeout → aborted within the timeout, and the request never reaches the service', async () => {
    await setFault({ mode: 'slow', delayMs: 1500, durationMs: 10_000 });
    const started = Date.now();
    const error = await caught(
      client.lookupCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: tai.ngaySinh }, { timeoutMs: 300 }),
    );
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: 'POPULATION_TIMEOUT', transient: true });
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(800);
    // Had the HTTP request stayed open, the simulator would process and record it once the delay ends: the sleep is
    // past that 1500 ms delay, as nothing signals a request that is rightly never recorded.
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect(sim.control.received('TraCuuThongTinCongDan')).toHaveLength(0);
  });

  test("the caller's AbortSignal (a circuit breaker's timeout) cancels the call", async () => {
    await setFault({ mode: 'slow', delayMs: 1500, durationMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const error = await caught(
      client.lookupCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: tai.ngaySinh }, { signal: controller.signal }),
    );
    expect(error).toMatchObject({ code: 'POPULATION_ABORTED', transient: true });
    expect(Date.now() - started).toBeLessThan(700);
  });

  test('an answer lost after the registry applied the call → transient POPULATION_UNAVAILABLE', async () => {
    await setFault({ mode: 'lose-answer', durationMs: 10_000 });
    const error = await caught(client.verifyCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: tai.ngaySinh }));
    expect(error).toMatchObject({ code: 'POPULATION_UNAVAILABLE', transient: true, httpStatus: null });
    expect(sim.control.received('XacThucThongTinCongDan')).toHaveLength(1);
  });

  test('refused connections → transient POPULATION_UNAVAILABLE', async () => {
    await setFault({ mode: 'refuse', durationMs: 10_000 });
    await waitFor(() => !sim.control.listening(), 5_000, 'the simulator to stop listening');
    const error = await caught(client.lookupCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: tai.ngaySinh }));
    expect(error).toMatchObject({ code: 'POPULATION_UNAVAILABLE', transient: true, httpStatus: null });
    sim.control.setFault({ mode: 'none' });
    await waitFor(() => sim.control.listening(), 5_000, 'the simulator to listen again');
    expect((await client.lookupCitizen({ soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: tai.ngaySinh })).status).toBe('found');
  });
});

describe('plain soap client built from the WSDL', () => {
  let plain: soap.Client;
  beforeAll(async () => {
    plain = await soap.createClientAsync(wsdlPath('population'), { endpoint: sim.url });
  });

  const lookupArgs = {
    MaYeuCau: 'plain-1',
    MaDVC: 'VPCP',
    MaTichHop: '037',
    MaCanBo: '001090000001',
    SoDinhDanh: tai.soDinhDanh,
    HoVaTen: 'ĐÀO VĂN TÀI',
    NgayThangNamSinh: { NgayThangNam: '19921122' },
  };

  test('found: CongdanCollection with one CongDan', async () => {
    const [result] = (await plain.TraCuuThongTinCongDanAsync(lookupArgs, {}, signedHeaders())) as [
      { attributes: Record<string, string>; CongDan: { SoDinhDanh: string; HoVaTen: { Ten: string } }[] },
    ];
    expect(result.attributes).toMatchObject({ SoCongDan: '1', MaKetQua: '00' });
    expect(result.CongDan[0]?.SoDinhDanh).toBe(tai.soDinhDanh);
    expect(result.CongDan[0]?.HoVaTen.Ten).toBe('ĐÀO VĂN TÀI');
  });

  test('not found and mismatch', async () => {
    const [missing] = (await plain.TraCuuThongTinCongDanAsync({ ...lookupArgs, SoDinhDanh: '001099123456' }, {}, signedHeaders())) as [
      { attributes: Record<string, string>; CongDan?: unknown },
    ];
    expect(missing.attributes).toMatchObject({ SoCongDan: '0', MaKetQua: '01' });
    expect(missing.CongDan).toBeUndefined();
    const [wrong] = (await plain.TraCuuThongTinCongDanAsync(
      { ...lookupArgs, HoVaTen: 'ĐÀO VĂN TỚI', NgayThangNamSinh: { NgayThangNam: '19930101' } },
      {},
      signedHeaders(),
    )) as [{ attributes: Record<string, string> }];
    expect(wrong.attributes).toMatchObject({ MaKetQua: '02', TruongKhongKhop: 'HoVaTen NgayThangNamSinh' });
  });

  test('NFD name sent raw on the wire still matches', async () => {
    const [result] = (await plain.TraCuuThongTinCongDanAsync({ ...lookupArgs, HoVaTen: 'ĐÀO VĂN TÀI'.normalize('NFD') }, {}, signedHeaders())) as [
      { attributes: Record<string, string> },
    ];
    expect(result.attributes.MaKetQua).toBe('00');
  });

  test('033 XacThucThongTinCongDan → KetQuaXacThucResponse.TonTai', async () => {
    const args = { MaYeuCau: 'plain-2', MaDichVu: '033', MaCanBo: 'VDXP_VPCP', SoDinhDanh: tai.soDinhDanh, HoVaTen: 'ĐÀO VĂN TÀI' };
    const [result] = (await plain.XacThucThongTinCongDanAsync(args, {}, signedHeaders())) as [{ TonTai: boolean }];
    expect(result.TonTai).toBe(true);
  });

  test("the client's own envelope reaches the server as the soap package's would, headers too", async () => {
    const context = { maDvc: 'VPCP', maCanBo: '001090000001', maDonVi: `<Sở "A" & 'B'>`, taiKhoan: 'cán bộ' };
    const ours = await PopulationClient.create({ endpoint: sim.url, credentials, requestContext: context, newRequestId: () => 'same-id' });
    const request = { soDinhDanh: tai.soDinhDanh, hoVaTen: 'đào văn tài', ngaySinh: '1992' };
    expect((await ours.lookupCitizen(request)).status).toBe('found');
    expect((await ours.verifyCitizen(request)).status).toBe('verified');
    await ours.close();
    const wire = { ...context, maYeuCau: 'same-id' };
    await plain.TraCuuThongTinCongDanAsync(toLookupRequest(request, wire), {}, signedHeaders());
    await plain.XacThucThongTinCongDanAsync(toVerificationRequest(request, wire), {}, signedHeaders());

    const [ourLookup, theirLookup] = sim.control.received('TraCuuThongTinCongDan');
    expect(ourLookup?.body).toEqual(theirLookup?.body);
    expect(ourLookup?.body).toMatchObject({ MaDonVi: `<Sở "A" & 'B'>`, TaiKhoan: 'cán bộ', NgayThangNamSinh: { Nam: '1992' } });
    const [ourCheck, theirCheck] = sim.control.received('XacThucThongTinCongDan');
    expect(ourCheck?.body).toEqual(theirCheck?.body);
    for (const name of ['content-type', 'soapaction', 'x-road-client', 'authorization', 'apikey']) {
      expect(ourLookup?.headers[name]).toBe(theirLookup?.headers[name]);
    }
    expect(ourLookup?.headers.timestamp).toMatch(/^\d{13}$/);
  });

  test("every answer, captured off the socket, validates (libxml2) against the schemas of the WSDL the simulator serves", async () => {
    const wsdl = await (await fetch(`${sim.url}?wsdl`)).text();
    // Self-contained (a relative import would resolve to nothing here) and addressed to the simulator itself.
    expect(wsdl).not.toContain('schemaLocation');
    expect(wsdl).toContain(`<soap:address location="${sim.url}"/>`);
    const schemas = wsdlSchemas(wsdl);
    expect([...schemas.keys()].sort()).toEqual(['http://dancuquocgia.bca', 'http://www.mic.gov.vn/dancu/1.0']);
    // One call at a time: lastResponse is the answer of the call last made.
    const answers: [string, () => Promise<unknown>][] = [
      ['{http://www.mic.gov.vn/dancu/1.0}CongdanCollection', () => plain.TraCuuThongTinCongDanAsync(lookupArgs, {}, signedHeaders())],
      ['{http://www.mic.gov.vn/dancu/1.0}CongdanCollection', () => plain.TraCuuThongTinCongDanAsync({ ...lookupArgs, SoDinhDanh: '001099123456' }, {}, signedHeaders())],
      ['{http://www.mic.gov.vn/dancu/1.0}CongdanCollection', () => plain.TraCuuThongTinCongDanAsync({ ...lookupArgs, HoVaTen: 'ĐÀO VĂN TỚI' }, {}, signedHeaders())],
      ['{http://dancuquocgia.bca}KetQuaXacThucResponse', () => plain.XacThucThongTinCongDanAsync({ MaYeuCau: 'p-3', MaDichVu: '033', MaCanBo: 'x', SoDinhDanh: tai.soDinhDanh, HoVaTen: 'ĐÀO VĂN TÀI' }, {}, signedHeaders())],
    ];
    for (const [element, answer] of answers) {
      await answer();
      const check = await checkSoapAnswer(plain.lastResponse as string, schemas);
      expect({ element, checked: check.checked, errors: check.errors }).toEqual({ element, checked: [element], errors: [] });
    }
    // A fault (no detail) is a well-formed SOAP 1.1 fault with unqualified children.
    await plain.TraCuuThongTinCongDanAsync(lookupArgs).catch(() => undefined);
    const fault = await checkSoapAnswer(plain.lastResponse as string, schemas);
    expect({ errors: fault.errors, faultcode: fault.fault?.faultcode }).toEqual({ errors: [], faultcode: 'soap:Client.Authentication' });
  });

  test('no auth headers → SOAP Fault with HTTP 401', async () => {
    const thrown = await plain.TraCuuThongTinCongDanAsync(lookupArgs).then(
      () => null,
      (error: unknown) => error,
    );
    const error = thrown as { response?: { status: number }; root?: { Envelope: { Body: { Fault: { faultcode: string } } } } };
    expect(error.response?.status).toBe(401);
    expect(error.root?.Envelope.Body.Fault.faultcode).toBe('soap:Client.Authentication');
    expect(sim.control.received('TraCuuThongTinCongDan')).toHaveLength(1);
  });
});

describe('request guards in front of the soap server', () => {
  const envelope = (inner: string): string =>
    '<?xml version="1.0" encoding="utf-8"?>' +
    inner +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca">' +
    '<soapenv:Body><dan:XacThucThongTinCongDanRequest><dan:MaYeuCau>x</dan:MaYeuCau><dan:MaDichVu>033</dan:MaDichVu>' +
    '<dan:MaCanBo>x</dan:MaCanBo><dan:SoDinhDanh>026092008262</dan:SoDinhDanh><dan:HoVaTen>&big;</dan:HoVaTen>' +
    '</dan:XacThucThongTinCongDanRequest></soapenv:Body></soapenv:Envelope>';

  test('a DOCTYPE is refused with a Client fault and never reaches the service', async () => {
    const body = envelope('<!DOCTYPE foo [<!ENTITY big "ĐÀO VĂN TÀI">]>');
    const res = await fetch(sim.url, { method: 'POST', headers: { ...signedHeaders(), SOAPAction: '""' }, body });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('<faultcode>soap:Client</faultcode>');
    expect(text).toContain('DOCTYPE');
    expect(sim.control.received()).toHaveLength(0);
  });

  test('an oversized body is refused with 413 and a SOAP fault, not an HTML stack page', async () => {
    const res = await fetch(sim.url, { method: 'POST', headers: signedHeaders(), body: 'x'.repeat(32 * 1024) });
    expect(res.status).toBe(413);
    const text = await res.text();
    expect(text).toContain('soap:Fault');
    expect(text).not.toMatch(/at \w+ \(/);
  });

  test('a compressed body is refused (no unbounded gunzip)', async () => {
    const res = await fetch(sim.url, { method: 'POST', headers: { ...signedHeaders(), 'Content-Encoding': 'gzip' }, body: 'abc' });
    expect(res.status).toBe(415);
  });

  test('GET ?wsdl serves the contract', async () => {
    const res = await fetch(`${sim.url}?wsdl`);
    expect(await res.text()).toContain('TraCuuThongTinCongDan');
  });
});
