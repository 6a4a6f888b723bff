import { isOldIdentityCardNumber, isValidCitizenId, parseCitizenId, validateCitizenId } from '../../../src/upstreams/population';

const now = new Date('2026-01-01T00:00:00Z');

describe('12-digit personal id', () => {
  test('parses the public sample 026092008262: Vĩnh Phúc, male, born 1992', () => {
    expect(parseCitizenId('026092008262')).toEqual({
      provinceCode: '026',
      genderCenturyDigit: 0,
      gender: 'male',
      birthYear: 1992,
      sequence: '008262',
    });
  });

  test.each([
    ['001305012345', 'female', 2005],
    ['079186004321', 'female', 1986],
    ['036048000777', 'male', 1948],
    ['092210000001', 'male', 2010],
  ])('%s → %s born %i', (id, gender, year) => {
    const result = validateCitizenId(id, { now });
    expect(result).toMatchObject({ valid: true, parts: { gender, birthYear: year } });
  });

  test.each([
    ['02609200826', 'not-12-digits'],
    ['0260920082621', 'not-12-digits'],
    ['02609200826a', 'not-12-digits'],
    ['０２６０９２００８２６２', 'not-12-digits'], // full-width digits
    ['003092008262', 'unknown-province'], // 003 is not a GSO province code
    ['099092008262', 'unknown-province'],
    ['026499008262', 'birth-year-in-future'], // G=4 → 2199
    ['026330008262', 'birth-year-in-future'], // G=3, YY=30 → 2030
  ])('%s is rejected: %s', (id, problem) => {
    expect(validateCitizenId(id, { now })).toEqual({ valid: false, problem });
  });

  test('the encoded birth year must agree with the birth date given', () => {
    expect(validateCitizenId('026092008262', { birthDate: '1992-11-22', now }).valid).toBe(true);
    expect(validateCitizenId('026092008262', { birthDate: '1992', now }).valid).toBe(true);
    expect(validateCitizenId('026092008262', { birthDate: '1993-11-22', now })).toEqual({ valid: false, problem: 'birth-year-mismatch' });
    expect(validateCitizenId('026092008262', { birthDate: '2092-11-22', now })).toEqual({ valid: false, problem: 'birth-year-mismatch' });
  });

  test('the encoded gender must agree when given', () => {
    expect(validateCitizenId('001305012345', { gender: 'female', now }).valid).toBe(true);
    expect(validateCitizenId('001305012345', { gender: 'male', now })).toEqual({ valid: false, problem: 'gender-mismatch' });
  });

  test('problems never echo the id', () => {
    expect(JSON.stringify(validateCitizenId('003092008262'))).not.toContain('092008262');
  });

  test('helpers', () => {
    expect(isValidCitizenId('026092008262')).toBe(true);
    expect(isValidCitizenId('123')).toBe(false);
    expect(isOldIdentityCardNumber('135602342')).toBe(true);
    expect(isOldIdentityCardNumber('1356023420')).toBe(false);
  });
});
