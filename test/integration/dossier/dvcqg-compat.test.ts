// The DVCQG-compatible face played by an OpenCPS-like client written from DVCQG's integration shape (login, the
// envelope, "" for unset values, several dossiers per call): every dossier reaches the DVCQG simulator once, in order,
// its citizen checked; refusals come in DVCQG's error format. And the DVCQG simulator checked against its model
// (contracts/openapi/dvcqg.yaml) both ways: what the model accepts the simulator accepts, the rest it refuses.
import request from 'supertest';
import { waitFor } from '../../../testkit/env';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';
import { TEST_CLIENT } from '../../../testkit/bus-process';
import { SAMPLE_CITIZENS } from '../../../testkit/simulators/population';
import { ContractValidator } from '../../../testkit/simulators/dvcqg/contract-checker';
import { startDvcqgSimulator, DEFAULT_SIMULATOR_CREDENTIALS, type DvcqgSimulator } from '../../../testkit/simulators/dvcqg';

const ACCOUNT = { username: 'motcua-opencps', password: 'mật-khẩu-cổng-tương-thích' } as const;

/** What a one-stop system's DVCQG integration code does: log in, post envelopes, log in again when the session is refused. */
class OpenCpsLikeClient {
  private session = '';
  constructor(private readonly baseUrl: string, private readonly madonvi = '000.00.04.H10') {}

  async login(): Promise<void> {
    const res = await request(this.baseUrl).post('/auth').set('Content-Type', 'application/json').set('Charset', 'utf-8').send(ACCOUNT);
    if (res.body.error_code !== '00') throw new Error(`login refused: ${JSON.stringify(res.body)}`);
    this.session = String(res.body.session);
  }

  async call(endpoint: 'integration' | 'share', body: Record<string, unknown>): Promise<request.Response> {
    if (!this.session) await this.login();
    const send = () => request(this.baseUrl).post(`/${endpoint}`).set('Content-Type', 'application/json').send({ session: this.session, madonvi: this.madonvi, ...body });
    let res = await send();
    if (['SESSION_INVALID', 'SESSION_EXPIRED'].includes(String(res.body.error_code))) {
      await this.login();
      res = await send();
    }
    return res;
  }
}

let counter = 0;
const dossierCode = () => `000.00.04.H10-261204-${String(++counter + Math.floor(Math.random() * 1e6)).padStart(7, '0')}`;

/** A DongBoHoSoMC item as OpenCPS builds it: every value a string, "" for each unset one, dates included. */
function opencpsItem(maHoSo: string, citizen: { soDinhDanh: string; hoVaTen: string; ngaySinh: string }): Record<string, unknown> {
  return {
    MaHoSo: maHoSo,
    MaTTHC: '1.001193',
    TenTTHC: 'Đăng ký khai sinh',
    MaLinhVuc: 'HT',
    TenLinhVuc: 'Hộ tịch',
    KenhThucHien: '2',
    SoBienNhan: '',
    ChuHoSo: citizen.hoVaTen,
    LoaiDoiTuong: '1',
    MaDoiTuong: citizen.soDinhDanh,
    NgaySinhChuHoSo: citizen.ngaySinh.replace(/-/g, ''),
    ThongTinKhac: 'Khu phố 3, phường Tân Phú',
    Email: '',
    Fax: '',
    SoDienThoai: '0912345678',
    TrichYeuHoSo: 'Đăng ký khai sinh cho con',
    NgayTiepNhan: '20261204090000',
    NgayHenTra: '20261207170000',
    TrangThaiHoSo: '2',
    NgayTra: '',
    ThongTinTra: '',
    HinhThuc: '0',
    NgayKetThucXuLy: '',
    DonViXuLy: 'Ủy ban nhân dân phường Tân Phú',
    GhiChu: '',
    TaiLieuNop: [{ TepDinhKemId: 'f-1', TenTepDinhKem: 'To khai.pdf', IsDeleted: 'False', MaThanhPhanHoSo: '', DuongDanTaiTepTin: '' }],
    DanhSachLePhi: [],
    DanhSachTepDinhKemKhac: [{ TenGiayTo: 'Giấy chứng sinh', SoLuong: '1', LoaiGiayTo: '' }],
    DanhSachHoSoBoSung: [],
    DanhSachGiayToKetQua: [],
  };
}

