// DVCQG's items as one-stop systems send them (DongBoHoSoMC, CapNhatTienDoHoSoMC: every value a string, "" for unset,
// dates yyyyMMddHHmmss) read as the bus's own dossier and progress bodies (contracts/openapi/dossier-intake.yaml). A value
// that cannot be read is carried as sent, so the intake's rule refuses it naming its field; "" is left out.
import type { JsonValue } from '../../../core/envelope';
import { DEFAULT_DVCQG_STATUS_TABLE, DEFAULT_DVCQG_SUBJECT_TYPE_TABLE } from '../../../upstreams/dvcqg';

type JsonObject = { [key: string]: JsonValue };

export interface CompatReading {
  /** The item field holding a citizen applicant's citizen id (flows.dossier.dvcqgCompat.citizenIdField). */
  citizenIdField: string;
  /** The item field holding a citizen applicant's birth date (flows.dossier.dvcqgCompat.birthDateField). */
  birthDateField: string;
}

/** DVCQG's codes back to the bus's states and applicant kinds: the inverse of the tables the bus maps with. */
const STATE_OF_CODE: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(DEFAULT_DVCQG_STATUS_TABLE.byStatus).map(([state, code]) => [code, state]));
const KIND_OF_CODE: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(DEFAULT_DVCQG_SUBJECT_TYPE_TABLE).map(([kind, code]) => [code, kind]));

const DVCQG_DATE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
const TAX_CODE = /^[0-9]{10}(-[0-9]{3})?$/;

/** Copied as they are when not "". */
const DOSSIER_TEXT_FIELDS = [
  'MaHoSo', 'SoBienNhan', 'MaTTHC', 'TenTTHC', 'MaLinhVuc', 'TenLinhVuc', 'ChuHoSo', 'MaDoiTuong', 'ThongTinKhac', 'Email', 'SoDienThoai', 'Fax',
  'TrichYeuHoSo', 'KenhThucHien', 'ThongTinTra', 'HinhThuc', 'DonViXuLy', 'GhiChu',
] as const;
const DOSSIER_DATE_FIELDS = ['NgayTiepNhan', 'NgayHenTra', 'NgayTra', 'NgayKetThucXuLy'] as const;

