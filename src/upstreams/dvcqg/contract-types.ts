// Names for the generated DVCQG and dossier-intake contract types used by the adapter (aliases only, no new shapes).
import type { components as DvcqgComponents } from '../../../contracts/generated/dvcqg';
import type { components as IntakeComponents } from '../../../contracts/generated/dossier-intake';

type DvcqgSchemas = DvcqgComponents['schemas'];
type IntakeSchemas = IntakeComponents['schemas'];

export type DvcqgErrorCode = DvcqgSchemas['ErrorCode'];
export type DvcqgErrorResponse = DvcqgSchemas['ErrorResponse'];
export type DvcqgServiceAck = DvcqgSchemas['ServiceAck'];
export type DvcqgLoginRequest = DvcqgSchemas['LoginRequest'];
export type DvcqgLoginResponse = DvcqgSchemas['LoginResponse'];
export type LayThuTucRequest = DvcqgSchemas['LayThuTucRequest'];
export type LayThuTucResponse = DvcqgSchemas['LayThuTucResponse'];
export type LayDanhSachTTHCRequest = DvcqgSchemas['LayDanhSachTTHCRequest'];
export type ThuTuc = DvcqgSchemas['ThuTuc'];
export type TraCuuHoSoRequest = DvcqgSchemas['TraCuuHoSoRequest'];
export type TraCuuHoSoResponse = DvcqgSchemas['TraCuuHoSoResponse'];
export type TraCuuHoSoResult = DvcqgSchemas['TraCuuHoSoResult'];
export type DongBoHoSoMCRequest = DvcqgSchemas['DongBoHoSoMCRequest'];
export type DongBoHoSoMCItem = DvcqgSchemas['DongBoHoSoMCItem'];
export type CapNhatTienDoHoSoMCRequest = DvcqgSchemas['CapNhatTienDoHoSoMCRequest'];
export type TienDoHoSoItem = DvcqgSchemas['TienDoHoSoItem'];
export type DvcqgTrangThaiHoSo = DvcqgSchemas['TrangThaiHoSo'];

export type DossierIntake = IntakeSchemas['DossierIntake'];
export type DossierProgressUpdate = IntakeSchemas['DossierProgressUpdate'];
export type IntakeTrangThaiHoSo = IntakeSchemas['TrangThaiHoSo'];
export type IntakeLoaiDoiTuong = IntakeSchemas['LoaiDoiTuong'];
