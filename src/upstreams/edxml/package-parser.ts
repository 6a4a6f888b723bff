// Parses an edXML document package from one Buffer: typed header, byte-exact Signature, attachment descriptors
// pointing into the same Buffer, and the splice point for the bus's own TraceHeader.
import { assertNoDtd } from './dtd-guard';
import { ElementReader, findDescendant } from './element-reader';
import { EdxmlError } from './errors';
import { HeaderReader } from './header-reader';
import { namespaceKindOf, SOAP_ENVELOPE_NAMESPACE, type EdxmlNamespaceKind } from './namespaces';
import type { OrganIdPolicy } from './organ-id';
import { validateAttachment, validateMessageHeader, validateTraceHeaderList } from './package-validation';
import type { EdxmlAttachment, ManifestReference, ParsedEdxmlPackage, SignatureBlock } from './types';
import { scanXml, type XmlElement } from './xml-scanner';
import { decodeUtf8 } from './xml-text';

export interface EdxmlParseOptions {
  /** Organ id check; default `permissive` (see organ-id.ts). */
  organIdPolicy?: OrganIdPolicy;
}

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const NOT_INTO_ATTACHMENTS = new Set(['AttachmentEncoded']);

/**
 * Parses a package. Pass the Buffer you received: it is not copied, and attachment bodies stay in it
 * as byte ranges (read them with openAttachmentStream). A string input is encoded once to UTF-8.
 */
export function parseEdxmlPackage(input: Buffer | string, options: EdxmlParseOptions = {}): ParsedEdxmlPackage {
  const policy = options.organIdPolicy ?? 'permissive';
  const source = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  assertNoDtd(source);
  const root = scanXml(source);
  assertEdxmlRoot(root);
  const read = new ElementReader(source);
  const headers = new HeaderReader(read);

  const messageHeaderElement = findDescendant(root, (e) => e.localName === 'MessageHeader', 4, NOT_INTO_ATTACHMENTS);
  if (!messageHeaderElement) throw new EdxmlError('EDXML_MISSING_FIELD', 'no MessageHeader element', 'MessageHeader');
  const sourceNamespace = namespaceKindOf(messageHeaderElement.namespaceUri);
  if (!sourceNamespace) {
    throw new EdxmlError('EDXML_UNKNOWN_NAMESPACE', `MessageHeader is in namespace "${messageHeaderElement.namespaceUri}"`, 'MessageHeader');
  }
  // The VXP SDK writes a status packet's fields straight into MessageHeader: a header holding StatusCode is a status.
  if (read.child(messageHeaderElement, 'StatusCode', 'MessageHeader')) {
    throw new EdxmlError('EDXML_STATUS_PACKET', 'MessageHeader holds a StatusCode: this is a status packet', 'MessageHeader');
  }
  const headerContainer = findParent(root, messageHeaderElement);
  const traceListElement = read.child(headerContainer, 'TraceHeaderList', headerContainer.localName);

  const header = headers.messageHeader(messageHeaderElement);
  const traceHeaderList = headers.traceHeaderList(traceListElement);
  validateMessageHeader(header, policy);
  validateTraceHeaderList(traceHeaderList, policy);

  const manifest = readManifest(root, read);
  const attachments = readAttachments(root, read, source, manifest);
  attachments.forEach(validateAttachment);

  return {
    header,
    traceHeaderList,
    signature: readSignature(headerContainer, source),
    attachments,
    sourceNamespace: sourceNamespace satisfies EdxmlNamespaceKind,
    manifest,
    source,
  };
}

function assertEdxmlRoot(root: XmlElement): void {
  if (root.localName === 'edXML') {
    if (!namespaceKindOf(root.namespaceUri)) {
      throw new EdxmlError('EDXML_UNKNOWN_NAMESPACE', `root <edXML> is in namespace "${root.namespaceUri}"`, 'edXML');
    }
    return;
  }
  // The legacy e-doc.vn generation travelled inside a SOAP envelope.
  if (root.localName === 'Envelope' && root.namespaceUri === SOAP_ENVELOPE_NAMESPACE) return;
  throw new EdxmlError('EDXML_NOT_EDXML', `root element <${root.qualifiedName}> is neither edXML nor a SOAP envelope`);
}

function findParent(root: XmlElement, target: XmlElement): XmlElement {
  const parent = findDescendant(root, (e) => e.children.includes(target), 4, NOT_INTO_ATTACHMENTS);
  if (!parent) throw new EdxmlError('EDXML_MALFORMED_XML', 'MessageHeader has no parent element');
  return parent;
}

