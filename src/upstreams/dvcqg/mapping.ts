// Pure mapping from the bus's dossier intake and progress bodies to DVCQG DongBoHoSoMC and CapNhatTienDoHoSoMC items.
import type {
  DongBoHoSoMCItem,
  DossierIntake,
  DossierProgressUpdate,
  DvcqgTrangThaiHoSo,
  ThuTuc,
  TienDoHoSoItem,
} from './contract-types';
import { toDvcqgDate } from './dvcqg-date';
import { DossierMappingError } from './mapping-error';
import {
  DEFAULT_DVCQG_STATUS_TABLE,
  DEFAULT_DVCQG_SUBJECT_TYPE_TABLE,
  lookupDvcqgStatus,
  type DvcqgStatusTable,
  type DvcqgSubjectTypeTable,
} from './status-table';
import { normalizeNfc } from '../../core/envelope';
import { textViolation, type TextKind } from '../../core/text-policy';

export interface DvcqgMappingOptions {
  statusTable?: DvcqgStatusTable;
  subjectTypeTable?: DvcqgSubjectTypeTable;
  /**
   * The procedure as DVCQG's LayThuTuc returns it. When given, TenTTHC, MaLinhVuc and TenLinhVuc
   * come from it (DVCQG expects its own catalogue names); otherwise from the dossier.
   */
  procedure?: ThuTuc;
  /**
   * What DVCQG's MaDoiTuong carries: 'citizen-id' (default) the citizen id of a citizen, else the tax code or id;
   * 'applicant-id' the dossier's own MaDoiTuong (DVCQG's id of the applicant), as one-stop systems send it to DVCQG.
   */
  maDoiTuong?: MaDoiTuongPolicy;
}

export type MaDoiTuongPolicy = 'citizen-id' | 'applicant-id';

const MA_HO_SO_MAX_LENGTH = 64;

function requiredText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DossierMappingError('MISSING_FIELD', field, 'a non-empty string is required');
  }
  return value.normalize('NFC');
}

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new DossierMappingError('INVALID_VALUE', field, 'must be a string');
  return value.normalize('NFC');
}

function optionalDate(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : toDvcqgDate(value, field);
}

function mapMaHoSo(value: unknown, field: string): string {
  const maHoSo = requiredText(value, field);
  if (maHoSo.length > MA_HO_SO_MAX_LENGTH) {
    throw new DossierMappingError('INVALID_VALUE', field, `longer than ${MA_HO_SO_MAX_LENGTH} characters`);
  }
  return maHoSo;
}

function mapStatus(table: DvcqgStatusTable, status: unknown, subStatus: unknown): DvcqgTrangThaiHoSo {
  if (typeof status !== 'string') throw new DossierMappingError('MISSING_FIELD', 'TrangThaiHoSo', 'status is required');
  const sub = optionalText(subStatus, 'TrangThaiPhu');
  const code = lookupDvcqgStatus(table, status, sub);
  if (code === undefined) {
    throw new DossierMappingError('UNMAPPED_STATUS', 'TrangThaiHoSo', 'no DVCQG status (1–10) is configured for this state');
  }
  return code;
}

function mapProcedure(
  dossier: DossierIntake,
  procedure: ThuTuc | undefined,
): Pick<DongBoHoSoMCItem, 'MaTTHC' | 'TenTTHC' | 'MaLinhVuc' | 'TenLinhVuc'> {
  const maTTHC = requiredText(dossier.MaTTHC, 'MaTTHC');
  if (!procedure) {
    return {
      MaTTHC: maTTHC,
      TenTTHC: requiredText(dossier.TenTTHC, 'TenTTHC'),
      MaLinhVuc: requiredText(dossier.MaLinhVuc, 'MaLinhVuc'),
      TenLinhVuc: requiredText(dossier.TenLinhVuc, 'TenLinhVuc'),
    };
  }
  if (procedure.MATTHC !== maTTHC) {
    throw new DossierMappingError('PROCEDURE_MISMATCH', 'MaTTHC', 'the catalogue procedure has a different code');
  }
  const fields = procedure.LINHVUCTHUCHIEN;
  const field = fields.find((f) => f.MALINHVUC === dossier.MaLinhVuc) ?? fields[0];
  if (!field) {
    throw new DossierMappingError('MISSING_FIELD', 'MaLinhVuc', 'the catalogue procedure lists no field (lĩnh vực)');
  }
  return {
    MaTTHC: maTTHC,
    TenTTHC: requiredText(procedure.TENTTHC, 'TenTTHC'),
    MaLinhVuc: requiredText(field.MALINHVUC, 'MaLinhVuc'),
    TenLinhVuc: requiredText(field.TENLINHVUC, 'TenLinhVuc'),
  };
}

