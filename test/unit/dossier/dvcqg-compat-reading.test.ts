// The DVCQG-compatible face's pure parts: its sessions (signed, expiring, bound to the password) and how DVCQG items
// read as the bus's own dossier and progress bodies ("" left out, dates and codes translated, refusals named back).
import { CompatSessions } from '../../../src/flows/dossier/dvcqg-compat/sessions';
import { dossierOfItem, itemFieldOf, progressOfItem } from '../../../src/flows/dossier/dvcqg-compat/to-intake';

const reading = { citizenIdField: 'MaDoiTuong', birthDateField: 'NgaySinhChuHoSo' };
const account = { username: 'motcua', password: 'mật-khẩu', client: 'motcua-client' };

describe('face sessions', () => {
  test('a session is given for the right password only, and checks until it expires', () => {
    let now = 1_000_000;
    const sessions = new CompatSessions([account], 60, () => now);
    expect(sessions.login('motcua', 'sai')).toBeNull();
    expect(sessions.login('khong-co', 'mật-khẩu')).toBeNull();
    const issued = sessions.login('motcua', 'mật-khẩu')!;
    expect(issued.expiresIn).toBe(60);
    expect(sessions.check(issued.session)).toEqual({ ok: true, account });
    now += 61_000;
    expect(sessions.check(issued.session)).toMatchObject({ ok: false, code: 'SESSION_EXPIRED' });
  });

  test('a tampered session, or one signed under another password, is invalid', () => {
    const issued = new CompatSessions([account], 60).login('motcua', 'mật-khẩu')!;
    const [payload, signature] = issued.session.split('.');
    const forged = Buffer.from(JSON.stringify({ u: 'motcua', e: 9_999_999_999, n: 'x' })).toString('base64url');
    const sessions = new CompatSessions([account], 60);
    expect(sessions.check(`${forged}.${signature}`)).toMatchObject({ ok: false, code: 'SESSION_INVALID' });
    expect(sessions.check(`${payload}`)).toMatchObject({ ok: false, code: 'SESSION_INVALID' });
    expect(new CompatSessions([{ ...account, password: 'mới' }], 60).check(issued.session)).toMatchObject({ ok: false, code: 'SESSION_INVALID' });
  });
});

describe('DVCQG items read as the bus\'s bodies', () => {
  test('"" is left out, dates and codes are translated, the citizen\'s ids come from the configured fields', () => {
    const dossier = dossierOfItem(
      {
        MaHoSo: 'H10-261204-1', LoaiDoiTuong: '1', MaDoiTuong: '026092008262', NgaySinhChuHoSo: '19921122', TrangThaiHoSo: '4',
        NgayTiepNhan: '20261204090000', NgayTra: '', Email: '', Fax: '', ThongTinKhac: 'khác',
        TaiLieuNop: [{ TepDinhKemId: 'f', TenTepDinhKem: 't', IsDeleted: 'True', MaThanhPhanHoSo: '' }],
        DanhSachLePhi: [{ TenPhiLePhi: 'Lệ phí', Gia: '50000' }],
        DanhSachTepDinhKemKhac: [{ TenGiayTo: 'g', SoLuong: '2', LoaiGiayTo: '' }],
        DanhSachHoSoBoSung: [{ HoSoBoSungId: 'b', NoiDungBoSung: 'n', NgayBoSung: '20261205100000', NgayHenTraMoi: '' }],
      },
      reading,
    );
    expect(dossier).toEqual({
      MaHoSo: 'H10-261204-1', LoaiDoiTuong: 'CongDan', SoDinhDanh: '026092008262', MaDoiTuong: '026092008262', NgaySinhChuHoSo: '1992-11-22',
      TrangThaiHoSo: 'DangXuLy', NgayTiepNhan: '2026-12-04T09:00:00+07:00', ThongTinKhac: 'khác',
      TaiLieuNop: [{ TepDinhKemId: 'f', TenTepDinhKem: 't', DaXoa: true }],
      DanhSachLePhi: [{ TenPhiLePhi: 'Lệ phí', Gia: 50000 }],
      DanhSachTepDinhKemKhac: [{ TenGiayTo: 'g', SoLuong: 2 }],
      DanhSachHoSoBoSung: [{ HoSoBoSungId: 'b', NoiDungBoSung: 'n', NgayBoSung: '2026-12-05T10:00:00+07:00' }],
    });
  });

  test('a company\'s tax code in MaDoiTuong is its MaSoThue; unreadable values are carried as sent', () => {
    expect(dossierOfItem({ LoaiDoiTuong: '2', MaDoiTuong: '0101234567', NgayHenTra: '04/12/2026', TrangThaiHoSo: '11' }, reading)).toEqual({
      LoaiDoiTuong: 'DoanhNghiep', MaDoiTuong: '0101234567', MaSoThue: '0101234567', NgayHenTra: '04/12/2026', TrangThaiHoSo: '11',
    });
  });

  test('a progress item reads ThoiDiemXuLy and TrangThai as the bus names them, and refusals are named back', () => {
    expect(progressOfItem({ MaHoSo: 'm', ThoiDiemXuLy: '20261204100000', TrangThai: '9', NgayBatDau: '' })).toEqual({
      MaHoSo: 'm', ThoiGianXuLy: '2026-12-04T10:00:00+07:00', TrangThaiHoSo: 'DaXuLyXong',
    });
    expect(itemFieldOf('/ThoiGianXuLy', 'progress', reading)).toBe('/ThoiDiemXuLy');
    expect(itemFieldOf('/SoDinhDanh', 'dossier', reading)).toBe('/MaDoiTuong');
    expect(itemFieldOf('/TaiLieuNop/0/DaXoa', 'dossier', reading)).toBe('/TaiLieuNop/0/IsDeleted');
  });
});
