// Tables from the bus's internal dossier states and applicant kinds to DVCQG codes (sub-state overrides, as OpenCPS does).
import type { DvcqgTrangThaiHoSo, IntakeLoaiDoiTuong, IntakeTrangThaiHoSo } from './contract-types';

export interface DvcqgStatusTable {
  byStatus: Readonly<Record<IntakeTrangThaiHoSo, DvcqgTrangThaiHoSo>>;
  /** Sub-state → DVCQG code; when the dossier's TrangThaiPhu is listed here it wins over byStatus. */
  bySubStatus: Readonly<Record<string, DvcqgTrangThaiHoSo>>;
}

export const DEFAULT_DVCQG_STATUS_TABLE: DvcqgStatusTable = {
  byStatus: {
    MoiDangKy: '1',
    DaTiepNhan: '2',
    TuChoiTiepNhan: '3',
    DangXuLy: '4',
    ChoBoSung: '5',
    ChoThucHienNghiaVuTaiChinh: '6',
    RutHoSo: '7',
    DungXuLy: '8',
    DaXuLyXong: '9',
    DaTraKetQua: '10',
  },
  bySubStatus: {
    YeuCauBoSungGiayTo: '5',
    ChoNopPhiLePhi: '6',
    CongDanRutHoSo: '7',
    TamDungXuLy: '8',
  },
};

/**
 * Applicant kind → DVCQG LoaiDoiTuong. Only the two codes OpenCPS uses are mapped by default
 * ("1" công dân, "2" doanh nghiệp); the other kinds have no confirmed code (docs §2.3, §2.7) and
 * are rejected until a deployment configures them.
 */
export type DvcqgSubjectTypeTable = Readonly<Partial<Record<IntakeLoaiDoiTuong, string>>>;

export const DEFAULT_DVCQG_SUBJECT_TYPE_TABLE: DvcqgSubjectTypeTable = {
  CongDan: '1',
  DoanhNghiep: '2',
};

/** Looks up the DVCQG status: the sub-state row when present, else the state row; undefined when neither maps. */
export function lookupDvcqgStatus(
  table: DvcqgStatusTable,
  status: string,
  subStatus: string | undefined,
): DvcqgTrangThaiHoSo | undefined {
  if (subStatus !== undefined && Object.prototype.hasOwnProperty.call(table.bySubStatus, subStatus)) {
    return table.bySubStatus[subStatus];
  }
  if (Object.prototype.hasOwnProperty.call(table.byStatus, status)) {
    return table.byStatus[status as IntakeTrangThaiHoSo];
  }
  return undefined;
}
