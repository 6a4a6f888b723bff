// Unit tests for the intake → DVCQG mapping: dates, status table, NFC, procedure catalogue and errors.
import {
  DossierMappingError,
  toDongBoHoSoItem,
  formatDvcqgDate,
  toDvcqgDate,
  toTienDoHoSoItem,
  type DossierIntake,
} from '../../../src/upstreams/dvcqg';
import { birthRegistration, birthRegistrationProgress, businessUtc, marriageStatusNfd } from '../../fixtures/dvcqg/load-fixtures';

function mappingError(fn: () => unknown): DossierMappingError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DossierMappingError) return err;
    throw err;
  }
  throw new Error('expected a DossierMappingError');
}

describe('toDvcqgDate', () => {
  it.each([
    ['2024-03-15T08:30:00+07:00', '20240315083000'],
    ['2024-03-15T01:30:00Z', '20240315083000'],
    ['2024-06-30T17:15:30Z', '20240701001530'],
    ['2024-04-03T23:45:00-05:00', '20240404114500'],
    ['2024-12-31T23:59:59.999+09:00', '20241231215959'],
    ['2024-02-29T10:00+07:00', '20240229100000'],
  ])('%s → %s (Asia/Ho_Chi_Minh)', (iso, expected) => {
    expect(toDvcqgDate(iso, 'NgayTiepNhan')).toBe(expected);
  });

  it.each(['2024-03-15T08:30:00', '2024-03-15', '15/03/2024 08:30', '2023-02-29T10:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z'])(
    'rejects %s with INVALID_DATE naming the field',
    (bad) => {
      const err = mappingError(() => toDvcqgDate(bad, 'NgayHenTra'));
      expect(err.code).toBe('INVALID_DATE');
      expect(err.field).toBe('NgayHenTra');
      expect(err.message).not.toContain(bad);
    },
  );
});

describe('formatDvcqgDate', () => {
  const tzdb = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const byTimeZoneDatabase = (instant: Date) => {
    const p = Object.fromEntries(tzdb.formatToParts(instant).map((part) => [part.type, part.value]));
    return `${p.year}${p.month}${p.day}${p.hour}${p.minute}${p.second}`;
  };

  it('gives the time-zone database\'s digits for instants from 1970 to 2200, across the 1975 change to +07:00', () => {
    const instants = [Date.UTC(1975, 5, 12, 15, 59, 59), Date.UTC(1975, 5, 12, 16, 0, 0), Date.UTC(1975, 5, 12, 16, 0, 1), Date.UTC(9999, 11, 31, 16, 59, 59)];
    let seed = 20261205;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const from = Date.UTC(1970, 0, 1);
    const to = Date.UTC(2200, 0, 1);
    for (let i = 0; i < 20_000; i++) instants.push(Math.floor(from + next() * (to - from)));
    for (const ms of instants) expect([ms, formatDvcqgDate(new Date(ms))]).toEqual([ms, byTimeZoneDatabase(new Date(ms))]);
  });

  it('before 13 June 1975 (UTC+08:00 then) as the time-zone database says', () => {
    expect(formatDvcqgDate(new Date('1975-06-12T15:59:59Z'))).toBe('19750612235959');
    expect(formatDvcqgDate(new Date('1975-06-12T16:00:00Z'))).toBe('19750612230000');
  });
});

