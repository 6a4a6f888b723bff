// Synthetic, deterministic registry of ~50 citizens (valid 12-digit ids, NFC Vietnamese names) that the simulator answers from.
import type { Citizen, CitizenAddress } from '../../../src/upstreams/population/citizen';
import { PROVINCE_NAMES_BY_CODE } from '../../../src/upstreams/population/province-codes';
import { normalizeNfc } from '../../../src/core/envelope';
import { seededRandom } from '../kit/seeded-random';

export class CitizenRegistry {
  private readonly byId = new Map<string, Citizen>();

  constructor(citizens: readonly Citizen[]) {
    for (const citizen of citizens) {
      this.byId.set(citizen.soDinhDanh, citizen);
      if (citizen.soCmnd) this.byId.set(citizen.soCmnd, citizen);
    }
  }

  /** By 12-digit id or 9-digit old CMND. */
  find(id: string): Citizen | undefined {
    return this.byId.get(id);
  }

  all(): Citizen[] {
    return [...new Set(this.byId.values())];
  }
}

interface CitizenSeed {
  soDinhDanh: string;
  soCmnd?: string;
  ho: string;
  chuDem: string;
  ten: string;
  /** The whole name is sent in Ten with Ho and ChuDem empty, as in the §3.4 sample. */
  nameInTenOnly: boolean;
  gioiTinh: '1' | '2';
  ngaySinh: string;
  provinceCode: string;
}

function address(provinceCode: string, detail: string): CitizenAddress {
  const province = PROVINCE_NAMES_BY_CODE[provinceCode] ?? '';
  return {
    maTinhThanh: provinceCode.slice(1),
    maQuanHuyen: null,
    maPhuongXa: null,
    tenTinhThanh: province.toLocaleUpperCase('vi'),
    tenQuanHuyen: null,
    tenPhuongXa: null,
    chiTiet: `${detail}, ${province}`.toLocaleUpperCase('vi'),
    quocGia: 'VN',
  };
}

function citizenFromSeed(seed: CitizenSeed): Citizen {
  const parts = seed.nameInTenOnly
    ? { ho: '', chuDem: '', ten: `${seed.ho} ${seed.chuDem} ${seed.ten}` }
    : { ho: seed.ho, chuDem: seed.chuDem, ten: seed.ten };
  const home = address(seed.provinceCode, 'Xã Thanh Lãng');
  return normalizeNfc<Citizen>({
    soDinhDanh: seed.soDinhDanh,
    soCmnd: seed.soCmnd ?? null,
    hoVaTen: `${seed.ho} ${seed.chuDem} ${seed.ten}`.normalize('NFC'),
    hoVaTenParts: parts,
    gioiTinh: seed.gioiTinh,
    ngaySinh: seed.ngaySinh,
    danToc: '01',
    tonGiao: '00',
    tinhTrangHonNhan: '1',
    nhomMau: '00',
    noiDangKyKhaiSinh: home,
    queQuan: home,
    thuongTru: home,
    noiOHienTai: home,
    cha: null,
    me: null,
    voChong: null,
    nguoiDaiDien: null,
    chuHo: { quanHe: 'CH01', quocTich: null, soDinhDanh: seed.soDinhDanh, soCmnd: null, hoVaTen: `${seed.ho} ${seed.chuDem} ${seed.ten}` },
    soSoHoKhau: null,
    quocTich: 'VN',
  });
}

/** Hand-picked citizens that tests name directly. */
export const SAMPLE_CITIZENS = {
  /** The public sample of §3.4: whole name in Ten, born 22/11/1992, birth registered in Vĩnh Phúc (026). */
  daoVanTai: { soDinhDanh: '026092008262', soCmnd: '135602342', hoVaTen: 'ĐÀO VĂN TÀI', ngaySinh: '1992-11-22' },
  /** Female born in the 2000s (G = 3), Hà Nội; "THUỶ" in the old tone placement. */
  nguyenThiThuy: { soDinhDanh: '001305012345', hoVaTen: 'NGUYỄN THỊ THUỶ', ngaySinh: '2005-03-14' },
  /** Female born 1986 (G = 1), Hồ Chí Minh; "HOÀ" in the old tone placement. */
  leThiHoa: { soDinhDanh: '079186004321', hoVaTen: 'LÊ THỊ HOÀ', ngaySinh: '1986-07-09' },
  /** Only the birth year is recorded. */
  phamVanNam: { soDinhDanh: '036048000777', hoVaTen: 'PHẠM VĂN NĂM', ngaySinh: '1948' },
} as const;

