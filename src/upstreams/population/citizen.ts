// The bus's own view of a citizen record and of the answers the population adapter gives.

export interface CitizenNameParts {
  ho: string;
  chuDem: string;
  ten: string;
}

export interface CitizenAddress {
  maTinhThanh: string | null;
  /** Empty or legacy after the 2025 two-level reorganisation. */
  maQuanHuyen: string | null;
  maPhuongXa: string | null;
  tenTinhThanh: string | null;
  tenQuanHuyen: string | null;
  tenPhuongXa: string | null;
  chiTiet: string | null;
  quocGia: string | null;
}

export interface CitizenRelative {
  hoVaTen: string | null;
  quocTich: string | null;
  soDinhDanh: string | null;
  soCmnd: string | null;
}

export interface HouseholdHead extends CitizenRelative {
  /** Relation code to the household head, e.g. CH01. */
  quanHe: string | null;
}

/** All strings are NFC. */
export interface Citizen {
  soDinhDanh: string;
  soCmnd: string | null;
  /** Full name, upper case with diacritics, parts joined by single spaces. */
  hoVaTen: string;
  /** As sent; the whole name may be in `ten` with the other parts empty. */
  hoVaTenParts: CitizenNameParts;
  /** Code: 1 nam, 2 nữ, 3 khác (BHXH convention; CSDL samples show 1 for a male). */
  gioiTinh: string | null;
  /** YYYY-MM-DD, or YYYY when only the year is recorded. */
  ngaySinh: string | null;
  danToc: string | null;
  tonGiao: string | null;
  tinhTrangHonNhan: string | null;
  nhomMau: string | null;
  noiDangKyKhaiSinh: CitizenAddress | null;
  queQuan: CitizenAddress | null;
  thuongTru: CitizenAddress | null;
  noiOHienTai: CitizenAddress | null;
  cha: CitizenRelative | null;
  me: CitizenRelative | null;
  voChong: CitizenRelative | null;
  nguoiDaiDien: CitizenRelative | null;
  chuHo: HouseholdHead | null;
  soSoHoKhau: string | null;
  quocTich: string | null;
}

/** The bus's verify request. */
export interface CitizenVerifyRequest {
  /** 12-digit personal id (or a 9-digit old CMND). */
  soDinhDanh: string;
  hoVaTen: string;
  /** YYYY-MM-DD (or YYYY when only the year is known). */
  ngaySinh: string;
}

export type MismatchField = 'hoVaTen' | 'ngaySinh';

/** Answer of 037. */
export type CitizenLookupResult =
  | { status: 'found'; citizen: Citizen }
  | { status: 'not-found' }
  | { status: 'mismatch'; fields: MismatchField[] };

/** Answer of 033: the registry says only whether such a citizen exists (TonTai). */
export type CitizenVerificationResult = { status: 'verified' } | { status: 'not-verified' };
