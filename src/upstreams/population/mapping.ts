// Maps the bus's verify request to 037/033 SOAP requests and the SOAP answers back to typed, NFC results.
import type {
  Citizen,
  CitizenAddress,
  CitizenLookupResult,
  CitizenRelative,
  CitizenVerificationResult,
  CitizenVerifyRequest,
  HouseholdHead,
  MismatchField,
} from './citizen';
import { isOldIdentityCardNumber, validateCitizenId, type CitizenIdProblem } from './citizen-id';
import { namesMatch, toRegistryName } from './vietnamese-text';
import {
  LOOKUP_RESULT_CODE,
  SERVICE_CODE,
  type NgayThangNamSinhWire,
  type TraCuuThongTinCongDanWire,
  type XacThucThongTinCongDanRequestWire,
} from './wire-messages';
import { merged } from '../../core/merged';

/** Fixed request fields that identify the calling system and officer (§3.3). */
export interface RequestContext {
  /** Unique id of this request (MaYeuCau). */
  maYeuCau: string;
  /** Code of the calling public-service system (MaDVC), e.g. VPCP. */
  maDvc: string;
  /** The officer making the call (MaCanBo), in samples their CCCD. */
  maCanBo: string;
  maDonVi?: string;
  taiKhoan?: string;
}

export type VerifyRequestProblem =
  | { field: 'soDinhDanh'; problem: CitizenIdProblem | 'missing' }
  | { field: 'hoVaTen'; problem: 'missing' | 'too-long' }
  | { field: 'ngaySinh'; problem: 'missing' | 'not-a-date' };

export type VerifyRequestValidation =
  | { ok: true; request: CitizenVerifyRequest }
  | { ok: false; problems: VerifyRequestProblem[] };

const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEAR_ONLY = /^\d{4}$/;
const MAX_NAME_LENGTH = 200;

function isRealDate(value: string): boolean {
  const m = FULL_DATE.exec(value);
  if (!m) return YEAR_ONLY.test(value);
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCFullYear() === Number(m[1]) && date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]);
}

/**
 * Checks an incoming verify request; returns it trimmed and NFC. Problems name fields, never values,
 * so they can be logged. A 12-digit id must also agree with the birth year it encodes.
 */
export function validateVerifyRequest(input: unknown): VerifyRequestValidation {
  const record = input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const text = (key: string): string => (typeof record[key] === 'string' ? (record[key] as string).normalize('NFC').trim() : '');
  const soDinhDanh = text('soDinhDanh');
  const hoVaTen = text('hoVaTen');
  const ngaySinh = text('ngaySinh');
  const problems: VerifyRequestProblem[] = [];

  if (!ngaySinh) problems.push({ field: 'ngaySinh', problem: 'missing' });
  else if (!isRealDate(ngaySinh)) problems.push({ field: 'ngaySinh', problem: 'not-a-date' });
  if (!hoVaTen) problems.push({ field: 'hoVaTen', problem: 'missing' });
  else if (hoVaTen.length > MAX_NAME_LENGTH) problems.push({ field: 'hoVaTen', problem: 'too-long' });
  if (!soDinhDanh) problems.push({ field: 'soDinhDanh', problem: 'missing' });
  else if (!isOldIdentityCardNumber(soDinhDanh)) {
    const dateUsable = ngaySinh !== '' && isRealDate(ngaySinh);
    const check = validateCitizenId(soDinhDanh, dateUsable ? { birthDate: ngaySinh } : {});
    if (!check.valid) problems.push({ field: 'soDinhDanh', problem: check.problem });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, request: { soDinhDanh, hoVaTen, ngaySinh } };
}

/** YYYY-MM-DD → {NgayThangNam: yyyyMMdd}; YYYY → {Nam: yyyy}. */
export function toBirthDateWire(ngaySinh: string): NgayThangNamSinhWire {
  return YEAR_ONLY.test(ngaySinh) ? { Nam: ngaySinh } : { NgayThangNam: ngaySinh.replace(/-/g, '') };
}

/** {NgayThangNam: yyyyMMdd} → YYYY-MM-DD, else {Nam} → YYYY, else null. */
export function fromBirthDateWire(wire: unknown): string | null {
  const record = asRecord(wire);
  const full = textOf(record?.NgayThangNam);
  if (full && /^\d{8}$/.test(full)) return `${full.slice(0, 4)}-${full.slice(4, 6)}-${full.slice(6, 8)}`;
  const year = textOf(record?.Nam);
  return year && YEAR_ONLY.test(year) ? year : null;
}

