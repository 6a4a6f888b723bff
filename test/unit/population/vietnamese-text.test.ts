import { nameMatchKey, namesMatch, toRegistryName } from '../../../src/upstreams/population';

describe('Vietnamese name handling', () => {
  const nfc = 'NGUYỄN THỊ THUỶ';
  const nfd = nfc.normalize('NFD');

  test('NFD input differs byte-wise but matches after normalisation', () => {
    expect(nfd).not.toBe(nfc);
    expect(toRegistryName(nfd)).toBe(nfc);
    expect(namesMatch(nfd, nfc)).toBe(true);
  });

  test('upper-cases with diacritics and collapses spaces', () => {
    expect(toRegistryName('  đào   văn tài ')).toBe('ĐÀO VĂN TÀI');
  });

  test('old and new tone placement match (HOÀ / HÒA, THUỶ / THỦY)', () => {
    expect(namesMatch('LÊ THỊ HOÀ', 'Lê Thị Hòa')).toBe(true);
    expect(namesMatch('NGUYỄN THỊ THUỶ', 'NGUYỄN THỊ THỦY')).toBe(true);
  });

  test('different letters or tones do not match', () => {
    expect(namesMatch('ĐÀO VĂN TÀI', 'DAO VAN TAI')).toBe(false);
    expect(namesMatch('ĐÀO VĂN TÀI', 'ĐÀO VĂN TẠI')).toBe(false);
    expect(namesMatch('LÊ THỊ HOÀ', 'LÊ THỊ HOA')).toBe(false);
    expect(nameMatchKey('HỒ')).not.toBe(nameMatchKey('HÔ'));
  });
});
