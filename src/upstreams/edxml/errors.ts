// Machine-readable error type for every edXML parse, validation and build failure.

export type EdxmlErrorCode =
  | 'EDXML_DOCTYPE_FORBIDDEN'
  | 'EDXML_ENTITY_FORBIDDEN'
  | 'EDXML_UNSUPPORTED_ENCODING'
  | 'EDXML_INVALID_UTF8'
  | 'EDXML_MALFORMED_XML'
  | 'EDXML_NOT_EDXML'
  | 'EDXML_UNKNOWN_NAMESPACE'
  | 'EDXML_MISSING_FIELD'
  | 'EDXML_DUPLICATE_FIELD'
  | 'EDXML_INVALID_ORGAN_ID'
  | 'EDXML_INVALID_VALUE'
  | 'EDXML_INVALID_STATUS_CODE'
  | 'EDXML_INVALID_BASE64'
  | 'EDXML_STATUS_PACKET';

export class EdxmlError extends Error {
  override readonly name = 'EdxmlError';

  /**
   * @param code  stable code callers branch on
   * @param field slash path of the offending element, e.g. `MessageHeader/To[2]/OrganId`, when one applies
   */
  constructor(
    readonly code: EdxmlErrorCode,
    /** What is wrong, without the code and the field (which answers carry apart). */
    readonly reason: string,
    readonly field?: string,
  ) {
    super(field ? `${code} at ${field}: ${reason}` : `${code}: ${reason}`);
  }
}