function readSignature(headerContainer: XmlElement, source: Buffer): SignatureBlock | undefined {
  // Any namespace: the official sample writes <Signature> unprefixed in the edXML default namespace, others use ds:.
  const element = headerContainer.children.find(
    (node): node is XmlElement => node.kind === 'element' && (node.localName === 'Signature' || node.localName === 'DigitalSignature'),
  );
  if (!element) return undefined;
  return {
    raw: decodeUtf8(source, element.startOffset, element.endOffset),
    inheritedNamespaces: inheritedNamespacesUsedBy(element),
  };
}

/**
 * Bindings the subtree uses by prefix but does not declare itself (the default namespace is left to context). Walked
 * with a heap stack: the subtree is the sender's, and its depth is whatever the sender made it.
 */
function inheritedNamespacesUsedBy(element: XmlElement): Record<string, string> {
  const inherited: Record<string, string> = {};
  const pending: { e: XmlElement; declaredInside: ReadonlySet<string> }[] = [{ e: element, declaredInside: new Set() }];
  while (pending.length > 0) {
    const { e, declaredInside } = pending.pop()!;
    const declared = e.declaredNamespaces.size === 0 ? declaredInside : new Set([...declaredInside, ...e.declaredNamespaces.keys()]);
    const prefixes = [e.prefix, ...e.attributes.map((a) => a.prefix)].filter((p) => p !== '' && p !== 'xml');
    for (const prefix of prefixes) {
      if (!declared.has(prefix)) inherited[prefix] = e.inScopeNamespaces.get(prefix) ?? '';
    }
    // Children last first, so that they come off the stack in document order, as a recursive walk would visit them.
    for (let i = e.children.length - 1; i >= 0; i--) {
      const child = e.children[i]!;
      if (child.kind === 'element') pending.push({ e: child, declaredInside: declared });
    }
  }
  return inherited;
}

function readManifest(root: XmlElement, read: ElementReader): ManifestReference[] {
  const manifest = findDescendant(root, (e) => e.localName === 'edXMLManifest' || e.localName === 'Manifest', 4, NOT_INTO_ATTACHMENTS);
  if (!manifest) return [];
  return read.children(manifest, 'Reference').map((reference, i) => {
    const path = `edXMLManifest/Reference[${i + 1}]`;
    return {
      contentId: read.requiredText(reference, 'ContentId', path),
      contentType: read.optionalText(reference, 'ContentType', path),
      description: read.optionalText(reference, 'Description', path),
      attachmentName: read.optionalText(reference, 'AttachmentName', path),
    };
  });
}

function readAttachments(root: XmlElement, read: ElementReader, source: Buffer, manifest: ManifestReference[]): EdxmlAttachment[] {
  const containers = read.children(root, 'AttachmentEncoded');
  const attachmentElements = containers.flatMap((container) => read.children(container, 'Attachment'));
  return attachmentElements.map((element, i) => {
    const path = `AttachmentEncoded/Attachment[${i + 1}]`;
    const contentId = read.requiredText(element, 'ContentId', path);
    const reference = manifest.find((r) => r.contentId === contentId);
    const encoded = read.child(element, 'ContentTransferEncoded', path);
    if (!encoded) throw new EdxmlError('EDXML_MISSING_FIELD', 'attachment has no encoded content', `${path}/ContentTransferEncoded`);
    return {
      contentId,
      // Metadata missing on the attachment falls back to the manifest Reference with the same ContentId.
      attachmentName: read.optionalText(element, 'AttachmentName', path) ?? reference?.attachmentName ?? '',
      contentType: read.optionalText(element, 'ContentType', path) ?? reference?.contentType ?? DEFAULT_CONTENT_TYPE,
      description: read.optionalText(element, 'Description', path) ?? reference?.description,
      body: { kind: 'base64-range', source, ...base64Range(encoded, `${path}/ContentTransferEncoded`) },
    };
  });
}

function base64Range(encoded: XmlElement, path: string): { start: number; end: number } {
  const spans = encoded.children;
  if (spans.length === 0) return { start: encoded.contentStart, end: encoded.contentStart };
  const only = spans[0];
  if (spans.length > 1 || only?.kind !== 'text') {
    throw new EdxmlError('EDXML_INVALID_BASE64', 'encoded content must be one run of base64 text', path);
  }
  return { start: only.start, end: only.end };
}
