// Writes the SOAP 1.1 request envelopes of 037 and 033 (contracts/xsd/population.xsd), elements in schema order.
import type { NgayThangNamSinhWire, TraCuuThongTinCongDanWire, XacThucThongTinCongDanRequestWire } from './wire-messages';

export const SOAP_ENVELOPE_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
/** targetNamespace of the WSDL and of population.xsd; the request elements are qualified in it. */
export const POPULATION_NAMESPACE = 'http://dancuquocgia.bca';

const XML_ESCAPES: Readonly<Record<string, string>> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** `<dan:name>text</dan:name>`, or nothing when the optional value is absent. */
function element(name: string, text: string | undefined): string {
  return text === undefined ? '' : `<dan:${name}>${escapeXml(text)}</dan:${name}>`;
}

function birthDate(value: NgayThangNamSinhWire | undefined): string {
  if (value === undefined) return '';
  return `<dan:NgayThangNamSinh>${element('Nam', value.Nam)}${element('NgayThangNam', value.NgayThangNam)}</dan:NgayThangNamSinh>`;
}

function envelope(bodyElement: string, content: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NAMESPACE}" xmlns:dan="${POPULATION_NAMESPACE}">` +
    `<soapenv:Body><dan:${bodyElement}>${content}</dan:${bodyElement}></soapenv:Body></soapenv:Envelope>`
  );
}

/** 037: dan:TraCuuThongTinCongDan. */
export function lookupEnvelope(body: TraCuuThongTinCongDanWire): string {
  return envelope(
    'TraCuuThongTinCongDan',
    element('MaYeuCau', body.MaYeuCau) +
      element('MaDVC', body.MaDVC) +
      element('MaTichHop', body.MaTichHop) +
      element('MaCanBo', body.MaCanBo) +
      element('MaDonVi', body.MaDonVi) +
      element('TaiKhoan', body.TaiKhoan) +
      element('SoDienThoai', body.SoDienThoai) +
      element('SoDinhDanh', body.SoDinhDanh) +
      element('SoCMND', body.SoCMND) +
      element('HoVaTen', body.HoVaTen) +
      birthDate(body.NgayThangNamSinh),
  );
}

/** 033: dan:XacThucThongTinCongDanRequest. */
export function verificationEnvelope(body: XacThucThongTinCongDanRequestWire): string {
  return envelope(
    'XacThucThongTinCongDanRequest',
    element('MaYeuCau', body.MaYeuCau) +
      element('MaDichVu', body.MaDichVu) +
      element('MaCanBo', body.MaCanBo) +
      element('SoDinhDanh', body.SoDinhDanh) +
      element('SoCMND', body.SoCMND) +
      element('HoVaTen', body.HoVaTen) +
      birthDate(body.NgayThangNamSinh),
  );
}
