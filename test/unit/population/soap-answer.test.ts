import { readFileSync } from 'node:fs';
import { wsdlPath } from '../../../src/core/repo-files';
import path from 'node:path';
import * as soap from 'soap';
import { lookupResultFromWire, verificationResultFromWire, type CitizenVerifyRequest } from '../../../src/upstreams/population';
import { normalizeNfc } from '../../../src/core/envelope';
import { UnreadableAnswerError } from '../../../src/upstreams/population/mapping';
import { MAX_ANSWER_DEPTH, SoapAnswerReader, type SoapAnswer } from '../../../src/upstreams/population/soap-answer';

const lookupAnswer = new SoapAnswerReader('CongdanCollection', ['CongDan']);
const verificationAnswer = new SoapAnswerReader('KetQuaXacThucResponse');
const taiRequest: CitizenVerifyRequest = { soDinhDanh: '026092008262', hoVaTen: 'Đào Văn Tài', ngaySinh: '1992-11-22' };

function fixture(file: string): string {
  return readFileSync(path.join(__dirname, '../../fixtures/population', file), 'utf8');
}

function contentOf(answer: SoapAnswer): unknown {
  if (answer.kind !== 'answer') throw new Error(`expected an answer, got ${answer.kind}`);
  return normalizeNfc(answer.content);
}

