// Shapes of the SOAP messages on the wire (contracts/wsdl/population.wsdl): what the client writes (soap-envelope.ts)
// and reads (soap-answer.ts), and what the simulator's `soap` server reads and writes.

/** Birth date in a request or answer: yyyyMMdd in NgayThangNam, or only the year in Nam (§3.3). */
export interface NgayThangNamSinhWire {
  Nam?: string;
  NgayThangNam?: string;
}

/** dan:TraCuuThongTinCongDan, service 037. Keys are in schema order, the order soap-envelope.ts writes them in. */
export interface TraCuuThongTinCongDanWire {
  MaYeuCau: string;
  MaDVC: string;
  MaTichHop: string;
  MaCanBo: string;
  MaDonVi?: string;
  TaiKhoan?: string;
  SoDienThoai?: string;
  SoDinhDanh?: string;
  SoCMND?: string;
  HoVaTen: string;
  NgayThangNamSinh: NgayThangNamSinhWire;
}

/** dan:XacThucThongTinCongDanRequest, service 033. */
export interface XacThucThongTinCongDanRequestWire {
  MaYeuCau: string;
  MaDichVu: string;
  MaCanBo: string;
  SoDinhDanh?: string;
  SoCMND?: string;
  HoVaTen: string;
  NgayThangNamSinh?: NgayThangNamSinhWire;
}

/** dan:KetQuaXacThucResponse. */
export interface KetQuaXacThucResponseWire {
  TonTai: boolean;
}

export interface HoVaTenWire {
  Ho?: string;
  ChuDem?: string;
  Ten?: string;
}

export interface DiaChiWire {
  MaTinhThanh?: string;
  MaQuanHuyen?: string;
  MaPhuongXa?: string;
  TenTinhThanh?: string;
  TenQuanHuyen?: string;
  TenPhuongXa?: string;
  ChiTiet?: string;
  QuocGia?: string;
}

export interface NguoiThanWire {
  HoVaTen?: HoVaTenWire;
  QuocTich?: string;
  SoDinhDanh?: string;
  SoCMND?: string;
}

export interface ChuHoWire {
  QuanHe?: string;
  SoDinhDanh?: string;
  SoCMND?: string;
  HoVaTen?: HoVaTenWire;
}

export interface CongDanWire {
  SoDinhDanh: string;
  SoCMND?: string;
  HoVaTen: HoVaTenWire;
  GioiTinh?: string;
  DanToc?: string;
  TonGiao?: string;
  TinhTrangHonNhan?: string;
  NhomMau?: string;
  NgayThangNamSinh?: NgayThangNamSinhWire;
  NoiDangKyKhaiSinh?: DiaChiWire;
  QueQuan?: DiaChiWire;
  ThuongTru?: DiaChiWire;
  NoiOHienTai?: DiaChiWire;
  Cha?: NguoiThanWire;
  Me?: NguoiThanWire;
  VoChong?: NguoiThanWire;
  NguoiDaiDien?: NguoiThanWire;
  ChuHo?: ChuHoWire;
  SoSoHoKhau?: string;
  QuocTich?: string;
}

/** Result codes of the bus's CongdanCollection extension attribute MaKetQua (see the XSD). */
export const LOOKUP_RESULT_CODE = { found: '00', notFound: '01', mismatch: '02' } as const;

/** Request field names that may be listed in TruongKhongKhop. */
export type MismatchWireField = 'HoVaTen' | 'NgayThangNamSinh';

export interface CongdanCollectionAttributesWire {
  SoCongDan?: string;
  GhiChu?: string;
  ThoiDiemDuLieu?: string;
  id?: string;
  MaKetQua?: string;
  TruongKhongKhop?: string;
}

/** dc:CongdanCollection, the 037 answer; `attributes` carries its XML attributes (in soap-answer.ts as in the `soap` package). */
export interface CongdanCollectionWire {
  attributes?: CongdanCollectionAttributesWire;
  CongDan?: CongDanWire[];
}

export const SERVICE_CODE = { lookup: '037', verify: '033' } as const;
