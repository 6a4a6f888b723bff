// Which characters text may hold at the bus's boundaries, by kind of field: the one place the policy is written down.
//
// Every string the bus takes in (every JSON body, at any depth, object keys too) and every string it sends to DVCQG:
//  - is well-formed UTF-16: a lone surrogate (JSON "\ud800") has no UTF-8 form, and systems downstream drop it,
//    replace it or fail on it, each in its own way;
//  - holds no control character (Unicode Cc: C0 U+0000–U+001F, DEL U+007F, C1 U+0080–U+009F) but tab, line feed and
//    carriage return: they have no meaning in administrative text, and they cut or corrupt logs, XML and databases
//    (XML 1.0 cannot carry C0 at all, PostgreSQL refuses NUL);
//  - holds no bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069): Vietnamese
//    administrative text never needs one (the Unicode bidirectional algorithm orders mixed text without them), and
//    they make text shown to an officer read differently from what it holds ("Trojan Source");
//  - holds no noncharacter (U+FDD0–U+FDEF, U+FFFE, U+FFFF and their kin on every plane): not for interchange.
// The kind of a field tightens that rule:
//  - `text`, free text (summaries, notes, addresses, and every string of a generic payload): the rule above;
//  - `name`, one line shown to people (names of persons, units, procedures, files, titles): also no tab, line feed,
//    carriage return, line or paragraph separator (U+2028, U+2029);
//  - `code`, what machines match (identifiers, codes, numbers, dates, e-mail addresses, phone numbers, URLs): also no
//    format character (Unicode Cf: zero-width spaces and joiners, LRM and RLM, soft hyphen, BOM) and no space but
//    U+0020, so that two codes that look the same are the same.
// Such text is refused, never cleaned: a 400 VALIDATION_FAILED naming the field at intake, a final rejection on the
// way to DVCQG. Contracts give a field its kind with `x-text: name | code`; a string without one is `text`.

export type TextKind = 'text' | 'name' | 'code';

export const TEXT_KINDS: readonly TextKind[] = ['text', 'name', 'code'];

const NEVER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\p{Cs}\p{Noncharacter_Code_Point}]/u;
const NOT_IN_NAME = /[\t\n\r\u2028\u2029]/;
const NOT_IN_CODE = /(?!\u0020)[\p{Z}\p{Cf}]/u;

/** What is wrong with the text for its kind, naming the first offending character by code point (never the text). */
export function textViolation(text: string, kind: TextKind): string | null {
  const never = NEVER.exec(text);
  if (never) return `contains ${describe(never[0])}`;
  if (kind === 'text') return null;
  const line = NOT_IN_NAME.exec(text);
  if (line) return `contains ${describe(line[0])}, which ${kind === 'name' ? 'a name' : 'a code'} may not hold`;
  if (kind === 'name') return null;
  const format = NOT_IN_CODE.exec(text);
  return format ? `contains ${describe(format[0])}, which a code may not hold` : null;
}

function describe(character: string): string {
  const codePoint = character.codePointAt(0)!;
  return `${codePointName(codePoint)} (${whatIs(codePoint)})`;
}

function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

function whatIs(codePoint: number): string {
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 'a lone surrogate: the text is not well-formed UTF-16';
  if (codePoint <= 0x1f || codePoint === 0x7f) return 'a C0 control character';
  if (codePoint >= 0x80 && codePoint <= 0x9f) return 'a C1 control character';
  if ((codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069)) return 'a bidirectional control';
  if (codePoint === 0x2028 || codePoint === 0x2029) return 'a line or paragraph separator';
  if (NEVER.test(String.fromCodePoint(codePoint))) return 'a noncharacter';
  return /\p{Cf}/u.test(String.fromCodePoint(codePoint)) ? 'an invisible format character' : 'a space other than U+0020';
}

/** The text with every character the `text` kind refuses written as its code point, safe to show in an answer. */
export function printable(text: string): string {
  return text.replace(new RegExp(NEVER.source, 'gu'), (c) => `<${codePointName(c.codePointAt(0)!)}>`);
}
