// The DVCQG procedure catalogue (TTHC) the reference simulator answers LayDanhSachTTHC and LayThuTuc from: a seed
// province's 1,864 procedures, 1,161 of them linked to DVCQG, generated the same every time; tests withdraw or change one.
import type { ThuTuc } from '../../../src/upstreams/dvcqg/contract-types';
import { seededRandom } from '../kit/seeded-random';

const HO_TICH = { MALINHVUC: 'HT', TENLINHVUC: 'Hộ tịch' };

/** The procedures every test and fixture names; they stay first in the list, linked to DVCQG. */
export const SEED_PROCEDURES: readonly ThuTuc[] = [
  { MATTHC: '1.001193', TENTTHC: 'Thủ tục đăng ký khai sinh', LINHVUCTHUCHIEN: [HO_TICH], COQUANTHUCHIEN: 'Ủy ban nhân dân cấp xã', THOIGIANGIAIQUYET: 'Ngay trong ngày làm việc', MUCDO: 'Toàn trình', TICHHOPDVCQG: '1' },
  { MATTHC: '1.000894', TENTTHC: 'Thủ tục đăng ký kết hôn', LINHVUCTHUCHIEN: [HO_TICH], COQUANTHUCHIEN: 'Ủy ban nhân dân cấp xã', THOIGIANGIAIQUYET: 'Ngay trong ngày làm việc', MUCDO: 'Một phần', TICHHOPDVCQG: '1' },
  { MATTHC: '1.000656', TENTTHC: 'Thủ tục cấp Giấy xác nhận tình trạng hôn nhân', LINHVUCTHUCHIEN: [HO_TICH], COQUANTHUCHIEN: 'Ủy ban nhân dân cấp xã', THOIGIANGIAIQUYET: '03 ngày làm việc', MUCDO: 'Toàn trình', TICHHOPDVCQG: '1' },
  { MATTHC: '1.000689', TENTTHC: 'Thủ tục đăng ký khai tử', LINHVUCTHUCHIEN: [HO_TICH], COQUANTHUCHIEN: 'Ủy ban nhân dân cấp xã', THOIGIANGIAIQUYET: 'Ngay trong ngày làm việc', MUCDO: 'Toàn trình', TICHHOPDVCQG: '1' },
  { MATTHC: '2.001610', TENTTHC: 'Đăng ký thành lập hộ kinh doanh', LINHVUCTHUCHIEN: [{ MALINHVUC: 'TLDN', TENLINHVUC: 'Thành lập và hoạt động của doanh nghiệp' }], COQUANTHUCHIEN: 'Phòng Tài chính - Kế hoạch cấp huyện', THOIGIANGIAIQUYET: '03 ngày làm việc', MUCDO: 'Toàn trình', TICHHOPDVCQG: '1' },
  { MATTHC: '1.004227', TENTTHC: 'Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ', LINHVUCTHUCHIEN: [{ MALINHVUC: 'HDXD', TENLINHVUC: 'Hoạt động xây dựng' }], COQUANTHUCHIEN: 'Ủy ban nhân dân cấp huyện', THOIGIANGIAIQUYET: '15 ngày', MUCDO: 'Một phần', TICHHOPDVCQG: '1' },
  { MATTHC: '1.003003', TENTTHC: 'Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất', LINHVUCTHUCHIEN: [{ MALINHVUC: 'DD', TENLINHVUC: 'Đất đai' }], COQUANTHUCHIEN: 'Văn phòng đăng ký đất đai', THOIGIANGIAIQUYET: '10 ngày', MUCDO: 'Một phần', TICHHOPDVCQG: '1' },
];

/** The seed province's size (its published list): every procedure, and those whose dossiers are synced with DVCQG. */
export const PROVINCE_PROCEDURE_COUNT = 1864;
export const PROVINCE_LINKED_COUNT = 1161;

interface FieldSpec {
  code: string;
  name: string;
  /** The provincial department in charge of the field. */
  department: string;
  /** What the field's procedures are about. */
  subjects: readonly string[];
  law: string;
}

