// Searching the procedure catalogue: Vietnamese with or without accents (and in NFD), every word, by field code or name,
// linked or not, in code order a page at a time.
import { foldVietnamese, searchProcedures } from '../../../src/flows/dossier/procedure-search';
import type { CatalogueProcedure } from '../../../src/flows/dossier/province-catalogue';

function procedure(code: string, name: string, fieldCode: string, field: string, linked = true): CatalogueProcedure {
  const entry = { MATTHC: code, TENTTHC: name, LINHVUCTHUCHIEN: [{ MALINHVUC: fieldCode, TENLINHVUC: field }] };
  return { code, name, fieldCode, field, agency: 'Ủy ban nhân dân cấp xã', level: null, linked, listingDigest: 'd', entry: JSON.stringify(entry), procedure: entry };
}

const CATALOGUE = [
  procedure('1.001193', 'Thủ tục đăng ký khai sinh', 'HT', 'Hộ tịch'),
  procedure('1.000894', 'Thủ tục đăng ký kết hôn', 'HT', 'Hộ tịch'),
  procedure('1.003003', 'Đăng ký biến động quyền sử dụng đất', 'DD', 'Đất đai', false),
  procedure('2.001610', 'Đăng ký thành lập hộ kinh doanh', 'TLDN', 'Thành lập và hoạt động của doanh nghiệp'),
];
const codes = (query: Parameters<typeof searchProcedures>[1]) => searchProcedures(CATALOGUE, query).items.map((p) => p.code);

describe('procedure search', () => {
  test('folds accents, đ and case; NFD and NFC alike', () => {
    expect(foldVietnamese('Đăng ký  KHAI sinh')).toBe('dang ky khai sinh');
    expect(foldVietnamese('Đất đai'.normalize('NFD'))).toBe(foldVietnamese('dat dai'));
  });

  test('every word must match, in the code, name, field or agency', () => {
    expect(codes({ q: 'dang ky khai sinh', offset: 0, limit: 10 })).toEqual(['1.001193']);
    expect(codes({ q: 'Đăng ký', offset: 0, limit: 10 })).toEqual(['1.000894', '1.001193', '1.003003', '2.001610']);
    expect(codes({ q: '1.0030', offset: 0, limit: 10 })).toEqual(['1.003003']);
    expect(codes({ q: 'khai sinh ket hon', offset: 0, limit: 10 })).toEqual([]);
  });

  test('by field code or words of its name, linked or not, a page at a time', () => {
    expect(codes({ field: 'ht', offset: 0, limit: 10 })).toEqual(['1.000894', '1.001193']);
    expect(codes({ field: 'dat dai', offset: 0, limit: 10 })).toEqual(['1.003003']);
    expect(codes({ linked: false, offset: 0, limit: 10 })).toEqual(['1.003003']);
    const page = searchProcedures(CATALOGUE, { offset: 1, limit: 2 });
    expect(page).toMatchObject({ total: 4 });
    expect(page.items.map((p) => p.code)).toEqual(['1.001193', '1.003003']);
  });
});
