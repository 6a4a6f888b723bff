// Unicode handling for Vietnamese names: NFC normalisation of whole values and a comparison key for names.

/** The five tone marks (huyền, sắc, ngã, hỏi, nặng) as NFD combining characters. */
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;

/** NFC, upper case (vi), single spaces, trimmed: the form CSDL dân cư stores names in (§6). */
export function toRegistryName(name: string): string {
  return name.normalize('NFC').toLocaleUpperCase('vi').replace(/\s+/gu, ' ').trim();
}

/**
 * A key under which two spellings of the same name are equal: NFC vs NFD input, case, spacing, and
 * old vs new tone placement ("HOÀ" / "HÒA", "THUỶ" / "THỦY"), which survive NFC (§6). Each syllable's
 * tone mark is taken off its vowel and appended to the syllable; other diacritics (Ă Â Ê Ô Ơ Ư Đ) stay.
 */
export function nameMatchKey(name: string): string {
  return toRegistryName(name)
    .split(' ')
    .map((syllable) => {
      const decomposed = syllable.normalize('NFD');
      const tones = decomposed.match(TONE_MARKS) ?? [];
      return decomposed.replace(TONE_MARKS, '').normalize('NFC') + tones.join('');
    })
    .join(' ');
}

export function namesMatch(a: string, b: string): boolean {
  return nameMatchKey(a) === nameMatchKey(b);
}