const FIELDS: readonly FieldSpec[] = [
  { code: 'DD', name: 'Đất đai', department: 'Sở Tài nguyên và Môi trường', law: 'Luật Đất đai số 31/2024/QH15', subjects: ['giấy chứng nhận quyền sử dụng đất', 'chuyển mục đích sử dụng đất', 'gia hạn sử dụng đất', 'tách thửa, hợp thửa đất', 'cung cấp dữ liệu đất đai', 'đính chính giấy chứng nhận đã cấp'] },
  { code: 'MT', name: 'Môi trường', department: 'Sở Tài nguyên và Môi trường', law: 'Luật Bảo vệ môi trường số 72/2020/QH14', subjects: ['giấy phép môi trường', 'kết quả thẩm định báo cáo đánh giá tác động môi trường', 'đăng ký môi trường', 'phương án cải tạo, phục hồi môi trường'] },
  { code: 'TNN', name: 'Tài nguyên nước', department: 'Sở Tài nguyên và Môi trường', law: 'Luật Tài nguyên nước số 28/2023/QH15', subjects: ['giấy phép khai thác nước dưới đất', 'giấy phép khai thác nước mặt', 'giấy phép xả nước thải vào nguồn nước', 'giấy phép hành nghề khoan nước dưới đất'] },
  { code: 'HDXD', name: 'Hoạt động xây dựng', department: 'Sở Xây dựng', law: 'Luật Xây dựng số 50/2014/QH13', subjects: ['giấy phép xây dựng công trình', 'chứng chỉ hành nghề hoạt động xây dựng', 'chứng chỉ năng lực hoạt động xây dựng', 'giấy phép di dời công trình', 'thẩm định báo cáo nghiên cứu khả thi'] },
  { code: 'NO', name: 'Nhà ở', department: 'Sở Xây dựng', law: 'Luật Nhà ở số 27/2023/QH15', subjects: ['nhà ở xã hội', 'chứng chỉ hành nghề môi giới bất động sản', 'thuê nhà ở công vụ', 'công nhận chủ đầu tư dự án nhà ở'] },
  { code: 'TLDN', name: 'Thành lập và hoạt động của doanh nghiệp', department: 'Sở Kế hoạch và Đầu tư', law: 'Luật Doanh nghiệp số 59/2020/QH14', subjects: ['giấy chứng nhận đăng ký doanh nghiệp', 'thay đổi nội dung đăng ký doanh nghiệp', 'đăng ký hoạt động chi nhánh', 'tạm ngừng kinh doanh', 'giải thể doanh nghiệp', 'đăng ký hộ kinh doanh'] },
  { code: 'DTVN', name: 'Đầu tư tại Việt Nam', department: 'Sở Kế hoạch và Đầu tư', law: 'Luật Đầu tư số 61/2020/QH14', subjects: ['chủ trương đầu tư', 'giấy chứng nhận đăng ký đầu tư', 'điều chỉnh dự án đầu tư', 'chuyển nhượng dự án đầu tư'] },
  { code: 'GT', name: 'Đường bộ', department: 'Sở Giao thông vận tải', law: 'Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15', subjects: ['giấy phép lái xe', 'giấy phép kinh doanh vận tải bằng xe ô tô', 'phù hiệu xe', 'giấy phép thi công công trình đường bộ', 'đăng ký khai thác tuyến vận tải hành khách cố định'] },
  { code: 'DTND', name: 'Đường thủy nội địa', department: 'Sở Giao thông vận tải', law: 'Luật Giao thông đường thủy nội địa số 23/2004/QH11', subjects: ['giấy chứng nhận đăng ký phương tiện thủy nội địa', 'công bố cảng, bến thủy nội địa', 'giấy phép hoạt động bến khách ngang sông'] },
  { code: 'GDDT', name: 'Giáo dục và Đào tạo', department: 'Sở Giáo dục và Đào tạo', law: 'Luật Giáo dục số 43/2019/QH14', subjects: ['thành lập trường trung học phổ thông', 'cho phép hoạt động giáo dục', 'bản sao văn bằng, chứng chỉ', 'chuyển trường đối với học sinh', 'công nhận trường đạt chuẩn quốc gia', 'hoạt động dạy thêm, học thêm'] },
  { code: 'YT', name: 'Khám bệnh, chữa bệnh', department: 'Sở Y tế', law: 'Luật Khám bệnh, chữa bệnh số 15/2023/QH15', subjects: ['giấy phép hành nghề khám bệnh, chữa bệnh', 'giấy phép hoạt động cơ sở khám bệnh, chữa bệnh', 'công bố đủ điều kiện hoạt động cơ sở y tế', 'giấy chứng nhận lương y'] },
  { code: 'DUOC', name: 'Dược phẩm', department: 'Sở Y tế', law: 'Luật Dược số 105/2016/QH13', subjects: ['chứng chỉ hành nghề dược', 'giấy chứng nhận đủ điều kiện kinh doanh dược', 'giấy xác nhận nội dung quảng cáo thuốc'] },
  { code: 'ATTP', name: 'An toàn thực phẩm', department: 'Sở Y tế', law: 'Luật An toàn thực phẩm số 55/2010/QH12', subjects: ['giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm', 'bản công bố sản phẩm', 'giấy xác nhận nội dung quảng cáo thực phẩm'] },
  { code: 'LDTL', name: 'Lao động, tiền lương', department: 'Sở Lao động - Thương binh và Xã hội', law: 'Bộ luật Lao động số 45/2019/QH14', subjects: ['giấy phép lao động cho người nước ngoài', 'giấy phép cho thuê lại lao động', 'nội quy lao động', 'thang lương, bảng lương'] },
  { code: 'BTXH', name: 'Bảo trợ xã hội', department: 'Sở Lao động - Thương binh và Xã hội', law: 'Nghị định số 20/2021/NĐ-CP', subjects: ['trợ cấp xã hội hằng tháng', 'hỗ trợ chi phí mai táng', 'tiếp nhận đối tượng vào cơ sở trợ giúp xã hội', 'giấy phép hoạt động cơ sở trợ giúp xã hội'] },
  { code: 'NCC', name: 'Người có công', department: 'Sở Lao động - Thương binh và Xã hội', law: 'Pháp lệnh Ưu đãi người có công với cách mạng số 02/2020/UBTVQH14', subjects: ['trợ cấp ưu đãi người có công', 'giấy chứng nhận thương binh', 'di chuyển hồ sơ người có công', 'hỗ trợ cải thiện nhà ở người có công'] },
  { code: 'VH', name: 'Văn hóa', department: 'Sở Văn hóa, Thể thao và Du lịch', law: 'Luật Di sản văn hóa số 45/2024/QH15', subjects: ['giấy phép tổ chức lễ hội', 'giấy phép kinh doanh karaoke', 'giấy phép triển lãm mỹ thuật', 'xếp hạng di tích cấp tỉnh'] },
  { code: 'DL', name: 'Du lịch', department: 'Sở Văn hóa, Thể thao và Du lịch', law: 'Luật Du lịch số 09/2017/QH14', subjects: ['giấy phép kinh doanh dịch vụ lữ hành nội địa', 'thẻ hướng dẫn viên du lịch', 'công nhận hạng cơ sở lưu trú du lịch'] },
  { code: 'NN', name: 'Nông nghiệp', department: 'Sở Nông nghiệp và Phát triển nông thôn', law: 'Luật Trồng trọt số 31/2018/QH14', subjects: ['giấy chứng nhận cơ sở đủ điều kiện sản xuất phân bón', 'giấy phép vận chuyển thuốc bảo vệ thực vật', 'công nhận cây đầu dòng', 'giấy chứng nhận kiểm dịch động vật'] },
  { code: 'LN', name: 'Lâm nghiệp', department: 'Sở Nông nghiệp và Phát triển nông thôn', law: 'Luật Lâm nghiệp số 16/2017/QH14', subjects: ['phê duyệt phương án quản lý rừng bền vững', 'chuyển loại rừng', 'giấy phép khai thác lâm sản'] },
  { code: 'TP', name: 'Tư pháp', department: 'Sở Tư pháp', law: 'Luật Công chứng số 46/2024/QH15', subjects: ['phiếu lý lịch tư pháp', 'thẻ công chứng viên', 'giấy đăng ký hoạt động văn phòng công chứng', 'chứng thực bản sao từ bản chính', 'thẻ tư vấn viên pháp luật'] },
  { code: 'HT', name: 'Hộ tịch', department: 'Sở Tư pháp', law: 'Luật Hộ tịch số 60/2014/QH13', subjects: ['khai sinh có yếu tố nước ngoài', 'kết hôn có yếu tố nước ngoài', 'thay đổi, cải chính hộ tịch', 'nhận cha, mẹ, con', 'ghi vào sổ hộ tịch việc ly hôn'] },
  { code: 'CT', name: 'Công Thương', department: 'Sở Công Thương', law: 'Luật Thương mại số 36/2005/QH11', subjects: ['giấy phép bán lẻ rượu', 'giấy phép kinh doanh sản phẩm thuốc lá', 'giấy chứng nhận đủ điều kiện cửa hàng xăng dầu', 'giấy phép thành lập văn phòng đại diện thương nhân nước ngoài'] },
  { code: 'TTTT', name: 'Thông tin và Truyền thông', department: 'Sở Thông tin và Truyền thông', law: 'Luật Báo chí số 103/2016/QH13', subjects: ['giấy phép xuất bản bản tin', 'giấy phép thiết lập trang thông tin điện tử tổng hợp', 'giấy phép hoạt động in', 'giấy phép nhập khẩu xuất bản phẩm'] },
  { code: 'NV', name: 'Nội vụ', department: 'Sở Nội vụ', law: 'Luật Tín ngưỡng, tôn giáo số 02/2016/QH14', subjects: ['thành lập hội', 'đăng ký hoạt động tín ngưỡng', 'công nhận ban vận động thành lập hội', 'tặng thưởng danh hiệu thi đua'] },
  { code: 'TC', name: 'Tài chính', department: 'Sở Tài chính', law: 'Luật Quản lý, sử dụng tài sản công số 15/2017/QH14', subjects: ['mã số đơn vị có quan hệ với ngân sách', 'quyết toán dự án hoàn thành', 'thanh lý tài sản công'] },
];