function envelope(body: string): string {
  return `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

function collection(inner: string, attributes = ''): string {
  return envelope(`<dc:CongdanCollection xmlns:dc="http://www.mic.gov.vn/dancu/1.0"${attributes}>${inner}</dc:CongdanCollection>`);
}

/** What the previous client (the soap package, reading the local WSDL) made of the same answer. */
let soapClient: soap.Client;
beforeAll(async () => {
  soapClient = await soap.createClientAsync(wsdlPath('population'));
});
function soapPackageBody(xml: string): Record<string, unknown> {
  return (soapClient.wsdl.xmlToObject(xml) as { Body: Record<string, unknown> }).Body;
}

describe('SoapAnswerReader: 037 CongdanCollection', () => {
  test('the public-sample-shaped answer: CongDan is a list, attributes kept, text as strings', () => {
    const content = contentOf(lookupAnswer.read(fixture('tra-cuu-037-found.xml'))) as Record<string, unknown>;
    expect(content.attributes).toEqual({ SoCongDan: '1', ThoiDiemDuLieu: '2025-06-30T08:00:00Z' });
    expect(content.CongDan).toHaveLength(1);
    expect(content.CongDan).toMatchObject([
      {
        SoDinhDanh: '026092008262',
        SoCMND: '135602342',
        HoVaTen: { Ho: '', ChuDem: '', Ten: 'ĐÀO VĂN TÀI' },
        NgayThangNamSinh: { Nam: '1992', NgayThangNam: '19921122' },
        NoiDangKyKhaiSinh: { MaPhuongXa: '09106', QuocGia: 'VN' },
        ChuHo: { QuanHe: 'CH01', HoVaTen: { Ten: 'ĐÀO VĂN TÀI' } },
      },
    ]);
  });

  test.each(['tra-cuu-037-found.xml', 'tra-cuu-037-two-records.xml', 'tra-cuu-037-not-found.xml', 'tra-cuu-037-mismatch.xml'])(
    '%s maps to the same result as the soap package read it',
    (file) => {
      const xml = fixture(file);
      const ours = lookupResultFromWire(contentOf(lookupAnswer.read(xml)), taiRequest);
      const theirs = lookupResultFromWire(normalizeNfc(soapPackageBody(xml).CongdanCollection), taiRequest);
      expect(ours).toEqual(theirs);
    },
  );

  test('several CongDan: all of them, in order; the requested id is picked', () => {
    const content = contentOf(lookupAnswer.read(fixture('tra-cuu-037-two-records.xml'))) as { CongDan: { SoDinhDanh: string }[] };
    expect(content.CongDan.map((c) => c.SoDinhDanh)).toEqual(['026192001234', '026092008262']);
    const result = lookupResultFromWire(content, taiRequest);
    expect(result).toMatchObject({ status: 'found', citizen: { soDinhDanh: '026092008262', hoVaTen: 'ĐÀO VĂN TÀI' } });
  });

  test('predefined entities and character references are decoded; xsi:type does not turn text into an object', () => {
    const content = contentOf(lookupAnswer.read(fixture('tra-cuu-037-two-records.xml'))) as {
      CongDan: { HoVaTen: { Ho: string; ChuDem: string }; ThuongTru?: { ChiTiet: string }; NgayThangNamSinh: { NgayThangNam: string } }[];
    };
    const [mai, tai] = content.CongDan;
    expect(tai?.HoVaTen).toMatchObject({ Ho: 'ĐÀO', ChuDem: 'VĂN' });
    expect(tai?.ThuongTru?.ChiTiet).toBe(`SỐ 5 & 7, NGÕ <3>, THÔN "ĐÔNG", XÓM 'A'`);
    expect(mai?.NgayThangNamSinh.NgayThangNam).toBe('19920101');
  });

  test('CDATA is text as written, not decoded again', () => {
    const content = contentOf(lookupAnswer.read(collection('<dc:CongDan><dc:SoDinhDanh><![CDATA[a &amp; b]]></dc:SoDinhDanh></dc:CongDan>')));
    expect(content).toEqual({ CongDan: [{ SoDinhDanh: 'a &amp; b' }] });
  });

  test('an element named like an Object method is read as itself, not merged with the method', () => {
    const content = contentOf(lookupAnswer.read(collection('<dc:CongDan><dc:toString>a</dc:toString><dc:constructor>b</dc:constructor></dc:CongDan>')));
    expect(content).toEqual({ CongDan: [{ toString: 'a', constructor: 'b' }] });
  });

  test('an empty collection is "not found", with or without attributes', () => {
    expect(lookupResultFromWire(contentOf(lookupAnswer.read(fixture('tra-cuu-037-not-found.xml'))), taiRequest)).toEqual({ status: 'not-found' });
    const bare = contentOf(lookupAnswer.read(envelope('<dc:CongdanCollection xmlns:dc="http://www.mic.gov.vn/dancu/1.0"/>')));
    expect(bare).toBe('');
    expect(lookupResultFromWire(bare, taiRequest)).toEqual({ status: 'not-found' });
  });

  test('the MaKetQua / TruongKhongKhop extension attributes reach the mapping', () => {
    const content = contentOf(lookupAnswer.read(fixture('tra-cuu-037-mismatch.xml')));
    expect(content).toMatchObject({ attributes: { MaKetQua: '02', TruongKhongKhop: 'HoVaTen NgayThangNamSinh' } });
    expect(lookupResultFromWire(content, taiRequest)).toEqual({ status: 'mismatch', fields: ['hoVaTen', 'ngaySinh'] });
  });

  test('a numeric-looking id keeps its leading zero', () => {
    const content = contentOf(lookupAnswer.read(collection('<dc:CongDan><dc:SoDinhDanh>001099123456</dc:SoDinhDanh></dc:CongDan>')));
    expect(content).toEqual({ CongDan: [{ SoDinhDanh: '001099123456' }] });
  });
});

describe('SoapAnswerReader: 033 KetQuaXacThucResponse', () => {
  test('TonTai arrives as text and the mapping reads it', () => {
    const content = contentOf(verificationAnswer.read(fixture('xac-thuc-033-true.xml')));
    expect(content).toEqual({ TonTai: 'true' });
    expect(verificationResultFromWire(content)).toEqual({ status: 'verified' });
    const no = envelope('<dan:KetQuaXacThucResponse xmlns:dan="http://dancuquocgia.bca"><dan:TonTai>false</dan:TonTai></dan:KetQuaXacThucResponse>');
    expect(verificationResultFromWire(contentOf(verificationAnswer.read(no)))).toEqual({ status: 'not-verified' });
  });
});

describe('SoapAnswerReader: faults and refusals', () => {
  test('a SOAP Fault gives its faultcode as written', () => {
    expect(lookupAnswer.read(fixture('fault-client-authentication.xml'))).toEqual({ kind: 'fault', faultCode: 'soap:Client.Authentication' });
    expect(verificationAnswer.read(envelope('<soap:Fault><faultstring>x</faultstring></soap:Fault>'))).toEqual({ kind: 'fault', faultCode: null });
  });

  test('a DOCTYPE with entities is refused, and nothing of it is expanded or echoed', () => {
    const read = (): SoapAnswer => lookupAnswer.read(fixture('tra-cuu-037-doctype.xml'));
    expect(read).toThrow(UnreadableAnswerError);
    expect(read).toThrow(/DOCTYPE/);
    expect(read).not.toThrow(/ĐÀO|026092008262/);
  });

  test.each([
    ['an undeclared entity', collection('<dc:CongDan><dc:SoDinhDanh>&ten;</dc:SoDinhDanh></dc:CongDan>')],
    ['a bare ampersand', collection('<dc:CongDan><dc:SoDinhDanh>A & B</dc:SoDinhDanh></dc:CongDan>')],
    ['a reference to a non-XML character', collection('<dc:CongDan><dc:SoDinhDanh>&#0;</dc:SoDinhDanh></dc:CongDan>')],
    ['not XML', '{"code":"SIM_FAULT","message":"simulated upstream failure"}'],
    ['not well-formed', collection('<dc:CongDan><dc:SoDinhDanh>026092008262</dc:CongDan>')],
    ['truncated', fixture('tra-cuu-037-found.xml').slice(0, 700)],
    ['no SOAP envelope', '<CongdanCollection SoCongDan="0"/>'],
    ['an empty Body', envelope('')],
    ['another element in the Body', envelope('<dan:KetQuaXacThucResponse xmlns:dan="http://dancuquocgia.bca"><dan:TonTai>true</dan:TonTai></dan:KetQuaXacThucResponse>')],
  ])('%s is unreadable', (_label, xml) => {
    expect(() => lookupAnswer.read(xml)).toThrow(UnreadableAnswerError);
  });

  test('parser messages, which may quote the answer, are not passed on', () => {
    const xml = collection('<dc:CongDan><dc:HoVaTen>ĐÀO VĂN TÀI</dc:Ten></dc:CongDan>');
    expect(() => lookupAnswer.read(xml)).toThrow('population answer could not be read: not well-formed XML');
  });

  test('an answer nested deeper than the service ever nests is unreadable, and says so', () => {
    const deep = (levels: number) => collection(`<dc:CongDan>${'<dc:x>'.repeat(levels)}1${'</dc:x>'.repeat(levels)}</dc:CongDan>`);
    expect(lookupAnswer.read(deep(MAX_ANSWER_DEPTH - 4)).kind).toBe('answer');
    expect(() => lookupAnswer.read(deep(MAX_ANSWER_DEPTH - 3))).toThrow(`population answer could not be read: elements nested deeper than ${MAX_ANSWER_DEPTH}`);
    expect(() => lookupAnswer.read(deep(100_000))).toThrow(UnreadableAnswerError);
  });

  test('a byte-order mark before the declaration is accepted', () => {
    expect(verificationAnswer.read(`\uFEFF${fixture('xac-thuc-033-true.xml')}`)).toEqual({ kind: 'answer', content: { TonTai: 'true' } });
  });
});