describe('toDongBoHoSoItem', () => {
  it('leaves out the fields it has no value for, at every level, and keeps the order of the others', () => {
    const dossier: DossierIntake = { ...birthRegistration(), SoBienNhan: undefined, GhiChu: undefined, TaiLieuNop: [{ TepDinhKemId: 'f-1', TenTepDinhKem: 'to-khai.pdf' }] };
    const item = toDongBoHoSoItem(dossier);
    const undefinedKeys = (value: object): string[] => Object.entries(value).flatMap(([key, field]) => (field === undefined ? [key] : field !== null && typeof field === 'object' ? undefinedKeys(field as object) : []));
    expect(undefinedKeys(item)).toEqual([]);
    expect(Object.keys(item)).not.toContain('SoBienNhan');
    expect(item.TaiLieuNop).toEqual([{ TepDinhKemId: 'f-1', TenTepDinhKem: 'to-khai.pdf', IsDeleted: 'False' }]);
    expect(Object.keys(item.TaiLieuNop![0]!)).toEqual(['TepDinhKemId', 'TenTepDinhKem', 'IsDeleted']);
    expect(Object.keys(item).slice(0, 2)).toEqual(['MaHoSo', 'MaTTHC']);
  });

  it('maps a birth-registration dossier (+07:00) to a DongBoHoSoMC item', () => {
    const item = toDongBoHoSoItem(birthRegistration());
    expect(item).toEqual({
      MaHoSo: '000.00.04.H40-240315-0012',
      MaTTHC: '1.001193',
      TenTTHC: 'Thủ tục đăng ký khai sinh',
      MaLinhVuc: 'HT',
      TenLinhVuc: 'Hộ tịch',
      SoBienNhan: 'BN-2024-0012',
      ChuHoSo: 'Nguyễn Thị Hồng Nhung',
      LoaiDoiTuong: '1',
      MaDoiTuong: '040190012345',
      Email: 'nhung.nt@example.vn',
      SoDienThoai: '0912345678',
      TrichYeuHoSo: 'Đăng ký khai sinh cho con Trần Minh Đức',
      NgayTiepNhan: '20240315083000',
      NgayHenTra: '20240318163000',
      TrangThaiHoSo: '2',
      HinhThuc: '0',
      DonViXuLy: 'UBND phường Hưng Bình, thành phố Vinh',
      TaiLieuNop: [
        { TepDinhKemId: 'f-101', TenTepDinhKem: 'Tờ khai đăng ký khai sinh.pdf', IsDeleted: 'False', MaThanhPhanHoSo: 'TP01', DuongDanTaiTepTin: '/files/f-101' },
        { TepDinhKemId: 'f-102', TenTepDinhKem: 'Giấy chứng sinh.pdf', IsDeleted: 'False', MaThanhPhanHoSo: 'TP02' },
      ],
      DanhSachLePhi: [{ TenPhiLePhi: 'Lệ phí đăng ký khai sinh', MaPhiLePhi: 'LP01', HinhThucThu: '1', Gia: 0 }],
    });
  });

  it('converts Z dates across midnight into Vietnam time and lets the sub-state win', () => {
    const item = toDongBoHoSoItem(businessUtc());
    expect(item.NgayTiepNhan).toBe('20240701001530');
    expect(item.NgayHenTra).toBe('20240703160000');
    expect(item.TrangThaiHoSo).toBe('5');
    expect(item.LoaiDoiTuong).toBe('2');
    expect(item.MaDoiTuong).toBe('2901234567');
    expect(item.HinhThuc).toBe('1');
  });

  it('normalises NFD input to NFC in every text field', () => {
    const source = marriageStatusNfd();
    expect(source.ChuHoSo).not.toBe(source.ChuHoSo.normalize('NFC'));
    const item = toDongBoHoSoItem(source);
    expect(item.ChuHoSo).toBe('Phạm Văn Đạt');
    expect(item.ChuHoSo).toHaveLength(12);
    expect(item.TenTTHC).toBe('Thủ tục cấp Giấy xác nhận tình trạng hôn nhân');
    expect(item.TrichYeuHoSo).toBe('Xác nhận tình trạng hôn nhân để kết hôn');
    expect(item.DonViXuLy).toBe('UBND xã Nghi Phú');
    expect(item.TaiLieuNop?.[0].TenTepDinhKem).toBe('Tờ khai xác nhận tình trạng hôn nhân.pdf');
    expect(JSON.stringify(item)).toBe(JSON.stringify(item).normalize('NFC'));
    expect(item.NgayTiepNhan).toBe('20240401083000');
    expect(item.NgayHenTra).toBe('20240404114500');
    expect(item.TrangThaiHoSo).toBe('9');
  });

  it('takes procedure and field names from the LayThuTuc catalogue when given', () => {
    const dossier: DossierIntake = { ...birthRegistration(), TenTTHC: 'khai sinh', TenLinhVuc: undefined };
    const item = toDongBoHoSoItem(dossier, {
      procedure: {
        MATTHC: '1.001193',
        TENTTHC: 'Thủ tục đăng ký khai sinh',
        LINHVUCTHUCHIEN: [{ MALINHVUC: 'HT', TENLINHVUC: 'Hộ tịch' }],
      },
    });
    expect(item.TenTTHC).toBe('Thủ tục đăng ký khai sinh');
    expect(item.TenLinhVuc).toBe('Hộ tịch');
  });

  it('rejects a catalogue entry for another procedure', () => {
    const err = mappingError(() =>
      toDongBoHoSoItem(birthRegistration(), { procedure: { MATTHC: '2.000000', TENTTHC: 'x', LINHVUCTHUCHIEN: [] } }),
    );
    expect(err).toMatchObject({ code: 'PROCEDURE_MISMATCH', field: 'MaTTHC' });
  });

  it('rejects an unknown state with UNMAPPED_STATUS', () => {
    const dossier = { ...birthRegistration(), TrangThaiHoSo: 'Archived' } as unknown as DossierIntake;
    expect(mappingError(() => toDongBoHoSoItem(dossier))).toMatchObject({ code: 'UNMAPPED_STATUS', field: 'TrangThaiHoSo' });
  });

  it('rejects an applicant kind with no confirmed DVCQG code unless configured', () => {
    const dossier: DossierIntake = { ...businessUtc(), LoaiDoiTuong: 'ToChuc' };
    expect(mappingError(() => toDongBoHoSoItem(dossier))).toMatchObject({ code: 'UNMAPPED_SUBJECT_TYPE', field: 'LoaiDoiTuong' });
    expect(toDongBoHoSoItem(dossier, { subjectTypeTable: { ToChuc: '2' } }).LoaiDoiTuong).toBe('2');
  });

  it('names the missing field and never quotes personal data', () => {
    const noName = { ...birthRegistration(), ChuHoSo: '  ' };
    expect(mappingError(() => toDongBoHoSoItem(noName))).toMatchObject({ code: 'MISSING_FIELD', field: 'ChuHoSo' });

    const badDate = { ...birthRegistration(), NgayTiepNhan: '15/03/2024' };
    const err = mappingError(() => toDongBoHoSoItem(badDate));
    expect(err).toMatchObject({ code: 'INVALID_DATE', field: 'NgayTiepNhan' });
    for (const personal of ['Nguyễn Thị Hồng Nhung', '040190012345', '15/03/2024']) expect(err.message).not.toContain(personal);

    const badDoc = { ...birthRegistration(), TaiLieuNop: [{ TepDinhKemId: 'f-1', TenTepDinhKem: '' }] };
    expect(mappingError(() => toDongBoHoSoItem(badDoc))).toMatchObject({ field: 'TaiLieuNop[0].TenTepDinhKem' });
  });

  it.each([
    ['a lone surrogate', 'TrichYeuHoSo', 'Đăng ký khai sinh \ud800', 'U+D800'],
    ['NUL', 'ChuHoSo', 'Nguyễn\u0000Thị', 'U+0000'],
    ['another C0 control', 'GhiChu', 'Ghi chú\u001b[2J', 'U+001B'],
    ['a C1 control', 'DonViXuLy', 'UBND\u0085xã', 'U+0085'],
    ['a right-to-left override', 'TenTTHC', 'Thủ tục \u202egnp.exe', 'U+202E'],
    ['a line feed in a name', 'ChuHoSo', 'Nguyễn Thị\nHồng', 'U+000A'],
    ['a zero-width space in a code', 'SoBienNhan', 'BN-2024\u200b-0012', 'U+200B'],
  ])('refuses %s with INVALID_TEXT naming the field and the code point, never the text', (_what, field, value, codePoint) => {
    const err = mappingError(() => toDongBoHoSoItem({ ...birthRegistration(), [field]: value }));
    expect(err).toMatchObject({ code: 'INVALID_TEXT', field });
    expect(err.message).toContain(codePoint);
    expect(err.message).not.toContain(value);
  });

  it('refuses such text in lists and in fields it copies as they are, and takes line breaks in free text', () => {
    const fee = { ...birthRegistration(), DanhSachLePhi: [{ TenPhiLePhi: 'Lệ phí', Gia: 0, MaPhiLePhi: 'LP\u0000' }] };
    expect(mappingError(() => toDongBoHoSoItem(fee))).toMatchObject({ code: 'INVALID_TEXT', field: 'DanhSachLePhi[0].MaPhiLePhi' });
    const doc = { ...birthRegistration(), TaiLieuNop: [{ TepDinhKemId: 'f-1', TenTepDinhKem: 'to-khai\u202e.pdf' }] };
    expect(mappingError(() => toDongBoHoSoItem(doc))).toMatchObject({ code: 'INVALID_TEXT', field: 'TaiLieuNop[0].TenTepDinhKem' });
    const multiline = 'Dòng một\r\n\tDòng hai';
    expect(toDongBoHoSoItem({ ...birthRegistration(), GhiChu: multiline }).GhiChu).toBe(multiline);
    const progress = { ...birthRegistrationProgress()[0]!, NguoiXuLy: 'Lê Thị\u0000Thu Hà' };
    expect(mappingError(() => toTienDoHoSoItem(progress))).toMatchObject({ code: 'INVALID_TEXT', field: 'NguoiXuLy' });
  });

  it('requires the field name when no catalogue entry is given', () => {
    const dossier: DossierIntake = { ...birthRegistration(), TenLinhVuc: undefined };
    expect(mappingError(() => toDongBoHoSoItem(dossier))).toMatchObject({ code: 'MISSING_FIELD', field: 'TenLinhVuc' });
  });
});