function progressItem(maHoSo: string, step: number, trangThai: string): Record<string, unknown> {
  return {
    MaHoSo: maHoSo,
    NguoiXuLy: 'Nguyễn Văn Bình',
    ChucDanh: 'Công chức tư pháp - hộ tịch',
    ThoiDiemXuLy: `2026120410${String(step).padStart(2, '0')}00`,
    PhongBanXuLy: '',
    NoiDungXuLy: `Bước ${step}`,
    TrangThai: trangThai,
    NgayBatDau: '',
    NgayKetThucTheoQuyDinh: '',
  };
}

const CITIZENS = [SAMPLE_CITIZENS.daoVanTai, SAMPLE_CITIZENS.nguyenThiThuy, SAMPLE_CITIZENS.leThiHoa];

describe.each(['embedded', 'amqp'] as const)('DVCQG-compatible face (%s transport)', (transport) => {
  let world: DossierWorld;
  let face: string;
  let client: OpenCpsLikeClient;

  beforeAll(async () => {
    world = await startDossierWorld({
      transport,
      dossier: { dvcqgCompat: { accounts: [{ username: ACCOUNT.username, password: { value: ACCOUNT.password }, client: TEST_CLIENT }] } },
    });
    face = `${world.buses[0]!.url()}/compat/dvcqg`;
    client = new OpenCpsLikeClient(face);
  });
  afterAll(async () => world?.dispose());

  const stateOf = async (id: string) =>
    (await request(world.buses[0]!.url()).get(`/api/v1/messages/${id}`).set('Authorization', `Bearer ${world.token}`).expect(200)).body as Record<string, unknown>;

  test('several dossiers per call, "" for unset values: each reaches DVCQG once, its citizen checked; progress follows in order', async () => {
    const codes = CITIZENS.map(() => dossierCode());
    const lookupsBefore = world.population.control.received().length;
    const synced = await client.call('integration', { service: 'DongBoHoSoMC', isUpdating: 'False', data: codes.map((code, i) => opencpsItem(code, CITIZENS[i]!)) });
    expect(synced.status).toBe(200);
    expect(synced.body).toMatchObject({ error_code: '00', result: codes.map((MaHoSo) => ({ MaHoSo, messageId: expect.any(String) })) });
    const progressed = await client.call('integration', {
      service: 'CapNhatTienDoHoSoMC',
      data: [progressItem(codes[0]!, 1, '4'), progressItem(codes[1]!, 1, '4'), progressItem(codes[0]!, 2, '9'), progressItem(codes[0]!, 3, '10')],
    });
    expect(progressed.status).toBe(200);
    expect(progressed.body.result).toHaveLength(4);

    for (const id of [...synced.body.result, ...progressed.body.result].map((r: { messageId: string }) => r.messageId)) {
      await waitFor(async () => (await stateOf(id)).state === 'delivered', 30_000, `message ${id} delivered`);
    }
    for (const [i, code] of codes.entries()) {
      const held = world.dvcqg.store.dossier(code)!;
      expect(held.syncCount).toBe(1);
      expect(held.current).toMatchObject({ MaHoSo: code, LoaiDoiTuong: '1', MaDoiTuong: CITIZENS[i]!.soDinhDanh, NgayTiepNhan: '20261204090000', ThongTinKhac: 'Khu phố 3, phường Tân Phú' });
      expect(held.current.DanhSachTepDinhKemKhac).toEqual([{ TenGiayTo: 'Giấy chứng sinh', SoLuong: '1' }]);
      // "" values are not carried as values: DVCQG receives the field unset.
      expect(held.current).not.toHaveProperty('NgayTra');
      expect(held.current).not.toHaveProperty('Email');
    }
    expect(world.dvcqg.store.dossier(codes[0]!)!.progress.map((p) => p.item.NoiDungXuLy)).toEqual(['Bước 1', 'Bước 2', 'Bước 3']);
    expect(world.dvcqg.store.dossier(codes[1]!)!.progress.map((p) => p.item.TrangThai)).toEqual(['4']);
    const lookups = world.population.control.received().slice(lookupsBefore).map((r) => JSON.stringify(r.body));
    for (const citizen of CITIZENS) expect(lookups.some((body) => body.includes(citizen.soDinhDanh))).toBe(true);
  });

  test('the same call sent again (its answer lost) is answered as before and sends nothing new', async () => {
    const code = dossierCode();
    const body = { service: 'DongBoHoSoMC', isUpdating: 'False', data: [opencpsItem(code, SAMPLE_CITIZENS.daoVanTai)] };
    const first = await client.call('integration', body);
    const again = await client.call('integration', body);
    expect(again.body.result[0]).toMatchObject({ messageId: first.body.result[0].messageId, replayed: true });
    await waitFor(async () => (await stateOf(first.body.result[0].messageId)).state === 'delivered', 30_000, 'delivered');
    expect(world.dvcqg.store.dossier(code)!.syncCount).toBe(1);
  });

  test('a citizen the population database does not know: accepted, then rejected with its code; DVCQG never sees it', async () => {
    const code = dossierCode();
    const res = await client.call('integration', { service: 'DongBoHoSoMC', data: [opencpsItem(code, { ...SAMPLE_CITIZENS.daoVanTai, soDinhDanh: '026092999999' })] });
    const id = String(res.body.result[0].messageId);
    const settled = await waitFor(async () => {
      const s = await stateOf(id);
      return s.state === 'rejected' ? s : null;
    }, 30_000, 'rejected');
    expect(settled).toMatchObject({ code: 'CITIZEN_NOT_FOUND' });
    expect(world.dvcqg.store.dossier(code)).toBeUndefined();
  });

  test('the applicant\'s birth date goes through to the population check: its other forms read, a wrong one rejected, "" refused naming it', async () => {
    const citizen = SAMPLE_CITIZENS.daoVanTai; // born 1992-11-22
    const lookupsOf = (from: number) => world.population.control.received().slice(from).map((r) => JSON.stringify(r.body));

    // yyyyMMddHHmmss, as some one-stop systems format every date: read as the day, the citizen found, DVCQG receives it.
    const timed = dossierCode();
    let from = world.population.control.received().length;
    const accepted = await client.call('integration', { service: 'DongBoHoSoMC', data: [{ ...opencpsItem(timed, citizen), NgaySinhChuHoSo: '19921122000000' }] });
    const timedId = String(accepted.body.result[0].messageId);
    await waitFor(async () => (await stateOf(timedId)).state === 'delivered', 30_000, 'delivered');
    expect(lookupsOf(from).some((body) => body.includes(citizen.soDinhDanh) && body.includes('19921122'))).toBe(true);

    // A birth date the population database does not hold for this citizen (the id's own birth year kept): rejected
    // CITIZEN_MISMATCH after the check, which asked with that date; DVCQG never sees the dossier.
    const wrong = dossierCode();
    from = world.population.control.received().length;
    const res = await client.call('integration', { service: 'DongBoHoSoMC', data: [opencpsItem(wrong, { ...citizen, ngaySinh: '1992-11-23' })] });
    const wrongId = String(res.body.result[0].messageId);
    const settled = await waitFor(async () => {
      const s = await stateOf(wrongId);
      return s.state === 'rejected' ? s : null;
    }, 30_000, 'rejected');
    expect(settled).toMatchObject({ code: 'CITIZEN_MISMATCH' });
    expect(lookupsOf(from).some((body) => body.includes(citizen.soDinhDanh) && body.includes('19921123'))).toBe(true);
    expect(world.dvcqg.store.dossier(wrong)).toBeUndefined();

    // "" is unset: a citizen applicant needs a birth date, so the item is refused naming DVCQG's field; nothing accepted.
    const unset = await client.call('integration', { service: 'DongBoHoSoMC', data: [{ ...opencpsItem(dossierCode(), citizen), NgaySinhChuHoSo: '' }] });
    expect(unset.status).toBe(400);
    expect(unset.body).toMatchObject({ error_code: 'VALIDATION_FAILED', field: '/data/0/NgaySinhChuHoSo' });
  });

  test('refusals in DVCQG\'s error format with codes the caller acts on', async () => {
    const wrongLogin = await request(face).post('/auth').send({ username: ACCOUNT.username, password: 'sai' }).expect(401);
    expect(wrongLogin.body).toMatchObject({ error_code: 'INVALID_CREDENTIALS', message: expect.any(String) });

    const badSession = await request(face).post('/integration').send({ session: 'x.y', madonvi: 'm', service: 'TraCuuHoSo', mahoso: 'A' }).expect(401);
    expect(badSession.body).toMatchObject({ error_code: 'SESSION_INVALID', retryable: false });

    const malformed = await request(face).post('/integration').set('Content-Type', 'application/json').send('{"session": ').expect(400);
    expect(malformed.body).toMatchObject({ error_code: 'MALFORMED_JSON' });

    const noService = await request(face).post('/integration').send({ session: 'x' }).expect(400);
    expect(noService.body).toMatchObject({ error_code: 'INVALID_INPUT', field: '/service' });

    const unknown = await client.call('share', { service: 'DongBoHoSoMC', data: [{}] });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error_code: 'UNKNOWN_SERVICE', field: '/service' });

    // One bad item refuses the whole call, naming the item and its field as DVCQG names it; nothing is accepted.
    const good = dossierCode();
    const badDate = await client.call('integration', {
      service: 'DongBoHoSoMC',
      data: [opencpsItem(good, SAMPLE_CITIZENS.daoVanTai), { ...opencpsItem(dossierCode(), SAMPLE_CITIZENS.daoVanTai), NgayTiepNhan: '' }],
    });
    expect(badDate.status).toBe(400);
    expect(badDate.body).toMatchObject({ error_code: 'VALIDATION_FAILED', field: '/data/1/NgayTiepNhan' });
    const badProgress = await client.call('integration', { service: 'CapNhatTienDoHoSoMC', data: [{ ...progressItem(good, 1, '4'), ThoiDiemXuLy: '2026' }] });
    expect(badProgress.body).toMatchObject({ error_code: 'VALIDATION_FAILED', field: '/data/0/ThoiDiemXuLy' });
    const badCitizen = await client.call('integration', { service: 'DongBoHoSoMC', data: [{ ...opencpsItem(dossierCode(), SAMPLE_CITIZENS.daoVanTai), MaDoiTuong: '' }] });
    expect(badCitizen.body).toMatchObject({ error_code: 'VALIDATION_FAILED', field: '/data/0/MaDoiTuong' });
    expect(world.dvcqg.store.dossier(good)).toBeUndefined();
  });

  test('read services through the bus: TraCuuHoSo, LayThuTuc (either endpoint), LayDanhSachTTHC', async () => {
    const code = dossierCode();
    const synced = await client.call('integration', { service: 'DongBoHoSoMC', data: [opencpsItem(code, SAMPLE_CITIZENS.daoVanTai)] });
    await waitFor(async () => (await stateOf(synced.body.result[0].messageId)).state === 'delivered', 30_000, 'delivered');
    const lookup = await client.call('integration', { service: 'TraCuuHoSo', mahoso: code });
    expect(lookup.body).toMatchObject({ error_code: '00', result: [{ MaHoSo: code, TrangThaiHoSo: '2' }] });
    for (const endpoint of ['share', 'integration'] as const) {
      const procedure = await client.call(endpoint, { service: 'LayThuTuc', maTTHC: '1.001193' });
      expect(procedure.body).toMatchObject({ error_code: '00', result: [{ MATTHC: '1.001193', TENTTHC: 'Thủ tục đăng ký khai sinh' }] });
    }
    const list = await client.call('share', { service: 'LayDanhSachTTHC' });
    expect(list.body.error_code).toBe('00');
    expect(list.body.result.length).toBeGreaterThan(1);
  });
});

