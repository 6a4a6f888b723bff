// How the simulated registry answers 037 and 033 requests: match id, name and birth date against the synthetic registry.
import type { Citizen, CitizenAddress, CitizenRelative, HouseholdHead } from '../../../src/upstreams/population/citizen';
import type { CitizenRegistry } from './citizen-registry';
import { birthDatesAgree, fromBirthDateWire } from '../../../src/upstreams/population/mapping';
import { namesMatch } from '../../../src/upstreams/population/vietnamese-text';
import {
  LOOKUP_RESULT_CODE,
  type CongDanWire,
  type CongdanCollectionWire,
  type DiaChiWire,
  type HoVaTenWire,
  type KetQuaXacThucResponseWire,
  type MismatchWireField,
  type NguoiThanWire,
} from '../../../src/upstreams/population/wire-messages';

/** A request the simulator cannot answer; becomes a SOAP Client fault. */
export class MalformedRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedRequestError';
  }
}

interface RequestedIdentity {
  id: string;
  hoVaTen: string;
  /** YYYY-MM-DD or YYYY, or null when the request carried none. */
  ngaySinh: string | null;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function requestedIdentity(args: unknown, birthDateRequired: boolean): RequestedIdentity {
  const r = args !== null && typeof args === 'object' ? (args as Record<string, unknown>) : {};
  const id = text(r.SoDinhDanh) || text(r.SoCMND);
  if (!id) throw new MalformedRequestError('SoDinhDanh hoặc SoCMND là bắt buộc');
  const hoVaTen = text(r.HoVaTen);
  if (!hoVaTen) throw new MalformedRequestError('HoVaTen là bắt buộc');
  const ngaySinh = fromBirthDateWire(r.NgayThangNamSinh);
  if (birthDateRequired && ngaySinh === null) throw new MalformedRequestError('NgayThangNamSinh không hợp lệ');
  return { id, hoVaTen, ngaySinh };
}

function mismatches(citizen: Citizen, requested: RequestedIdentity): MismatchWireField[] {
  const fields: MismatchWireField[] = [];
  if (!namesMatch(citizen.hoVaTen, requested.hoVaTen)) fields.push('HoVaTen');
  if (requested.ngaySinh !== null && !birthDatesAgree(citizen.ngaySinh, requested.ngaySinh)) fields.push('NgayThangNamSinh');
  return fields;
}

function optional<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null ? {} : ({ [key]: value } as Record<K, string>);
}

function nameWire(full: string | null): HoVaTenWire {
  return { Ten: full ?? '' };
}

function addressWire(a: CitizenAddress | null): DiaChiWire | undefined {
  if (!a) return undefined;
  return {
    ...optional('MaTinhThanh', a.maTinhThanh),
    ...optional('MaQuanHuyen', a.maQuanHuyen),
    ...optional('MaPhuongXa', a.maPhuongXa),
    ...optional('TenTinhThanh', a.tenTinhThanh),
    ...optional('TenQuanHuyen', a.tenQuanHuyen),
    ...optional('TenPhuongXa', a.tenPhuongXa),
    ...optional('ChiTiet', a.chiTiet),
    ...optional('QuocGia', a.quocGia),
  };
}

function relativeWire(p: CitizenRelative | null): NguoiThanWire | undefined {
  if (!p) return undefined;
  return { HoVaTen: nameWire(p.hoVaTen), ...optional('QuocTich', p.quocTich), ...optional('SoDinhDanh', p.soDinhDanh), ...optional('SoCMND', p.soCmnd) };
}

function householdHeadWire(p: HouseholdHead | null): CongDanWire['ChuHo'] {
  if (!p) return undefined;
  return { ...optional('QuanHe', p.quanHe), ...optional('SoDinhDanh', p.soDinhDanh), ...optional('SoCMND', p.soCmnd), HoVaTen: nameWire(p.hoVaTen) };
}

/** Citizen → CongDan element, in schema order, leaving out what is unknown. */
export function congDanWireFromCitizen(c: Citizen): CongDanWire {
  const birth = c.ngaySinh === null ? undefined : c.ngaySinh.length === 4 ? { Nam: c.ngaySinh } : { Nam: c.ngaySinh.slice(0, 4), NgayThangNam: c.ngaySinh.replace(/-/g, '') };
  const entries: [keyof CongDanWire, unknown][] = [
    ['SoDinhDanh', c.soDinhDanh],
    ['SoCMND', c.soCmnd ?? undefined],
    ['HoVaTen', { Ho: c.hoVaTenParts.ho, ChuDem: c.hoVaTenParts.chuDem, Ten: c.hoVaTenParts.ten }],
    ['GioiTinh', c.gioiTinh ?? undefined],
    ['DanToc', c.danToc ?? undefined],
    ['TonGiao', c.tonGiao ?? undefined],
    ['TinhTrangHonNhan', c.tinhTrangHonNhan ?? undefined],
    ['NhomMau', c.nhomMau ?? undefined],
    ['NgayThangNamSinh', birth],
    ['NoiDangKyKhaiSinh', addressWire(c.noiDangKyKhaiSinh)],
    ['QueQuan', addressWire(c.queQuan)],
    ['ThuongTru', addressWire(c.thuongTru)],
    ['NoiOHienTai', addressWire(c.noiOHienTai)],
    ['Cha', relativeWire(c.cha)],
    ['Me', relativeWire(c.me)],
    ['VoChong', relativeWire(c.voChong)],
    ['NguoiDaiDien', relativeWire(c.nguoiDaiDien)],
    ['ChuHo', householdHeadWire(c.chuHo)],
    ['SoSoHoKhau', c.soSoHoKhau ?? undefined],
    ['QuocTich', c.quocTich ?? undefined],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as unknown as CongDanWire;
}

/** 037: found → the record; unknown id → empty collection; known id with other fields wrong → MaKetQua 02. */
export function answerLookup(args: unknown, registry: CitizenRegistry, now: Date = new Date()): CongdanCollectionWire {
  const requested = requestedIdentity(args, true);
  const citizen = registry.find(requested.id);
  const attributes = { ThoiDiemDuLieu: now.toISOString() };
  if (!citizen) {
    return { attributes: { ...attributes, SoCongDan: '0', MaKetQua: LOOKUP_RESULT_CODE.notFound, GhiChu: 'Không tìm thấy thông tin công dân' } };
  }
  const wrong = mismatches(citizen, requested);
  if (wrong.length > 0) {
    return {
      attributes: {
        ...attributes,
        SoCongDan: '0',
        MaKetQua: LOOKUP_RESULT_CODE.mismatch,
        TruongKhongKhop: wrong.join(' '),
        GhiChu: 'Thông tin không khớp với CSDL dân cư',
      },
    };
  }
  return {
    attributes: { ...attributes, SoCongDan: '1', MaKetQua: LOOKUP_RESULT_CODE.found },
    CongDan: [congDanWireFromCitizen(citizen)],
  };
}

/** 033: TonTai is true only when the id exists and name (and birth date, if sent) agree. */
export function answerVerification(args: unknown, registry: CitizenRegistry): KetQuaXacThucResponseWire {
  const requested = requestedIdentity(args, false);
  const citizen = registry.find(requested.id);
  return { TonTai: citizen !== undefined && mismatches(citizen, requested).length === 0 };
}
