// The text policy at the dossier intake, against a real bus and its simulators: lone surrogates, NUL, other C0, C1
// and bidirectional controls are refused 400 VALIDATION_FAILED naming the field, audited, and never reach DVCQG or
// the population database; tabs and line breaks stay allowed in free text.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Bus } from '../../../src/bus';
import { waitFor } from '../../../testkit/env';
import { startDossierWorld, type DossierWorld } from '../../../testkit/worlds/dossier-world';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const dossierCode = () => `000.00.04.H10-261128-${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

/** Each class of refused character, in a field of each kind (code, name, free text). */
const REFUSED: [string, string, string][] = [
  ['a lone surrogate', 'TrichYeuHoSo', 'Đăng ký khai sinh \ud800'],
  ['a lone low surrogate in a name', 'ChuHoSo', 'Đào Văn \udc00Tài'],
  ['NUL', 'ChuHoSo', 'Đào Văn\u0000Tài'],
  ['another C0 control (ESC)', 'GhiChu', 'Ghi chú \u001b[2J'],
  ['DEL', 'SoBienNhan', 'BN-0001\u007f'],
  ['a C1 control (NEL)', 'DonViXuLy', 'Ủy ban nhân dân\u0085phường Tân Phú'],
  ['a right-to-left override', 'TenTTHC', 'Đăng ký khai sinh \u202efdp.exe'],
  ['a bidirectional isolate in a code', 'MaTTHC', '1.001193\u2067'],
  ['a line feed in a name', 'DonViXuLy', 'Ủy ban nhân dân\nphường Tân Phú'],
  ['a zero-width space in a code', 'SoBienNhan', 'BN-\u200b0001'],
  ['NUL in a file name inside a list', 'TaiLieuNop', 'To khai.pdf\u0000.exe'],
];

describe('text policy at the dossier intake', () => {
  let world: DossierWorld;
  let bus: Bus;
  beforeAll(async () => {
    world = await startDossierWorld({ transport: 'embedded' });
    bus = world.buses[0]!;
  });
  afterAll(async () => world?.dispose());

  const post = (url: string, body: unknown) => request(bus.url()).post(url).set('Authorization', `Bearer ${world.token}`).send(body as object);
  const dvcqgSaw = (text: string) => world.dvcqg.control.received().some((r) => JSON.stringify(r.body).includes(text));
  const refusalsAudited = async (pathname: string) =>
    (await bus.audit.search({ step: 'rejected' }, { limit: 1000 })).records.filter((r) => r.errorCode === 'VALIDATION_FAILED' && (r.details ?? '').includes(`"path":"${pathname}"`)).length;

  /** A good dossier sent after the refused ones, delivered: DVCQG had its chance to see them. */
  const deliveredAfter = async () => {
    const maHoSo = dossierCode();
    await post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo }).expect(202);
    await waitFor(() => world.dvcqg.store.dossier(maHoSo), 30_000, 'the good dossier at DVCQG');
  };

  test.each(REFUSED)('a dossier with %s (%s) → 400 VALIDATION_FAILED naming the field, audited, never sent to DVCQG', async (_what, field, value) => {
    const maHoSo = dossierCode();
    const body = field === 'TaiLieuNop' ? { ...sample, MaHoSo: maHoSo, TaiLieuNop: [{ TepDinhKemId: 'f-1', TenTepDinhKem: value }] } : { ...sample, MaHoSo: maHoSo, [field]: value };
    const audited = await refusalsAudited('/api/v1/dossiers');
    const res = await post('/api/v1/dossiers', body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([field === 'TaiLieuNop' ? '/TaiLieuNop/0/TenTepDinhKem' : `/${field}`]);
    expect(res.body.details[0].message).toMatch(/U\+[0-9A-F]{4}/);
    expect(res.text).not.toContain(JSON.stringify(value).slice(1, -1));
    await waitFor(async () => (await refusalsAudited('/api/v1/dossiers')) > audited, 5000, 'the refusal audited');
    await deliveredAfter();
    expect(world.dvcqg.store.dossier(maHoSo)).toBeUndefined();
    expect(dvcqgSaw(maHoSo)).toBe(false);
  });

  test('a progress update with a lone surrogate, NUL, C1 or U+202E → 400 naming the field, never sent to DVCQG', async () => {
    const maHoSo = dossierCode();
    await post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo }).expect(202);
    await waitFor(() => world.dvcqg.store.dossier(maHoSo), 30_000, 'the dossier at DVCQG');
    const step = { MaHoSo: maHoSo, TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Nguyễn Thị Hoà', NoiDungXuLy: 'Chuyển phòng Tư pháp', ThoiGianXuLy: '2026-11-28T10:00:00+07:00' };
    for (const [field, value] of [
      ['NoiDungXuLy', 'Chuyển \ud83d phòng'],
      ['NguoiXuLy', 'Nguyễn\u0000Thị Hoà'],
      ['PhongBanXuLy', 'Phòng\u009bTư pháp'],
      ['ChucDanh', 'Công chức \u202etư pháp'],
    ] as const) {
      const res = await post(`/api/v1/dossiers/${maHoSo}/progress`, { ...step, [field]: value }).expect(400);
      expect({ code: res.body.code, fields: res.body.details.map((d: { field: string }) => d.field) }).toEqual({ code: 'VALIDATION_FAILED', fields: [`/${field}`] });
    }
    const marker = `Bước cuối ${Date.now()}`;
    await post(`/api/v1/dossiers/${maHoSo}/progress`, { ...step, NoiDungXuLy: marker }).expect(202);
    await waitFor(() => dvcqgSaw(marker), 30_000, 'the good progress step at DVCQG');
    expect(world.dvcqg.control.received('CapNhatTienDoHoSoMC').filter((r) => JSON.stringify(r.body).includes(maHoSo))).toHaveLength(1);
  });

  test('a citizen check with such a name → 400 naming hoVaTen, and the population database is not asked', async () => {
    const asked = world.population.control.received().length;
    for (const hoVaTen of ['Đào Văn \ud800Tài', 'Đào Văn\u0000Tài', 'Đào\u0080Văn Tài', 'Đào Văn \u202eTài', 'Đào Văn\tTài']) {
      const res = await post('/api/v1/citizens/verify', { soDinhDanh: '026092008262', hoVaTen, ngaySinh: '1992-11-22' }).expect(400);
      expect({ code: res.body.code, fields: res.body.details.map((d: { field: string }) => d.field) }).toEqual({ code: 'VALIDATION_FAILED', fields: ['/hoVaTen'] });
    }
    expect(world.population.control.received().length).toBe(asked);
  });

  test('tabs and line breaks in free text, and marks such as U+200B in a name, are accepted and reach DVCQG as sent', async () => {
    const maHoSo = dossierCode();
    const note = 'Dòng một\r\n\tDòng hai';
    await post('/api/v1/dossiers', { ...sample, MaHoSo: maHoSo, GhiChu: note, DonViXuLy: 'Ủy ban nhân dân\u200b phường Tân Phú' }).expect(202);
    const stored = await waitFor(() => world.dvcqg.store.dossier(maHoSo), 30_000, 'the dossier at DVCQG');
    expect(stored.current).toMatchObject({ GhiChu: note, DonViXuLy: 'Ủy ban nhân dân\u200b phường Tân Phú' });
  });

  test('a key holding a control character is refused too, the answer naming it by code point', async () => {
    const res = await post('/api/v1/dossiers', { ...sample, MaHoSo: dossierCode(), ['Ghi\u0000Chu']: 'x' }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details[0]).toEqual({ field: '/Ghi<U+0000>Chu', message: expect.stringContaining('its property name contains U+0000') });
  });
});
