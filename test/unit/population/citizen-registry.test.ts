import { validateCitizenId } from '../../../src/upstreams/population';
import { createSyntheticRegistry, SAMPLE_CITIZENS } from '../../../testkit/simulators/population';

describe('synthetic citizen registry', () => {
  const citizens = createSyntheticRegistry().all();

  test('holds 50 citizens with valid ids that agree with their birth year and gender', () => {
    expect(citizens).toHaveLength(50);
    expect(new Set(citizens.map((c) => c.soDinhDanh)).size).toBe(50);
    for (const c of citizens) {
      const check = validateCitizenId(c.soDinhDanh, { birthDate: c.ngaySinh ?? undefined, gender: c.gioiTinh === '2' ? 'female' : 'male' });
      expect(check.valid).toBe(true);
    }
  });

  test('names are upper case, with diacritics, in NFC', () => {
    for (const c of citizens) {
      expect(c.hoVaTen).toBe(c.hoVaTen.normalize('NFC'));
      expect(c.hoVaTen).toBe(c.hoVaTen.toLocaleUpperCase('vi'));
    }
    expect(citizens.some((c) => /[ĂÂĐÊÔƠƯÀÁẢÃẠ]/u.test(c.hoVaTen))).toBe(true);
  });

  test('is deterministic and contains the named samples', () => {
    expect(createSyntheticRegistry().all().map((c) => c.soDinhDanh)).toEqual(citizens.map((c) => c.soDinhDanh));
    const registry = createSyntheticRegistry();
    for (const sample of Object.values(SAMPLE_CITIZENS)) expect(registry.find(sample.soDinhDanh)?.hoVaTen).toBe(sample.hoVaTen);
    expect(registry.find('135602342')?.soDinhDanh).toBe(SAMPLE_CITIZENS.daoVanTai.soDinhDanh);
  });
});