function mapSubjectType(table: DvcqgSubjectTypeTable, kind: unknown): string {
  const code = typeof kind === 'string' && Object.prototype.hasOwnProperty.call(table, kind)
    ? table[kind as keyof DvcqgSubjectTypeTable]
    : undefined;
  if (code === undefined) {
    throw new DossierMappingError('UNMAPPED_SUBJECT_TYPE', 'LoaiDoiTuong', 'no DVCQG LoaiDoiTuong code is configured for this applicant kind');
  }
  return code;
}

function mapMaDoiTuong(dossier: DossierIntake, policy: MaDoiTuongPolicy): string | undefined {
  if (policy === 'applicant-id') return optionalText(dossier.MaDoiTuong, 'MaDoiTuong');
  return dossier.LoaiDoiTuong === 'CongDan'
    ? optionalText(dossier.SoDinhDanh, 'SoDinhDanh')
    : optionalText(dossier.MaSoThue ?? dossier.SoDinhDanh, dossier.MaSoThue ? 'MaSoThue' : 'SoDinhDanh');
}

function mapHinhThuc(value: unknown): '0' | '1' {
  if (value === '0' || value === '1') return value;
  throw new DossierMappingError('INVALID_VALUE', 'HinhThuc', 'must be "0" or "1"');
}

/** Fields of the DVCQG items that are names (one line shown to people) under the text policy. */
const NAME_FIELDS: ReadonlySet<string> = new Set([
  'NguoiYeuCauBoSung', 'NguoiTiepNhanBoSung', 'TenTTHC', 'TenLinhVuc', 'ChuHoSo', 'DonViXuLy', 'TenTepDinhKem', 'TenPhiLePhi', 'HinhThucThu', 'TenGiayTo', 'NguoiXuLy', 'ChucDanh', 'PhongBanXuLy',
]);
/** Fields of the DVCQG items that are free text. Every other string DVCQG receives is a code. */
const FREE_TEXT_FIELDS: ReadonlySet<string> = new Set(['TrichYeuHoSo', 'ThongTinTra', 'GhiChu', 'NoiDungXuLy', 'ThongTinKhac', 'NoiDungBoSung', 'ThongTinTiepNhan']);

function textKindOf(field: string): TextKind {
  return NAME_FIELDS.has(field) ? 'name' : FREE_TEXT_FIELDS.has(field) ? 'text' : 'code';
}

/**
 * The item, NFC, once every string in it (nested lists too) holds nothing the text policy refuses for its field's
 * kind: DVCQG never receives such text, whichever way it reached the bus. Throws INVALID_TEXT naming the field.
 */
function checkedText<T extends object>(item: T): T {
  const normal = normalizeNfc(item);
  const pending: { path: string; field: string; value: unknown }[] = Object.entries(normal).map(([field, value]) => ({ path: field, field, value }));
  while (pending.length > 0) {
    const { path, field, value } = pending.pop()!;
    if (typeof value === 'string') {
      const violation = textViolation(value, textKindOf(field));
      if (violation) throw new DossierMappingError('INVALID_TEXT', path, violation);
    } else if (Array.isArray(value)) {
      value.forEach((entry, i) => pending.push({ path: `${path}[${i}]`, field, value: entry }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) pending.push({ path: `${path}.${key}`, field: key, value: child });
    }
  }
  return normal;
}

/** The object without its undefined fields, keys in their order (a loop over its keys: entries → filter → fromEntries took ~5× as long). */
function withoutUndefined<T extends object>(value: T): T {
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field: unknown = Reflect.get(value, key);
    if (field !== undefined) kept[key] = field;
  }
  return kept as T;
}

