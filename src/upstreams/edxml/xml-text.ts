// Character-level XML text rules: strict UTF-8 decoding, predefined/numeric entity decoding, escaping for output.
import { EdxmlError } from './errors';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes `buffer[start, end)` as UTF-8, rejecting invalid sequences instead of substituting U+FFFD. */
export function decodeUtf8(buffer: Buffer, start: number, end: number): string {
  try {
    return strictUtf8.decode(buffer.subarray(start, end));
  } catch {
    throw new EdxmlError('EDXML_INVALID_UTF8', `invalid UTF-8 between bytes ${start} and ${end}`);
  }
}

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Replaces predefined and numeric character references; any other entity reference is refused. */
export function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&<\s]*)(;?)/g, (_match, name: string, semicolon: string) => {
    if (semicolon !== ';' || name === '') {
      throw new EdxmlError('EDXML_MALFORMED_XML', `bare '&' in text near "&${name.slice(0, 20)}"`);
    }
    const predefined = PREDEFINED_ENTITIES[name];
    if (predefined !== undefined) return predefined;
    if (name.startsWith('#')) return decodeCharacterReference(name);
    throw new EdxmlError('EDXML_ENTITY_FORBIDDEN', `reference to undeclared entity &${name};`);
  });
}

function decodeCharacterReference(name: string): string {
  const isHex = name[1] === 'x';
  const digits = name.slice(isHex ? 2 : 1);
  const valid = isHex ? /^[0-9a-fA-F]+$/.test(digits) : /^[0-9]+$/.test(digits);
  const codePoint = valid ? Number.parseInt(digits, isHex ? 16 : 10) : NaN;
  if (!isAllowedXmlCodePoint(codePoint)) {
    throw new EdxmlError('EDXML_MALFORMED_XML', `invalid character reference &${name};`);
  }
  return String.fromCodePoint(codePoint);
}

function isAllowedXmlCodePoint(cp: number): boolean {
  if (!Number.isInteger(cp)) return false;
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Escapes element content; also NFC-normalises, since everything the builder writes is NFC. */
export function escapeText(value: string): string {
  return value.normalize('NFC').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

export function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;');
}