describe('toTienDoHoSoItem', () => {
  it('maps progress steps with Vietnam-time dates, DVCQG status and NFC text', () => {
    const [first, second, third] = birthRegistrationProgress().map((update) => toTienDoHoSoItem(update));
    expect(first).toEqual({
      MaHoSo: '000.00.04.H40-240315-0012',
      NguoiXuLy: 'Lê Thị Thu Hà',
      ChucDanh: 'Công chức một cửa',
      ThoiDiemXuLy: '20240315083000',
      PhongBanXuLy: 'Bộ phận Một cửa',
      NoiDungXuLy: 'Tiếp nhận hồ sơ, chuyển công chức tư pháp – hộ tịch',
      TrangThai: '2',
    });
    expect(second.NguoiXuLy).toBe('Hoàng Văn Quý'.normalize('NFC'));
    expect(second.NguoiXuLy).toHaveLength(13);
    expect(second.ThoiDiemXuLy).toBe('20240315100000');
    expect(second.NgayKetThucTheoQuyDinh).toBe('20240318163000');
    expect(second.TrangThai).toBe('4');
    expect(third.TrangThai).toBe('9');
  });

  it('rejects a sequence number below 1', () => {
    const update = { ...birthRegistrationProgress()[0], SoThuTu: 0 };
    expect(mappingError(() => toTienDoHoSoItem(update))).toMatchObject({ code: 'INVALID_VALUE', field: 'SoThuTu' });
  });
});

