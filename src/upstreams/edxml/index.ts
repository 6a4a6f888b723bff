// Public API of the edXML module: parse and build document packages and status messages, stream attachments, append trace headers.
export { EdxmlError, type EdxmlErrorCode } from './errors';
export { QCVN_102_2016_NAMESPACE, LEGACY_EDOC_NAMESPACE, type EdxmlNamespaceKind } from './namespaces';
export { isValidOrganId, type OrganIdPolicy } from './organ-id';
export { parseEdxmlPackage, type EdxmlParseOptions } from './package-parser';
export { buildEdxmlPackage, renderEdxmlPackage, streamEdxmlPackage, type EdxmlBuildOptions } from './package-builder';
export { openAttachmentStream, checkAttachmentBase64, decodedByteLength, Base64RangeReader } from './attachment-body';
export { formatEdxmlTimestamp } from './timestamp';
export { parseEdxmlStatus, type EdxmlStatusParseOptions } from './status-parser';
export { buildEdxmlStatus, type EdxmlStatusBuildOptions } from './status-builder';
export { STATUS_CODES, isEdxmlStatusCode, type EdxmlStatusCode, type EdxmlStatusMessage } from './status-message';
export * from './types';
