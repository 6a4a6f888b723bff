// Rejects any DTD before parsing: edXML never needs one, and DOCTYPE/ENTITY are the XXE and entity-expansion vectors.
import { EdxmlError } from './errors';

const ENTITY_MARKERS = ['<!ENTITY', '<!entity'];
const DOCTYPE_MARKERS = ['<!DOCTYPE', '<!doctype'];

/** Throws EDXML_ENTITY_FORBIDDEN or EDXML_DOCTYPE_FORBIDDEN if the bytes contain a declaration anywhere. */
export function assertNoDtd(buffer: Buffer): void {
  // Searched over raw bytes: base64 bodies cannot contain '<', so a hit is always markup or markup-like text.
  for (const marker of ENTITY_MARKERS) {
    if (buffer.indexOf(marker, 0, 'latin1') !== -1) {
      throw new EdxmlError('EDXML_ENTITY_FORBIDDEN', 'entity declarations are not allowed in edXML');
    }
  }
  for (const marker of DOCTYPE_MARKERS) {
    if (buffer.indexOf(marker, 0, 'latin1') !== -1) {
      throw new EdxmlError('EDXML_DOCTYPE_FORBIDDEN', 'DOCTYPE declarations are not allowed in edXML');
    }
  }
}
