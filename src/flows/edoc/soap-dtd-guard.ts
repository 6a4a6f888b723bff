// Refuses DOCTYPE and ENTITY declarations in a SOAP body by searching the raw bytes (no string copy of a large body).
import { EdxmlError, type EdxmlErrorCode } from '../../upstreams/edxml';
import { assertNoDtd } from '../../upstreams/edxml/dtd-guard';

/** The refusal code when the body carries a DTD, else null. */
export function assertNoDtdOrFail(body: Buffer): EdxmlErrorCode | null {
  try {
    assertNoDtd(body);
    return null;
  } catch (error) {
    if (error instanceof EdxmlError) return error.code;
    throw error;
  }
}