const ACTIONS: readonly string[] = ['Cấp', 'Cấp lại', 'Cấp đổi', 'Điều chỉnh', 'Gia hạn', 'Thu hồi', 'Đăng ký', 'Thẩm định'];
const LEVELS: readonly { suffix: string; agency: (field: FieldSpec) => string; time: string }[] = [
  { suffix: 'cấp tỉnh', agency: (field) => field.department, time: '15 ngày làm việc' },
  { suffix: 'cấp huyện', agency: () => 'Ủy ban nhân dân cấp huyện', time: '10 ngày làm việc' },
  { suffix: 'cấp xã', agency: () => 'Ủy ban nhân dân cấp xã', time: '05 ngày làm việc' },
];
const SERVICE_LEVELS: readonly string[] = ['Toàn trình', 'Một phần', 'Cung cấp thông tin'];

/** The seed province's whole list: the seed procedures, then generated ones up to its size, every code distinct. */
function generateProvince(): ThuTuc[] {
  const random = seededRandom(15);
  const combos: { field: FieldSpec; subject: string; action: string; level: (typeof LEVELS)[number] }[] = [];
  for (const field of FIELDS) for (const subject of field.subjects) for (const action of ACTIONS) for (const level of LEVELS) combos.push({ field, subject, action, level });
  // Fisher–Yates with the seeded generator: a varied list, the same every time.
  for (let i = combos.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [combos[i], combos[j]] = [combos[j]!, combos[i]!];
  }
  const codes = new Set(SEED_PROCEDURES.map((p) => p.MATTHC));
  const generated: ThuTuc[] = [];
  const wanted = PROVINCE_PROCEDURE_COUNT - SEED_PROCEDURES.length;
  const linkedWanted = PROVINCE_LINKED_COUNT - SEED_PROCEDURES.length;
  for (const [index, combo] of combos.slice(0, wanted).entries()) {
    let code: string;
    do code = `${random() < 0.7 ? 1 : 2}.${String(Math.floor(random() * 12_000)).padStart(6, '0')}`;
    while (codes.has(code));
    codes.add(code);
    generated.push({
      MATTHC: code,
      TENTTHC: `${combo.action} ${combo.subject} (${combo.level.suffix})`,
      LINHVUCTHUCHIEN: [{ MALINHVUC: combo.field.code, TENLINHVUC: combo.field.name }],
      COQUANTHUCHIEN: combo.level.agency(combo.field),
      THOIGIANGIAIQUYET: combo.level.time,
      CANCUPHAPLY: combo.field.law,
      MUCDO: SERVICE_LEVELS[Math.floor(random() * SERVICE_LEVELS.length)]!,
      // The first ones linked: exactly the province's count, spread over every field by the shuffle.
      TICHHOPDVCQG: index < linkedWanted ? '1' : '0',
    });
  }
  if (generated.length !== wanted) throw new Error(`the generated catalogue has ${generated.length} procedures, not ${wanted}`);
  return [...SEED_PROCEDURES, ...generated];
}