function idFields(soDinhDanh: string): { SoDinhDanh: string } | { SoCMND: string } {
  return isOldIdentityCardNumber(soDinhDanh) ? { SoCMND: soDinhDanh } : { SoDinhDanh: soDinhDanh };
}

/** Builds the 037 TraCuuThongTinCongDan body. The name is sent upper case NFC, as OpenCPS does (§3.3). */
export function toLookupRequest(request: CitizenVerifyRequest, context: RequestContext): TraCuuThongTinCongDanWire {
  return {
    MaYeuCau: context.maYeuCau,
    MaDVC: context.maDvc,
    MaTichHop: SERVICE_CODE.lookup,
    MaCanBo: context.maCanBo,
    ...(context.maDonVi !== undefined ? { MaDonVi: context.maDonVi } : {}),
    ...(context.taiKhoan !== undefined ? { TaiKhoan: context.taiKhoan } : {}),
    SoDienThoai: '0',
    ...idFields(request.soDinhDanh),
    HoVaTen: toRegistryName(request.hoVaTen),
    NgayThangNamSinh: toBirthDateWire(request.ngaySinh),
  };
}

/** Builds the 033 XacThucThongTinCongDanRequest body. */
export function toVerificationRequest(
  request: CitizenVerifyRequest,
  context: RequestContext,
): XacThucThongTinCongDanRequestWire {
  return {
    MaYeuCau: context.maYeuCau,
    MaDichVu: SERVICE_CODE.verify,
    MaCanBo: context.maCanBo,
    ...idFields(request.soDinhDanh),
    HoVaTen: toRegistryName(request.hoVaTen),
    NgayThangNamSinh: toBirthDateWire(request.ngaySinh),
  };
}

