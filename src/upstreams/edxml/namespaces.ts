// Namespace URIs of the two edXML generations and of the SOAP envelope the legacy one travelled in.

/** QCVN 102:2016/BTTTT packet namespace; the builder always writes this one. */
export const QCVN_102_2016_NAMESPACE = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

/** Pre-2016 e-doc.vn namespace (Bkav SDK `EDXML_NS`), read but never written. */
export const LEGACY_EDOC_NAMESPACE = 'http://www.e-doc.vn/Schema/';

export const SOAP_ENVELOPE_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';

export type EdxmlNamespaceKind = 'qcvn-102-2016' | 'legacy-edoc';

export function namespaceKindOf(uri: string): EdxmlNamespaceKind | undefined {
  if (uri === QCVN_102_2016_NAMESPACE) return 'qcvn-102-2016';
  if (uri === LEGACY_EDOC_NAMESPACE) return 'legacy-edoc';
  return undefined;
}
