// What an admin sees of personal data: bodies masked by field, free texts by shape; the clear view changes nothing.
import { CLEAR_VIEW, MASKED_VIEW } from '../../../src/http/admin/personal-data-view';

describe('personal-data view', () => {
  test('a body: CCCD, names, birth dates and addresses masked at any depth; the rest kept', () => {
    const body = { MaHoSo: '000.00.04.H10-261127-0001', ChuHoSo: 'Đào Văn Tài', SoDinhDanh: '026092008262', NgaySinhChuHoSo: '1992-11-22', TaiLieuNop: [{ HoTen: 'Trần Thị B', TenTepDinhKem: 'a.pdf' }] };
    expect(MASKED_VIEW.body(body)).toEqual({ MaHoSo: '000.00.04.H10-261127-0001', ChuHoSo: '***', SoDinhDanh: '***', NgaySinhChuHoSo: '***', TaiLieuNop: [{ HoTen: '***', TenTepDinhKem: 'a.pdf' }] });
    expect(CLEAR_VIEW.body(body)).toBe(body);
  });

  test.each([
    ['a 12-digit id', 'công dân 026092008262 không khớp', 'công dân *** không khớp'],
    ['a grouped 12-digit id', 'so 026 092 008 262.', 'so ***.'],
    ['a 9-digit CMND', 'CMND 123456789', 'CMND ***'],
    ['a date dd/mm/yyyy', 'sinh ngày 22/11/1992', 'sinh ngày ***'],
    ['an ISO date', 'birth 1992-11-22 differs', 'birth *** differs'],
    ['a compact date', 'NgaySinh=19921122', 'NgaySinh=***'],
  ])('a free text: %s masked', (_name, text, masked) => {
    expect(MASKED_VIEW.text(text)).toBe(masked);
    expect(CLEAR_VIEW.text(text)).toBe(text);
  });

  test('free texts keep what is not personal: organ ids, dossier codes, timestamps, HTTP statuses', () => {
    for (const text of ['000.00.04.H10-261127-0001 sent to 000.00.01.H10', 'retry at 2026-11-27T10:00:00+07:00', 'dvcqg answered HTTP 400 after 3 attempts']) {
      expect(MASKED_VIEW.text(text)).toBe(text);
    }
    expect(MASKED_VIEW.text(null)).toBeNull();
  });
});