export function asObject(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function isSet(value: unknown): value is JsonValue {
  return value !== undefined && value !== null && value !== '';
}

/** yyyyMMddHHmmss (Asia/Ho_Chi_Minh) as ISO-8601 with its +07:00 offset; anything else is carried as sent. */
export function isoOfDvcqgDate(value: JsonValue): JsonValue {
  if (typeof value !== 'string') return value;
  const m = DVCQG_DATE.exec(value);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+07:00` : value;
}

/** A birth date as yyyyMMdd, yyyyMMddHHmmss, YYYY-MM-DD or YYYY, read as the intake's YYYY-MM-DD or YYYY. */
function birthDateOf(value: JsonValue): JsonValue {
  if (typeof value !== 'string') return value;
  const digits = /^(\d{4})(\d{2})(\d{2})(\d{6})?$/.exec(value);
  return digits ? `${digits[1]}-${digits[2]}-${digits[3]}` : value;
}

/** The set fields of `source` named in `fields`, each read by `read` (default: as sent). */
function pick(source: Record<string, unknown>, fields: readonly string[], read: (value: JsonValue) => JsonValue = (v) => v): JsonObject {
  const out: JsonObject = {};
  for (const field of fields) {
    const value = source[field];
    if (isSet(value)) out[field] = read(value);
  }
  return out;
}

/** A list of objects, each read by `read`; a list that is not one is carried as sent. */
function listOf(value: unknown, read: (entry: Record<string, unknown>) => JsonObject): JsonValue | undefined {
  if (!isSet(value)) return undefined;
  if (!Array.isArray(value)) return value;
  return value.map((entry) => {
    const object = asObject(entry);
    return object ? read(object) : (entry as JsonValue);
  });
}

/** "True"/"False" (any case) as a boolean; "" left out. */
function flagOf(value: JsonValue): JsonValue {
  if (typeof value !== 'string') return value;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}

/** A count or amount sent as text read as a number; other text is carried as sent. */
function numberOf(value: JsonValue): JsonValue {
  return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}

/** A DongBoHoSoMC item as the bus's dossier (DossierIntake), with the applicant's ids where the configuration says. */
export function dossierOfItem(item: Record<string, unknown>, reading: CompatReading): JsonObject {
  const dossier: JsonObject = { ...pick(item, DOSSIER_TEXT_FIELDS), ...pick(item, DOSSIER_DATE_FIELDS, isoOfDvcqgDate) };
  if (isSet(item.TrangThaiHoSo)) dossier.TrangThaiHoSo = typeof item.TrangThaiHoSo === 'string' ? (STATE_OF_CODE[item.TrangThaiHoSo] ?? item.TrangThaiHoSo) : item.TrangThaiHoSo;
  if (isSet(item.LoaiDoiTuong)) dossier.LoaiDoiTuong = typeof item.LoaiDoiTuong === 'string' ? (KIND_OF_CODE[item.LoaiDoiTuong] ?? item.LoaiDoiTuong) : item.LoaiDoiTuong;
  const applicantId = item[reading.citizenIdField];
  if (dossier.LoaiDoiTuong === 'CongDan') {
    if (isSet(applicantId)) dossier.SoDinhDanh = applicantId;
    const birthDate = item[reading.birthDateField];
    if (isSet(birthDate)) dossier.NgaySinhChuHoSo = birthDateOf(birthDate);
  } else if (typeof applicantId === 'string' && TAX_CODE.test(applicantId)) {
    dossier.MaSoThue = applicantId;
  }
  const lists: Record<string, JsonValue | undefined> = {
    TaiLieuNop: listOf(item.TaiLieuNop, (doc) => {
      const read = pick(doc, ['TepDinhKemId', 'TenTepDinhKem', 'MaThanhPhanHoSo', 'DuongDanTaiTepTin']);
      if (isSet(doc.IsDeleted)) read.DaXoa = flagOf(doc.IsDeleted);
      return read;
    }),
    DanhSachLePhi: listOf(item.DanhSachLePhi, (fee) => ({
      ...pick(fee, ['TenPhiLePhi', 'MaPhiLePhi', 'HinhThucThu', 'LoaiPhiLePhi']),
      ...pick(fee, ['Gia'], numberOf),
    })),
    DanhSachGiayToKetQua: listOf(item.DanhSachGiayToKetQua, (paper) => pick(paper, ['TenGiayTo', 'MaThanhPhanHoSo', 'GiayToId', 'DuongDanTepTinKetQua'])),
    DanhSachTepDinhKemKhac: listOf(item.DanhSachTepDinhKemKhac, (paper) => ({ ...pick(paper, ['TenGiayTo', 'LoaiGiayTo']), ...pick(paper, ['SoLuong'], numberOf) })),
    DanhSachHoSoBoSung: listOf(item.DanhSachHoSoBoSung, (request) => ({
      ...pick(request, ['HoSoBoSungId', 'NguoiYeuCauBoSung', 'NoiDungBoSung', 'NguoiTiepNhanBoSung', 'ThongTinTiepNhan', 'TrangThaiBoSung']),
      ...pick(request, ['NgayBoSung', 'NgayTiepNhanBoSung', 'NgayHenTraTruoc', 'NgayHenTraMoi'], isoOfDvcqgDate),
    })),
  };
  for (const [field, value] of Object.entries(lists)) if (value !== undefined) dossier[field] = value;
  return dossier;
}

/** A CapNhatTienDoHoSoMC item as the bus's progress update (DossierProgressUpdate). */
export function progressOfItem(item: Record<string, unknown>): JsonObject {
  const update: JsonObject = {
    ...pick(item, ['MaHoSo', 'NguoiXuLy', 'ChucDanh', 'PhongBanXuLy', 'NoiDungXuLy']),
    ...pick(item, ['NgayBatDau', 'NgayKetThucTheoQuyDinh'], isoOfDvcqgDate),
  };
  if (isSet(item.ThoiDiemXuLy)) update.ThoiGianXuLy = isoOfDvcqgDate(item.ThoiDiemXuLy);
  if (isSet(item.TrangThai)) update.TrangThaiHoSo = typeof item.TrangThai === 'string' ? (STATE_OF_CODE[item.TrangThai] ?? item.TrangThai) : item.TrangThai;
  return update;
}

/**
 * Where a field of the bus's body was in the DVCQG item, for the refusal's JSON pointer: the progress time is
 * ThoiDiemXuLy, the applicant's ids are in the configured fields, a deleted flag is IsDeleted.
 */
export function itemFieldOf(intakeField: string, kind: 'dossier' | 'progress', reading: CompatReading): string {
  const [head = '', ...rest] = intakeField.replace(/^\//, '').split('/');
  const renamed: Record<string, string> =
    kind === 'progress'
      ? { ThoiGianXuLy: 'ThoiDiemXuLy', TrangThaiHoSo: 'TrangThai' }
      : { SoDinhDanh: reading.citizenIdField, MaSoThue: reading.citizenIdField, NgaySinhChuHoSo: reading.birthDateField };
  const tail = rest.map((part) => (part === 'DaXoa' ? 'IsDeleted' : part));
  return ['', renamed[head] ?? head, ...tail].join('/');
}