/** The seed province's list as generated; each simulator works on its own copy. */
export const PROVINCE_PROCEDURES: readonly ThuTuc[] = generateProvince();

/** What LayDanhSachTTHC lists of a procedure: everything but the legal basis, which only LayThuTuc gives. */
export function listingOf(procedure: ThuTuc): ThuTuc {
  const listed = { ...procedure };
  delete listed.CANCUPHAPLY;
  return listed;
}

/** One simulator's catalogue: the province's list, from which a test withdraws or changes procedures. */
export class SimulatorCatalogue {
  private readonly procedures = new Map<string, ThuTuc>(PROVINCE_PROCEDURES.map((p) => [p.MATTHC, p]));

  list(): ThuTuc[] {
    return [...this.procedures.values()];
  }

  find(maTTHC: string): ThuTuc | undefined {
    return this.procedures.get(maTTHC);
  }

  /** DVCQG no longer lists the procedure (bãi bỏ); false when it did not. */
  withdraw(maTTHC: string): boolean {
    return this.procedures.delete(maTTHC);
  }

  /** DVCQG publishes a new version of the procedure; false when it does not list it. */
  change(maTTHC: string, change: Partial<Omit<ThuTuc, 'MATTHC'>>): boolean {
    const current = this.procedures.get(maTTHC);
    if (!current) return false;
    this.procedures.set(maTTHC, { ...current, ...change });
    return true;
  }

  /** A procedure DVCQG starts listing. */
  add(procedure: ThuTuc): void {
    this.procedures.set(procedure.MATTHC, procedure);
  }
}
