// The personal-data protector: which fields it protects, and its canonical JSON (what audit records store and hash),
// written in one walk, against the canonical JSON of its protected copy.
import { randomBytes } from 'node:crypto';
import { canonicalJson, type JsonValue } from '../../../src/core/envelope';
import { decryptField, DEFAULT_PERSONAL_FIELDS, MASK, PersonalDataProtector } from '../../../src/audit/personal-data';

const nfdName = 'Nguye\u0302\u0303n Thi\u0323 Hoa\u0300';

/** A dossier-like value: personal fields by exact name, by prefix and in another case, at several depths and in arrays. */
const dossier: JsonValue = {
  MaHoSo: '000.00.04.H10-261127-0001',
  ChuHoSo: { HoVaTen: nfdName, SoDinhDanh: '079203001234' },
  cha_NgaySinh: '1980-01-01',
  ngaysinhcon: '2020-03-03',
  NgaySinhMe: '1982-02-02',
  DiaChiThuongTru: { Tinh: 'Bình Phước', ChiTiet: ['ấp 3', 'xã Tân Lập'] },
  ThanhPhan: [{ SoDienThoai: '0912345678', TenGiayTo: nfdName }, { Email: null, ghiChu: 'không' }],
  ['Tre\u0301Em']: { CCCD: 42 },
};

describe('personal-data protector', () => {
  test('masks every configured field, by exact name, prefix and any case, at any depth; the rest is kept', () => {
    const masker = new PersonalDataProtector({ mode: 'mask', fields: DEFAULT_PERSONAL_FIELDS });
    expect(masker.protect(dossier)).toEqual({
      MaHoSo: '000.00.04.H10-261127-0001',
      ChuHoSo: MASK,
      cha_NgaySinh: '1980-01-01',
      ngaysinhcon: MASK,
      NgaySinhMe: MASK,
      DiaChiThuongTru: MASK,
      ThanhPhan: [{ SoDienThoai: MASK, TenGiayTo: nfdName }, { Email: null, ghiChu: 'không' }],
      ['Tre\u0301Em']: { CCCD: MASK },
    });
  });

  test('its canonical JSON is the canonical JSON of its protected copy, in NFC, keys sorted', () => {
    for (const fields of [DEFAULT_PERSONAL_FIELDS, ['hovaten', 'Tinh', 'ngaysinh*'], []]) {
      const masker = new PersonalDataProtector({ mode: 'mask', fields });
      expect(masker.canonicalJson(dossier)).toBe(canonicalJson(masker.protect(dossier)));
    }
    const text = new PersonalDataProtector({ mode: 'mask', fields: ['HoVaTen'] }).canonicalJson(dossier);
    expect(text).toContain(`"ChuHoSo":{"HoVaTen":"***","SoDinhDanh":"079203001234"}`);
    expect(text).toContain(`"TenGiayTo":"${nfdName.normalize('NFC')}"`);
    expect(text).toContain('"Tr\u00e9Em":');
  });

  test('in clear mode it is the canonical JSON of the value', () => {
    expect(new PersonalDataProtector({ mode: 'clear', fields: DEFAULT_PERSONAL_FIELDS }).canonicalJson(dossier)).toBe(canonicalJson(dossier));
  });

  test('encrypted fields in its canonical JSON decrypt to the canonical value they replaced', () => {
    const key = randomBytes(32);
    const encrypter = new PersonalDataProtector({ mode: 'encrypt', fields: ['ChuHoSo', 'Email'], encryptionKey: key });
    const stored = JSON.parse(encrypter.canonicalJson(dossier)) as { ChuHoSo: string; ThanhPhan: [unknown, { Email: unknown }] };
    expect(stored.ChuHoSo).toMatch(/^enc:v1:[0-9a-f]{8}:/);
    expect(decryptField('ChuHoSo', stored.ChuHoSo, key)).toEqual({ HoVaTen: nfdName.normalize('NFC'), SoDinhDanh: '079203001234' });
    // A null stays null: there is nothing to protect.
    expect(stored.ThanhPhan[1].Email).toBeNull();
  });
});
