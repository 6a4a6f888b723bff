import { readFileSync } from 'node:fs';
import { wsdlPath } from '../../../src/core/repo-files';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import * as soap from 'soap';
import { toLookupRequest, toVerificationRequest } from '../../../src/upstreams/population';
import { escapeXml, lookupEnvelope, verificationEnvelope } from '../../../src/upstreams/population/soap-envelope';
import type { TraCuuThongTinCongDanWire, XacThucThongTinCongDanRequestWire } from '../../../src/upstreams/population/wire-messages';

const fullLookup: TraCuuThongTinCongDanWire = {
  MaYeuCau: 'req-0001',
  MaDVC: 'VPCP',
  MaTichHop: '037',
  MaCanBo: '001090000001',
  MaDonVi: '000.00.00.H10',
  TaiKhoan: 'lgsp',
  SoDienThoai: '0',
  SoDinhDanh: '026092008262',
  SoCMND: '135602342',
  HoVaTen: 'ĐÀO VĂN TÀI',
  NgayThangNamSinh: { Nam: '1992', NgayThangNam: '19921122' },
};

/** Element names of an xs:sequence in population.xsd, in schema order. */
function schemaOrder(elementName: string): string[] {
  const xsd = readFileSync(path.join(path.dirname(wsdlPath('population')), '../xsd/population.xsd'), 'utf8');
  const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'element' });
  const schema = (parser.parse(xsd) as { schema: { element: { name: string; complexType?: { sequence: { element: { name: string }[] } } }[] } }).schema;
  const declared = schema.element.find((e) => e.name === elementName);
  if (!declared?.complexType) throw new Error(`no ${elementName} in population.xsd`);
  return declared.complexType.sequence.element.map((e) => e.name);
}

/** Local names of the children of the request element, in document order. */
function childOrder(xml: string, elementName: string): string[] {
  const inner = new RegExp(`<dan:${elementName}>(.*)</dan:${elementName}>`).exec(xml)?.[1] ?? '';
  const names: string[] = [];
  let depth = 0;
  for (const [, closing, name] of inner.matchAll(/<(\/?)dan:(\w+)>/g)) {
    if (closing) depth--;
    else if (depth++ === 0) names.push(name as string);
  }
  return names;
}

let soapClient: soap.Client;
beforeAll(async () => {
  soapClient = await soap.createClientAsync(wsdlPath('population'));
});
/** How the soap package (as the simulator's server does) reads the envelope back. */
function readBack(xml: string): Record<string, unknown> {
  return (soapClient.wsdl.xmlToObject(xml) as { Body: Record<string, unknown> }).Body;
}

