// The small DVCQG procedure catalogue (TTHC) the reference simulator answers LayThuTuc from.
import type { ThuTuc } from '../../../src/upstreams/dvcqg/contract-types';

const HO_TICH = { MALINHVUC: 'HT', TENLINHVUC: 'Hộ tịch' };

export const SIMULATOR_PROCEDURES: readonly ThuTuc[] = [
  { MATTHC: '1.001193', TENTTHC: 'Thủ tục đăng ký khai sinh', LINHVUCTHUCHIEN: [HO_TICH], COQUANTHUCHIEN: 'Ủy ban nhân dân cấp xã', THOIGIANGIAIQUYET: 'Ngay trong ngày làm việc' },
  { MATTHC: '1.000894', TENTTHC: 'Thủ tục đăng ký kết hôn', LINHVUCTHUCHIEN: [HO_TICH], COQUANTHUCHIEN: 'Ủy ban nhân dân cấp xã', THOIGIANGIAIQUYET: 'Ngay trong ngày làm việc' },
  { MATTHC: '1.000656', TENTTHC: 'Thủ tục cấp Giấy xác nhận tình trạng hôn nhân', LINHVUCTHUCHIEN: [HO_TICH], COQUANTHUCHIEN: 'Ủy ban nhân dân cấp xã', THOIGIANGIAIQUYET: '03 ngày làm việc' },
  { MATTHC: '1.000689', TENTTHC: 'Thủ tục đăng ký khai tử', LINHVUCTHUCHIEN: [HO_TICH], COQUANTHUCHIEN: 'Ủy ban nhân dân cấp xã', THOIGIANGIAIQUYET: 'Ngay trong ngày làm việc' },
  { MATTHC: '2.001610', TENTTHC: 'Đăng ký thành lập hộ kinh doanh', LINHVUCTHUCHIEN: [{ MALINHVUC: 'TLDN', TENLINHVUC: 'Thành lập và hoạt động của doanh nghiệp' }], COQUANTHUCHIEN: 'Phòng Tài chính - Kế hoạch cấp huyện', THOIGIANGIAIQUYET: '03 ngày làm việc' },
  { MATTHC: '1.004227', TENTTHC: 'Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ', LINHVUCTHUCHIEN: [{ MALINHVUC: 'HDXD', TENLINHVUC: 'Hoạt động xây dựng' }], COQUANTHUCHIEN: 'Ủy ban nhân dân cấp huyện', THOIGIANGIAIQUYET: '15 ngày' },
  { MATTHC: '1.003003', TENTTHC: 'Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất', LINHVUCTHUCHIEN: [{ MALINHVUC: 'DD', TENLINHVUC: 'Đất đai' }], COQUANTHUCHIEN: 'Văn phòng đăng ký đất đai', THOIGIANGIAIQUYET: '10 ngày' },
];

export function findProcedure(maTTHC: string): ThuTuc | undefined {
  return SIMULATOR_PROCEDURES.find((p) => p.MATTHC === maTTHC);
}
