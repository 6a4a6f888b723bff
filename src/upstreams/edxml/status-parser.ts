// Parses an edXML status message in either namespace and either shape: the VXP SDK's (fields straight under
// edXMLHeader/MessageHeader) or the legacy one (fields inside a <Status> wrapper).
import { assertNoDtd } from './dtd-guard';
import { ElementReader, findDescendant } from './element-reader';
import { EdxmlError } from './errors';
import { HeaderReader } from './header-reader';
import { namespaceKindOf } from './namespaces';
import type { OrganIdPolicy } from './organ-id';
import { requireOrganId, requireValue, validateOrgan } from './package-validation';
import { isEdxmlStatusCode, type EdxmlStatusMessage } from './status-message';
import { scanXml, type XmlElement } from './xml-scanner';

export interface EdxmlStatusParseOptions {
  organIdPolicy?: OrganIdPolicy;
}

export function parseEdxmlStatus(input: Buffer | string, options: EdxmlStatusParseOptions = {}): EdxmlStatusMessage {
  const policy = options.organIdPolicy ?? 'permissive';
  const source = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  assertNoDtd(source);
  const root = scanXml(source);
  const read = new ElementReader(source);
  const headers = new HeaderReader(read);

  const block = locateStatusBlock(root);
  if (!namespaceKindOf(block.namespaceUri)) {
    throw new EdxmlError('EDXML_UNKNOWN_NAMESPACE', `status block is in namespace "${block.namespaceUri}"`, 'Status');
  }
  // Error paths name the block the sender wrote: MessageHeader/… for the SDK shape, Status/… for the wrapped one.
  const path = block.localName;
  const responseForElement = read.child(block, 'ResponseFor', path);
  if (!responseForElement) throw new EdxmlError('EDXML_MISSING_FIELD', 'required element is missing', `${path}/ResponseFor`);
  const rawCode = read.requiredText(block, 'StatusCode', path);
  requireValue(rawCode, `${path}/StatusCode`);
  // Single-digit codes ("1") from lax senders are read as their two-digit form ("01").
  const statusCode = /^\d$/.test(rawCode) ? `0${rawCode}` : rawCode;
  if (!isEdxmlStatusCode(statusCode)) {
    throw new EdxmlError('EDXML_INVALID_STATUS_CODE', `"${rawCode}" is not a known status code`, `${path}/StatusCode`);
  }

  const message: EdxmlStatusMessage = {
    responseFor: headers.responseFor(responseForElement, `${path}/ResponseFor`),
    from: headers.organ(read.child(block, 'From', path), `${path}/From`),
    statusCode,
    description: read.optionalText(block, 'Description', path),
    timestamp: read.requiredText(block, 'Timestamp', path),
    staffInfo: headers.staffInfo(read.child(block, 'StaffInfo', path), `${path}/StaffInfo`),
  };
  requireOrganId(message.responseFor.organId, `${path}/ResponseFor/OrganId`, policy);
  requireValue(message.responseFor.documentId, `${path}/ResponseFor/DocumentId`);
  validateOrgan(message.from, `${path}/From`, policy);
  requireValue(message.timestamp, `${path}/Timestamp`);
  return message;
}

/**
 * The element whose children are StatusCode, ResponseFor, …: a <Status> wrapper if present, else StatusCode's parent
 * (MessageHeader in the SDK shape).
 */
function locateStatusBlock(root: XmlElement): XmlElement {
  const wrapper = findDescendant(root, (e) => e.localName === 'Status', 5);
  if (wrapper) return wrapper;
  const parent = findDescendant(
    root,
    (e) => e.children.some((child) => child.kind === 'element' && child.localName === 'StatusCode'),
    5,
  );
  if (!parent) throw new EdxmlError('EDXML_NOT_EDXML', 'no status block (no StatusCode element) found', 'Status');
  return parent;
}