const FIXED_SEEDS: CitizenSeed[] = [
  { soDinhDanh: '026092008262', soCmnd: '135602342', ho: 'ĐÀO', chuDem: 'VĂN', ten: 'TÀI', nameInTenOnly: true, gioiTinh: '1', ngaySinh: '1992-11-22', provinceCode: '026' },
  { soDinhDanh: '001305012345', ho: 'NGUYỄN', chuDem: 'THỊ', ten: 'THUỶ', nameInTenOnly: false, gioiTinh: '2', ngaySinh: '2005-03-14', provinceCode: '001' },
  { soDinhDanh: '079186004321', ho: 'LÊ', chuDem: 'THỊ', ten: 'HOÀ', nameInTenOnly: false, gioiTinh: '2', ngaySinh: '1986-07-09', provinceCode: '079' },
  { soDinhDanh: '036048000777', ho: 'PHẠM', chuDem: 'VĂN', ten: 'NĂM', nameInTenOnly: true, gioiTinh: '1', ngaySinh: '1948', provinceCode: '036' },
];

const SURNAMES = ['NGUYỄN', 'TRẦN', 'LÊ', 'PHẠM', 'HOÀNG', 'HUỲNH', 'PHAN', 'VŨ', 'VÕ', 'ĐẶNG', 'BÙI', 'ĐỖ', 'HỒ', 'NGÔ', 'DƯƠNG', 'LÝ'];
const MALE_MIDDLE = ['VĂN', 'HỮU', 'ĐỨC', 'MINH', 'QUỐC', 'THÀNH', 'XUÂN'];
const FEMALE_MIDDLE = ['THỊ', 'NGỌC', 'THU', 'KIM', 'MỸ', 'THANH'];
const MALE_GIVEN = ['AN', 'BÌNH', 'CƯỜNG', 'DŨNG', 'HẢI', 'KHÁNH', 'LONG', 'NAM', 'PHÚC', 'QUANG', 'SƠN', 'TUẤN', 'VIỆT', 'ĐẠT'];
const FEMALE_GIVEN = ['ANH', 'GIANG', 'HÀ', 'HẠNH', 'HƯƠNG', 'LAN', 'LINH', 'MAI', 'NGA', 'PHƯƠNG', 'THẢO', 'TRANG', 'YẾN', 'ÁNH'];
const PROVINCES = ['001', '022', '026', '031', '038', '040', '046', '048', '070', '079', '092', '096'];

function generatedSeeds(count: number, seed: number): CitizenSeed[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const used = new Set(FIXED_SEEDS.map((s) => s.soDinhDanh));
  const seeds: CitizenSeed[] = [];
  while (seeds.length < count) {
    const female = random() < 0.5;
    const year = 1945 + Math.floor(random() * 68); // 1945..2012
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    const provinceCode = pick(PROVINCES);
    const genderCentury = (year >= 2000 ? 2 : 0) + (female ? 1 : 0);
    const sequence = String(Math.floor(random() * 1_000_000)).padStart(6, '0');
    const soDinhDanh = `${provinceCode}${genderCentury}${String(year % 100).padStart(2, '0')}${sequence}`;
    if (used.has(soDinhDanh)) continue;
    used.add(soDinhDanh);
    seeds.push({
      soDinhDanh,
      ho: pick(SURNAMES),
      chuDem: pick(female ? FEMALE_MIDDLE : MALE_MIDDLE),
      ten: pick(female ? FEMALE_GIVEN : MALE_GIVEN),
      nameInTenOnly: random() < 0.3,
      gioiTinh: female ? '2' : '1',
      ngaySinh: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      provinceCode,
    });
  }
  return seeds;
}

/** The four SAMPLE_CITIZENS plus `generated` more (default 46, i.e. 50 in all). All names are NFC. */
export function createSyntheticRegistry(options: { generated?: number; seed?: number } = {}): CitizenRegistry {
  const seeds = [...FIXED_SEEDS, ...generatedSeeds(options.generated ?? 46, options.seed ?? 20250701)];
  return new CitizenRegistry(seeds.map(citizenFromSeed));
}