// ---- reading answers (untrusted input: everything is checked, nothing is assumed) ----

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** A non-empty NFC string, or null. Numbers are taken as text: node-soap, which the tests read the same answers with, gives numbers for numeric-looking text. */
function textOf(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return null;
  const text = value.normalize('NFC').trim();
  return text === '' ? null : text;
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function fullNameOf(value: unknown): { full: string | null; ho: string; chuDem: string; ten: string } {
  const record = asRecord(value);
  if (!record) {
    const plain = textOf(value);
    return { full: plain ? toRegistryName(plain) : null, ho: '', chuDem: '', ten: plain ?? '' };
  }
  const ho = textOf(record.Ho) ?? '';
  const chuDem = textOf(record.ChuDem) ?? '';
  const ten = textOf(record.Ten) ?? '';
  const joined = [ho, chuDem, ten].filter((part) => part !== '').join(' ');
  return { full: joined === '' ? null : toRegistryName(joined), ho, chuDem, ten };
}

function addressOf(value: unknown): CitizenAddress | null {
  const r = asRecord(value);
  if (!r) return null;
  return {
    maTinhThanh: textOf(r.MaTinhThanh),
    maQuanHuyen: textOf(r.MaQuanHuyen),
    maPhuongXa: textOf(r.MaPhuongXa),
    tenTinhThanh: textOf(r.TenTinhThanh),
    tenQuanHuyen: textOf(r.TenQuanHuyen),
    tenPhuongXa: textOf(r.TenPhuongXa),
    chiTiet: textOf(r.ChiTiet),
    quocGia: textOf(r.QuocGia),
  };
}

function relativeOf(value: unknown): CitizenRelative | null {
  const r = asRecord(value);
  if (!r) return null;
  return {
    hoVaTen: fullNameOf(r.HoVaTen).full,
    quocTich: textOf(r.QuocTich),
    soDinhDanh: textOf(r.SoDinhDanh),
    soCmnd: textOf(r.SoCMND),
  };
}

function householdHeadOf(value: unknown): HouseholdHead | null {
  const r = asRecord(value);
  const relative = relativeOf(value);
  return r && relative ? merged(relative, { quanHe: textOf(r.QuanHe) }) : null;
}

/** One CongDan element → Citizen, or null when it lacks an id or a name. */
export function citizenFromWire(value: unknown): Citizen | null {
  const r = asRecord(value);
  const soDinhDanh = textOf(r?.SoDinhDanh);
  const name = fullNameOf(r?.HoVaTen);
  if (!r || !soDinhDanh || !name.full) return null;
  return {
    soDinhDanh,
    soCmnd: textOf(r.SoCMND),
    hoVaTen: name.full,
    hoVaTenParts: { ho: name.ho, chuDem: name.chuDem, ten: name.ten },
    gioiTinh: textOf(r.GioiTinh),
    ngaySinh: fromBirthDateWire(r.NgayThangNamSinh),
    danToc: textOf(r.DanToc),
    tonGiao: textOf(r.TonGiao),
    tinhTrangHonNhan: textOf(r.TinhTrangHonNhan),
    nhomMau: textOf(r.NhomMau),
    noiDangKyKhaiSinh: addressOf(r.NoiDangKyKhaiSinh),
    queQuan: addressOf(r.QueQuan),
    thuongTru: addressOf(r.ThuongTru),
    noiOHienTai: addressOf(r.NoiOHienTai),
    cha: relativeOf(r.Cha),
    me: relativeOf(r.Me),
    voChong: relativeOf(r.VoChong),
    nguoiDaiDien: relativeOf(r.NguoiDaiDien),
    chuHo: householdHeadOf(r.ChuHo),
    soSoHoKhau: textOf(r.SoSoHoKhau),
    quocTich: textOf(r.QuocTich),
  };
}

/** A recorded birth date agrees with the requested one (a year-only record is compared by year). */
export function birthDatesAgree(recorded: string | null, requested: string): boolean {
  if (recorded === null) return false;
  if (recorded.length === 4 || requested.length === 4) return recorded.slice(0, 4) === requested.slice(0, 4);
  return recorded === requested;
}

/** Fields of the request that the record does not agree with. */
export function mismatchedFields(citizen: Citizen, request: CitizenVerifyRequest): MismatchField[] {
  const fields: MismatchField[] = [];
  if (!namesMatch(citizen.hoVaTen, request.hoVaTen)) fields.push('hoVaTen');
  if (!birthDatesAgree(citizen.ngaySinh, request.ngaySinh)) fields.push('ngaySinh');
  return fields;
}

const WIRE_TO_MISMATCH_FIELD: Record<string, MismatchField> = { HoVaTen: 'hoVaTen', NgayThangNamSinh: 'ngaySinh' };

export class UnreadableAnswerError extends Error {
  readonly code = 'POPULATION_BAD_RESPONSE';
  constructor(what: string) {
    super(`population answer could not be read: ${what}`);
    this.name = 'UnreadableAnswerError';
  }
}

/**
 * CongdanCollection → result. Uses the MaKetQua extension when present; otherwise (a real registry)
 * an empty collection is "not found" and a returned record is compared with the request here.
 */
export function lookupResultFromWire(answer: unknown, request: CitizenVerifyRequest): CitizenLookupResult {
  const collection = asRecord(answer);
  if (!collection) {
    // An empty CongdanCollection element reads as '' (as absent, with node-soap).
    if (answer === null || answer === undefined || answer === '') return { status: 'not-found' };
    throw new UnreadableAnswerError('CongdanCollection is not an element');
  }
  const attributes = asRecord(collection.attributes);
  const resultCode = textOf(attributes?.MaKetQua);
  if (resultCode === LOOKUP_RESULT_CODE.mismatch) {
    const listed = (textOf(attributes?.TruongKhongKhop) ?? '')
      .split(/\s+/)
      .map((name) => WIRE_TO_MISMATCH_FIELD[name])
      .filter((field): field is MismatchField => field !== undefined);
    return { status: 'mismatch', fields: listed.length > 0 ? [...new Set(listed)] : ['hoVaTen', 'ngaySinh'] };
  }
  const rawRecords = listOf(collection.CongDan);
  if (resultCode === LOOKUP_RESULT_CODE.notFound || rawRecords.length === 0) return { status: 'not-found' };
  const citizens = rawRecords.map(citizenFromWire);
  if (citizens.some((citizen) => citizen === null)) throw new UnreadableAnswerError('CongDan lacks SoDinhDanh or HoVaTen');
  const readable = citizens as Citizen[];
  const citizen =
    readable.find((c) => c.soDinhDanh === request.soDinhDanh || c.soCmnd === request.soDinhDanh) ?? null;
  if (!citizen) return { status: 'not-found' };
  const fields = mismatchedFields(citizen, request);
  return fields.length > 0 ? { status: 'mismatch', fields } : { status: 'found', citizen };
}

/** KetQuaXacThucResponse → result. */
export function verificationResultFromWire(answer: unknown): CitizenVerificationResult {
  const tonTai = asRecord(answer)?.TonTai;
  if (tonTai === true || tonTai === 'true' || tonTai === '1') return { status: 'verified' };
  if (tonTai === false || tonTai === 'false' || tonTai === '0') return { status: 'not-verified' };
  throw new UnreadableAnswerError('TonTai is missing or not a boolean');
}
