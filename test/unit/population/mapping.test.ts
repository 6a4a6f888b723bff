import { readFileSync } from 'node:fs';
import { wsdlPath } from '../../../src/core/repo-files';
import path from 'node:path';
import * as soap from 'soap';
import {
  lookupResultFromWire,
 
  toLookupRequest,
  toVerificationRequest,
  validateVerifyRequest,
  verificationResultFromWire,
  type CitizenVerifyRequest,
} from '../../../src/upstreams/population';

const context = { maYeuCau: 'req-0001', maDvc: 'VPCP', maCanBo: '001090000001' };
const taiRequest: CitizenVerifyRequest = { soDinhDanh: '026092008262', hoVaTen: 'Đào Văn Tài', ngaySinh: '1992-11-22' };

/** Parses a SOAP answer the way the client does (the soap package, reading the local WSDL). */
async function parseAnswer(file: string): Promise<unknown> {
  const client = await soap.createClientAsync(wsdlPath('population'));
  const xml = readFileSync(path.join(__dirname, '../../fixtures/population', file), 'utf8');
  const envelope = client.wsdl.xmlToObject(xml) as { Body: Record<string, unknown> };
  return envelope.Body.CongdanCollection;
}

describe('validateVerifyRequest', () => {
  test('accepts a real-shaped request and returns it NFC-trimmed', () => {
    const input = { soDinhDanh: ' 026092008262 ', hoVaTen: 'Đào Văn Tài'.normalize('NFD'), ngaySinh: '1992-11-22' };
    const result = validateVerifyRequest(input);
    expect(result).toEqual({ ok: true, request: { soDinhDanh: '026092008262', hoVaTen: 'Đào Văn Tài', ngaySinh: '1992-11-22' } });
  });

  test('accepts a 9-digit CMND and a year-only birth date', () => {
    expect(validateVerifyRequest({ soDinhDanh: '135602342', hoVaTen: 'ĐÀO VĂN TÀI', ngaySinh: '1992' }).ok).toBe(true);
  });

  test('names fields and problems, never values', () => {
    const result = validateVerifyRequest({ soDinhDanh: '003092008262', hoVaTen: '', ngaySinh: '1992-02-30' });
    expect(result).toEqual({
      ok: false,
      problems: [
        { field: 'ngaySinh', problem: 'not-a-date' },
        { field: 'hoVaTen', problem: 'missing' },
        { field: 'soDinhDanh', problem: 'unknown-province' },
      ],
    });
    expect(JSON.stringify(result)).not.toContain('003092008262');
  });

  test('id whose year disagrees with the birth date is refused', () => {
    expect(validateVerifyRequest({ ...taiRequest, ngaySinh: '1993-11-22' })).toEqual({
      ok: false,
      problems: [{ field: 'soDinhDanh', problem: 'birth-year-mismatch' }],
    });
  });

  test('non-object input', () => {
    expect(validateVerifyRequest(null).ok).toBe(false);
  });
});

describe('request mapping', () => {
  test('037 request: doc element names, upper-case NFC name, yyyyMMdd date', () => {
    expect(toLookupRequest({ ...taiRequest, hoVaTen: taiRequest.hoVaTen.normalize('NFD') }, context)).toEqual({
      MaYeuCau: 'req-0001',
      MaDVC: 'VPCP',
      MaTichHop: '037',
      MaCanBo: '001090000001',
      SoDienThoai: '0',
      SoDinhDanh: '026092008262',
      HoVaTen: 'ĐÀO VĂN TÀI',
      NgayThangNamSinh: { NgayThangNam: '19921122' },
    });
  });

  test('037 request with an old CMND and only a birth year', () => {
    const body = toLookupRequest({ soDinhDanh: '135602342', hoVaTen: 'đào văn tài', ngaySinh: '1992' }, context);
    expect(body.SoCMND).toBe('135602342');
    expect(body.SoDinhDanh).toBeUndefined();
    expect(body.NgayThangNamSinh).toEqual({ Nam: '1992' });
  });

  test('033 request', () => {
    expect(toVerificationRequest(taiRequest, context)).toEqual({
      MaYeuCau: 'req-0001',
      MaDichVu: '033',
      MaCanBo: '001090000001',
      SoDinhDanh: '026092008262',
      HoVaTen: 'ĐÀO VĂN TÀI',
      NgayThangNamSinh: { NgayThangNam: '19921122' },
    });
  });
});

describe('answer mapping', () => {
  test('the public-sample-shaped 037 answer maps to a found citizen', async () => {
    const answer = await parseAnswer('tra-cuu-037-found.xml');
    const result = lookupResultFromWire(answer, taiRequest);
    expect(result.status).toBe('found');
    if (result.status !== 'found') return;
    expect(result.citizen).toMatchObject({
      soDinhDanh: '026092008262',
      soCmnd: '135602342',
      hoVaTen: 'ĐÀO VĂN TÀI',
      hoVaTenParts: { ho: '', chuDem: '', ten: 'ĐÀO VĂN TÀI' },
      gioiTinh: '1',
      ngaySinh: '1992-11-22',
      noiDangKyKhaiSinh: { maTinhThanh: '26', maQuanHuyen: '252', maPhuongXa: '09106', quocGia: 'VN' },
      me: { hoVaTen: 'NGUYỄN THỊ LAN', quocTich: 'VN' },
      chuHo: { quanHe: 'CH01', soDinhDanh: '026092008262' },
      soSoHoKhau: '260123456',
      quocTich: null,
    });
  });

  test('a returned record that disagrees with the request is a mismatch (real registry without MaKetQua)', async () => {
    const answer = await parseAnswer('tra-cuu-037-found.xml');
    expect(lookupResultFromWire(answer, { ...taiRequest, hoVaTen: 'ĐÀO VĂN TÁI', ngaySinh: '1992-11-23' })).toEqual({
      status: 'mismatch',
      fields: ['hoVaTen', 'ngaySinh'],
    });
  });

  test('empty collection and MaKetQua 01 are not found', () => {
    expect(lookupResultFromWire({ attributes: { SoCongDan: '0' } }, taiRequest)).toEqual({ status: 'not-found' });
    expect(lookupResultFromWire(undefined, taiRequest)).toEqual({ status: 'not-found' });
    expect(lookupResultFromWire({ attributes: { MaKetQua: '01' } }, taiRequest)).toEqual({ status: 'not-found' });
  });

  test('MaKetQua 02 lists the mismatched fields', () => {
    const answer = { attributes: { SoCongDan: '0', MaKetQua: '02', TruongKhongKhop: 'NgayThangNamSinh' } };
    expect(lookupResultFromWire(answer, taiRequest)).toEqual({ status: 'mismatch', fields: ['ngaySinh'] });
  });

  test('a record without an id is unreadable', () => {
    expect(() => lookupResultFromWire({ CongDan: [{ HoVaTen: { Ten: 'A' } }] }, taiRequest)).toThrow(/could not be read/);
  });

  test('033 TonTai', () => {
    expect(verificationResultFromWire({ TonTai: true })).toEqual({ status: 'verified' });
    expect(verificationResultFromWire({ TonTai: 'false' })).toEqual({ status: 'not-verified' });
    expect(() => verificationResultFromWire({})).toThrow(/TonTai/);
  });
});