/** Maps a one-stop dossier to the DongBoHoSoMC item DVCQG expects; throws DossierMappingError on unmappable input. */
export function toDongBoHoSoItem(dossier: DossierIntake, options: DvcqgMappingOptions = {}): DongBoHoSoMCItem {
  const statusTable = options.statusTable ?? DEFAULT_DVCQG_STATUS_TABLE;
  const subjectTable = options.subjectTypeTable ?? DEFAULT_DVCQG_SUBJECT_TYPE_TABLE;

  const item: DongBoHoSoMCItem = {
    MaHoSo: mapMaHoSo(dossier.MaHoSo, 'MaHoSo'),
    ...mapProcedure(dossier, options.procedure),
    SoBienNhan: optionalText(dossier.SoBienNhan, 'SoBienNhan'),
    ChuHoSo: requiredText(dossier.ChuHoSo, 'ChuHoSo'),
    LoaiDoiTuong: mapSubjectType(subjectTable, dossier.LoaiDoiTuong),
    MaDoiTuong: mapMaDoiTuong(dossier, options.maDoiTuong ?? 'citizen-id'),
    ThongTinKhac: optionalText(dossier.ThongTinKhac, 'ThongTinKhac'),
    Email: optionalText(dossier.Email, 'Email'),
    SoDienThoai: optionalText(dossier.SoDienThoai, 'SoDienThoai'),
    Fax: optionalText(dossier.Fax, 'Fax'),
    TrichYeuHoSo: requiredText(dossier.TrichYeuHoSo, 'TrichYeuHoSo'),
    NgayTiepNhan: toDvcqgDate(dossier.NgayTiepNhan, 'NgayTiepNhan'),
    NgayHenTra: toDvcqgDate(dossier.NgayHenTra, 'NgayHenTra'),
    TrangThaiHoSo: mapStatus(statusTable, dossier.TrangThaiHoSo, dossier.TrangThaiPhu),
    NgayTra: optionalDate(dossier.NgayTra, 'NgayTra'),
    ThongTinTra: optionalText(dossier.ThongTinTra, 'ThongTinTra'),
    NgayKetThucXuLy: optionalDate(dossier.NgayKetThucXuLy, 'NgayKetThucXuLy'),
    HinhThuc: mapHinhThuc(dossier.HinhThuc),
    DonViXuLy: requiredText(dossier.DonViXuLy, 'DonViXuLy'),
    GhiChu: optionalText(dossier.GhiChu, 'GhiChu'),
    TaiLieuNop: dossier.TaiLieuNop?.map((doc, i) => withoutUndefined({
      TepDinhKemId: requiredText(doc.TepDinhKemId, `TaiLieuNop[${i}].TepDinhKemId`),
      TenTepDinhKem: requiredText(doc.TenTepDinhKem, `TaiLieuNop[${i}].TenTepDinhKem`),
      IsDeleted: doc.DaXoa ? 'True' as const : 'False' as const,
      MaThanhPhanHoSo: optionalText(doc.MaThanhPhanHoSo, `TaiLieuNop[${i}].MaThanhPhanHoSo`),
      DuongDanTaiTepTin: optionalText(doc.DuongDanTaiTepTin, `TaiLieuNop[${i}].DuongDanTaiTepTin`),
    })),
    DanhSachLePhi: dossier.DanhSachLePhi?.map((fee, i) => {
      if (typeof fee.Gia !== 'number' || !Number.isFinite(fee.Gia) || fee.Gia < 0) {
        throw new DossierMappingError('INVALID_VALUE', `DanhSachLePhi[${i}].Gia`, 'must be a non-negative number');
      }
      return withoutUndefined({ ...fee, TenPhiLePhi: requiredText(fee.TenPhiLePhi, `DanhSachLePhi[${i}].TenPhiLePhi`) });
    }),
    DanhSachGiayToKetQua: dossier.DanhSachGiayToKetQua?.map((paper, i) =>
      withoutUndefined({ ...paper, TenGiayTo: requiredText(paper.TenGiayTo, `DanhSachGiayToKetQua[${i}].TenGiayTo`) }),
    ),
    DanhSachTepDinhKemKhac: dossier.DanhSachTepDinhKemKhac?.map((paper, i) => withoutUndefined({
      TenGiayTo: requiredText(paper.TenGiayTo, `DanhSachTepDinhKemKhac[${i}].TenGiayTo`),
      // DVCQG's clients send the count as text.
      SoLuong: paper.SoLuong === undefined ? undefined : String(paper.SoLuong),
      LoaiGiayTo: optionalText(paper.LoaiGiayTo, `DanhSachTepDinhKemKhac[${i}].LoaiGiayTo`),
    })),
    DanhSachHoSoBoSung: dossier.DanhSachHoSoBoSung?.map((request, i) => {
      const at = (field: string) => `DanhSachHoSoBoSung[${i}].${field}`;
      return withoutUndefined({
        HoSoBoSungId: requiredText(request.HoSoBoSungId, at('HoSoBoSungId')),
        NguoiYeuCauBoSung: optionalText(request.NguoiYeuCauBoSung, at('NguoiYeuCauBoSung')),
        NoiDungBoSung: requiredText(request.NoiDungBoSung, at('NoiDungBoSung')),
        NgayBoSung: toDvcqgDate(request.NgayBoSung, at('NgayBoSung')),
        NguoiTiepNhanBoSung: optionalText(request.NguoiTiepNhanBoSung, at('NguoiTiepNhanBoSung')),
        ThongTinTiepNhan: optionalText(request.ThongTinTiepNhan, at('ThongTinTiepNhan')),
        NgayTiepNhanBoSung: optionalDate(request.NgayTiepNhanBoSung, at('NgayTiepNhanBoSung')),
        TrangThaiBoSung: optionalText(request.TrangThaiBoSung, at('TrangThaiBoSung')),
        NgayHenTraTruoc: optionalDate(request.NgayHenTraTruoc, at('NgayHenTraTruoc')),
        NgayHenTraMoi: optionalDate(request.NgayHenTraMoi, at('NgayHenTraMoi')),
      });
    }),
  };
  return checkedText(withoutUndefined(item));
}