describe('fields deployed DVCQG clients send', () => {
  it('ThongTinKhac, Fax and the two lists reach the item, dates in DVCQG form', () => {
    const item = toDongBoHoSoItem({
      ...birthRegistration(),
      ThongTinKhac: 'Thông tin khác',
      Fax: '0271 3879 999',
      DanhSachTepDinhKemKhac: [{ TenGiayTo: 'Giấy chứng sinh', SoLuong: 1 }],
      DanhSachHoSoBoSung: [{ HoSoBoSungId: 'b1', NoiDungBoSung: 'Bổ sung tờ khai', NgayBoSung: '2024-03-16T08:00:00+07:00' }],
    });
    expect(item).toMatchObject({
      ThongTinKhac: 'Thông tin khác',
      Fax: '0271 3879 999',
      DanhSachTepDinhKemKhac: [{ TenGiayTo: 'Giấy chứng sinh', SoLuong: '1' }],
      DanhSachHoSoBoSung: [{ HoSoBoSungId: 'b1', NoiDungBoSung: 'Bổ sung tờ khai', NgayBoSung: '20240316080000' }],
    });
  });

  it('MaDoiTuong carries the citizen id by default, the dossier\'s own MaDoiTuong when configured so', () => {
    const dossier: DossierIntake = { ...birthRegistration(), MaDoiTuong: 'DVCQG-APPLICANT-42' };
    expect(toDongBoHoSoItem(dossier).MaDoiTuong).toBe(dossier.SoDinhDanh);
    expect(toDongBoHoSoItem(dossier, { maDoiTuong: 'applicant-id' }).MaDoiTuong).toBe('DVCQG-APPLICANT-42');
  });
});