describe('lookupEnvelope (037)', () => {
  test('a SOAP 1.1 envelope whose body element is in the WSDL namespace', () => {
    const xml = lookupEnvelope(fullLookup);
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?><soapenv:Envelope xmlns:soapenv="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/" xmlns:dan="http:\/\/dancuquocgia\.bca"><soapenv:Body><dan:TraCuuThongTinCongDan>/);
    expect(xml).toMatch(/<\/dan:TraCuuThongTinCongDan><\/soapenv:Body><\/soapenv:Envelope>$/);
  });

  test('every element, in the order of population.xsd', () => {
    const order = schemaOrder('TraCuuThongTinCongDan');
    expect(order).toHaveLength(Object.keys(fullLookup).length);
    expect(childOrder(lookupEnvelope(fullLookup), 'TraCuuThongTinCongDan')).toEqual(order);
    expect(lookupEnvelope(fullLookup)).toContain('<dan:NgayThangNamSinh><dan:Nam>1992</dan:Nam><dan:NgayThangNam>19921122</dan:NgayThangNam></dan:NgayThangNamSinh>');
  });

  test('absent optional elements are left out, not sent empty', () => {
    const body = toLookupRequest({ soDinhDanh: '026092008262', hoVaTen: 'Đào Văn Tài', ngaySinh: '1992-11-22' }, { maYeuCau: 'r', maDvc: 'VPCP', maCanBo: 'c' });
    const xml = lookupEnvelope(body);
    expect(childOrder(xml, 'TraCuuThongTinCongDan')).toEqual(['MaYeuCau', 'MaDVC', 'MaTichHop', 'MaCanBo', 'SoDienThoai', 'SoDinhDanh', 'HoVaTen', 'NgayThangNamSinh']);
    expect(xml).toContain('<dan:NgayThangNamSinh><dan:NgayThangNam>19921122</dan:NgayThangNam></dan:NgayThangNamSinh>');
    expect(xml).not.toMatch(/MaDonVi|TaiKhoan|SoCMND|<dan:Nam>/);
  });

  test('the soap package reads back exactly the body that was written', () => {
    expect(readBack(lookupEnvelope(fullLookup))).toEqual({ TraCuuThongTinCongDan: fullLookup });
  });

  test('<&>"\' are escaped in every value and read back as written', () => {
    const hostile = { ...fullLookup, MaYeuCau: `</dan:MaYeuCau><dan:SoDinhDanh>1</dan:SoDinhDanh>`, HoVaTen: `O'NEIL "BÉ" <TÍ> & CO` };
    const xml = lookupEnvelope(hostile);
    expect(xml).toContain('<dan:HoVaTen>O&apos;NEIL &quot;BÉ&quot; &lt;TÍ&gt; &amp; CO</dan:HoVaTen>');
    expect(xml).toContain('<dan:MaYeuCau>&lt;/dan:MaYeuCau&gt;&lt;dan:SoDinhDanh&gt;1&lt;/dan:SoDinhDanh&gt;</dan:MaYeuCau>');
    expect(readBack(xml)).toEqual({ TraCuuThongTinCongDan: hostile });
  });

  test('Vietnamese text goes out as given: NFC, not re-encoded as character references', () => {
    const name = 'NGUYỄN THỊ THUỶ';
    expect(name).toBe(name.normalize('NFC'));
    const xml = lookupEnvelope({ ...fullLookup, HoVaTen: name });
    expect(xml).toContain(`<dan:HoVaTen>${name}</dan:HoVaTen>`);
    expect(xml).toBe(xml.normalize('NFC'));
    expect(xml).not.toContain('&#');
  });
});

describe('verificationEnvelope (033)', () => {
  const full: XacThucThongTinCongDanRequestWire = {
    MaYeuCau: 'req-0002',
    MaDichVu: '033',
    MaCanBo: 'VDXP_VPCP',
    SoDinhDanh: '026092008262',
    SoCMND: '135602342',
    HoVaTen: 'ĐÀO VĂN TÀI',
    NgayThangNamSinh: { Nam: '1992' },
  };

  test('every element, in the order of population.xsd, under XacThucThongTinCongDanRequest', () => {
    const xml = verificationEnvelope(full);
    expect(xml).toContain('<soapenv:Body><dan:XacThucThongTinCongDanRequest>');
    expect(childOrder(xml, 'XacThucThongTinCongDanRequest')).toEqual(schemaOrder('XacThucThongTinCongDanRequest'));
    expect(readBack(xml)).toEqual({ XacThucThongTinCongDanRequest: full });
  });

  test('an old CMND and no birth date: SoDinhDanh and NgayThangNamSinh are left out', () => {
    const rest: XacThucThongTinCongDanRequestWire = { MaYeuCau: 'req-0003', MaDichVu: '033', MaCanBo: 'VDXP_VPCP', SoCMND: '135602342', HoVaTen: 'ĐÀO VĂN TÀI' };
    const xml = verificationEnvelope(rest);
    expect(childOrder(xml, 'XacThucThongTinCongDanRequest')).toEqual(['MaYeuCau', 'MaDichVu', 'MaCanBo', 'SoCMND', 'HoVaTen']);
    expect(readBack(xml)).toEqual({ XacThucThongTinCongDanRequest: rest });
  });

  test('built from the mapping, as the client does', () => {
    const body = toVerificationRequest({ soDinhDanh: '135602342', hoVaTen: 'đào văn tài', ngaySinh: '1992' }, { maYeuCau: 'r', maDvc: 'VPCP', maCanBo: 'c' });
    expect(readBack(verificationEnvelope(body))).toEqual({ XacThucThongTinCongDanRequest: body });
  });
});

test('escapeXml', () => {
  expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
  expect(escapeXml('ĐÀO VĂN TÀI')).toBe('ĐÀO VĂN TÀI');
});