/** Maps one progress step to the CapNhatTienDoHoSoMC item; SoThuTu stays on the bus (DVCQG has no such field). */
export function toTienDoHoSoItem(update: DossierProgressUpdate, options: Pick<DvcqgMappingOptions, 'statusTable'> = {}): TienDoHoSoItem {
  if (update.SoThuTu !== undefined && (!Number.isInteger(update.SoThuTu) || update.SoThuTu < 1)) {
    throw new DossierMappingError('INVALID_VALUE', 'SoThuTu', 'must be an integer ≥ 1');
  }
  const item: TienDoHoSoItem = {
    MaHoSo: mapMaHoSo(update.MaHoSo, 'MaHoSo'),
    NguoiXuLy: requiredText(update.NguoiXuLy, 'NguoiXuLy'),
    ChucDanh: optionalText(update.ChucDanh, 'ChucDanh'),
    ThoiDiemXuLy: toDvcqgDate(update.ThoiGianXuLy, 'ThoiGianXuLy'),
    PhongBanXuLy: optionalText(update.PhongBanXuLy, 'PhongBanXuLy'),
    NoiDungXuLy: requiredText(update.NoiDungXuLy, 'NoiDungXuLy'),
    TrangThai: mapStatus(options.statusTable ?? DEFAULT_DVCQG_STATUS_TABLE, update.TrangThaiHoSo, update.TrangThaiPhu),
    NgayBatDau: optionalDate(update.NgayBatDau, 'NgayBatDau'),
    NgayKetThucTheoQuyDinh: optionalDate(update.NgayKetThucTheoQuyDinh, 'NgayKetThucTheoQuyDinh'),
  };
  return checkedText(withoutUndefined(item));
}