describe('the DVCQG simulator against its model (contracts/openapi/dvcqg.yaml), both ways', () => {
  let sim: DvcqgSimulator;
  let session: string;
  const model = new ContractValidator('dvcqg');
  beforeAll(async () => {
    sim = await startDvcqgSimulator();
    const login = await request(sim.url).post('/auth').send(DEFAULT_SIMULATOR_CREDENTIALS).expect(200);
    expect(model.check('LoginResponse', login.body)).toEqual({ ok: true });
    session = String(login.body.session);
  });
  afterAll(async () => sim?.close());

  const item = (overrides: Record<string, unknown> = {}) => ({
    MaHoSo: `SIM-${++counter}`,
    MaTTHC: '1.001193',
    TenTTHC: 'Thủ tục đăng ký khai sinh',
    MaLinhVuc: 'HT',
    TenLinhVuc: 'Hộ tịch',
    LoaiDoiTuong: '1',
    TrichYeuHoSo: 'Khai sinh',
    NgayTiepNhan: '20261204090000',
    NgayHenTra: '20261207170000',
    TrangThaiHoSo: '2',
    HinhThuc: '0',
    DonViXuLy: 'UBND phường',
    ...overrides,
  });
  const sync = (data: object[]) => ({ session, madonvi: 'm', service: 'DongBoHoSoMC', isUpdating: 'False', data });

  // Each case: the endpoint, the request schema the model judges it by, the body, and whether deployed clients' use
  // makes it one the model must accept.
  const cases: [string, 'integration' | 'share', string, () => Record<string, unknown>, boolean][] = [
    ['"" for every unset optional date', 'integration', 'DongBoHoSoMCRequest', () => sync([item({ NgayTra: '', NgayKetThucXuLy: '', ThongTinKhac: '', Fax: '', Email: '' })]), true],
    ['the two lists', 'integration', 'DongBoHoSoMCRequest', () => sync([item({ DanhSachTepDinhKemKhac: [{ TenGiayTo: 'Giấy chứng sinh', SoLuong: '1', LoaiGiayTo: '' }], DanhSachHoSoBoSung: [{ HoSoBoSungId: 'b1', NoiDungBoSung: 'Bổ sung', NgayBoSung: '20261205090000', NgayTiepNhanBoSung: '' }] })]), true],
    ['a required date given as ""', 'integration', 'DongBoHoSoMCRequest', () => sync([item({ NgayTiepNhan: '' })]), false],
    ['a date that is not yyyyMMddHHmmss', 'integration', 'DongBoHoSoMCRequest', () => sync([item({ NgayTra: '2026-12-04' })]), false],
    ['an item without MaHoSo', 'integration', 'DongBoHoSoMCRequest', () => sync([item({ MaHoSo: undefined })]), false],
    ['a request for more papers without its date', 'integration', 'DongBoHoSoMCRequest', () => sync([item({ DanhSachHoSoBoSung: [{ HoSoBoSungId: 'b1', NoiDungBoSung: 'x' }] })]), false],
    ['an empty data list', 'integration', 'DongBoHoSoMCRequest', () => sync([]), false],
    ['TraCuuHoSo', 'integration', 'TraCuuHoSoRequest', () => ({ session, madonvi: 'm', service: 'TraCuuHoSo', mahoso: 'SIM-none' }), true],
    ['TraCuuHoSo without mahoso', 'integration', 'TraCuuHoSoRequest', () => ({ session, madonvi: 'm', service: 'TraCuuHoSo' }), false],
    ['LayThuTuc on the share endpoint', 'share', 'LayThuTucRequest', () => ({ session, madonvi: 'm', service: 'LayThuTuc', maTTHC: '1.001193' }), true],
    ['LayThuTuc on the integration endpoint', 'integration', 'LayThuTucRequest', () => ({ session, madonvi: 'm', service: 'LayThuTuc', maTTHC: '1.001193' }), true],
    ['LayThuTuc without maTTHC', 'share', 'LayThuTucRequest', () => ({ session, madonvi: 'm', service: 'LayThuTuc' }), false],
    ['LayDanhSachTTHC', 'share', 'LayDanhSachTTHCRequest', () => ({ session, madonvi: 'm', service: 'LayDanhSachTTHC' }), true],
    ['LayDanhSachTTHC without madonvi', 'integration', 'LayDanhSachTTHCRequest', () => ({ session, service: 'LayDanhSachTTHC' }), false],
  ];

  test.each(cases)('%s: the simulator accepts it exactly when the model does, and answers per the contract', async (_name, endpoint, schema, build, accepted) => {
    const body = JSON.parse(JSON.stringify(build())) as Record<string, unknown>;
    const verdict = model.check(schema, body);
    expect(verdict.ok).toBe(accepted);
    const res = await request(sim.url).post(`/${endpoint}`).send(body);
    if (verdict.ok) {
      expect(res.status).toBe(200);
      const answerSchema = body.service === 'TraCuuHoSo' ? 'TraCuuHoSoResponse' : String(body.service).startsWith('Lay') ? 'LayThuTucResponse' : 'ServiceAck';
      expect(model.check(answerSchema, res.body)).toEqual({ ok: true });
    } else {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error_code: 'INVALID_INPUT' });
      expect(model.check('ErrorResponse', res.body)).toEqual({ ok: true });
    }
  });

});
