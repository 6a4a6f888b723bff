// Rejects any DTD before parsing: edXML never needs one, and DOCTYPE/ENTITY are the XXE and entity-expansion vectors.
import { EdxmlError } from './errors';

const ENTITY = Buffer.from('ENTITY', 'latin1');
const DOCTYPE = Buffer.from('DOCTYPE', 'latin1');

/** Throws EDXML_ENTITY_FORBIDDEN or EDXML_DOCTYPE_FORBIDDEN if the bytes contain a declaration anywhere. */
export function assertNoDtd(buffer: Buffer): void {
  // Searched over raw bytes: base64 bodies cannot contain '<', so a hit is always markup or markup-like text. Any case
  // counts: XML itself is case-sensitive, but some parsers (sax, which node-soap uses) read `<!doctype` as a DOCTYPE.
  let doctype = false;
  for (let at = buffer.indexOf('<!', 0, 'latin1'); at !== -1; at = buffer.indexOf('<!', at + 2, 'latin1')) {
    if (startsWithIgnoringCase(buffer, at + 2, ENTITY)) {
      throw new EdxmlError('EDXML_ENTITY_FORBIDDEN', 'entity declarations are not allowed in edXML');
    }
    if (startsWithIgnoringCase(buffer, at + 2, DOCTYPE)) doctype = true;
  }
  if (doctype) throw new EdxmlError('EDXML_DOCTYPE_FORBIDDEN', 'DOCTYPE declarations are not allowed in edXML');
}

function startsWithIgnoringCase(buffer: Buffer, offset: number, upperCaseWord: Buffer): boolean {
  if (offset + upperCaseWord.length > buffer.length) return false;
  for (let i = 0; i < upperCaseWord.length; i++) {
    // ASCII letters only: clearing bit 0x20 upper-cases a-z and leaves A-Z alone.
    if ((buffer[offset + i]! & 0xdf) !== upperCaseWord[i]) return false;
  }
  return true;
}
