// Writes an edXML document package (QCVN 102:2016, explicit edXML: prefixes, AttachmentEncoded outside the envelope).
import { Readable } from 'node:stream';
import { base64Chunks } from './attachment-body';
import { writeMessageHeader, writeTraceHeaderList } from './header-writer';
import { QCVN_102_2016_NAMESPACE } from './namespaces';
import type { OrganIdPolicy } from './organ-id';
import { validateAttachment, validateMessageHeader, validateTraceHeaderList } from './package-validation';
import type { EdxmlPackage, SignatureBlock } from './types';
import { XmlWriter } from './xml-writer';

export const EDXML_PREFIX = 'edXML';

export interface EdxmlBuildOptions {
  organIdPolicy?: OrganIdPolicy;
}

/**
 * The package as a sequence of chunks. Attachment bodies parsed from a package are yielded as slices of
 * that package's buffer; raw bytes are base64-encoded chunk by chunk. Validates before yielding anything.
 */
export function* renderEdxmlPackage(pkg: EdxmlPackage, options: EdxmlBuildOptions = {}): Generator<Buffer> {
  const policy = options.organIdPolicy ?? 'permissive';
  validateMessageHeader(pkg.header, policy);
  validateTraceHeaderList(pkg.traceHeaderList, policy);
  pkg.attachments.forEach(validateAttachment);

  yield Buffer.from(envelopeText(pkg), 'utf8');
  if (pkg.attachments.length > 0) {
    // AttachmentEncoded and its fields stay unprefixed, in the root's default (QCVN) namespace, as in the official sample.
    const w = new XmlWriter('');
    w.setDepth(1);
    w.open('AttachmentEncoded');
    for (const attachment of pkg.attachments) {
      w.open('Attachment')
        .leaf('ContentId', attachment.contentId)
        .leaf('AttachmentName', attachment.attachmentName)
        .leaf('Description', attachment.description)
        .leaf('ContentType', attachment.contentType)
        .openInline(`${EDXML_PREFIX}:ContentTransferEncoded`, { [`xmlns:${EDXML_PREFIX}`]: QCVN_102_2016_NAMESPACE });
      yield Buffer.from(w.flush(), 'utf8');
      yield* base64Chunks(attachment.body);
      w.closeInline(`${EDXML_PREFIX}:ContentTransferEncoded`).close('Attachment');
    }
    w.close('AttachmentEncoded');
    yield Buffer.from(w.flush(), 'utf8');
  }
  yield Buffer.from('</edXML>\n', 'utf8');
}

/** The whole package in one Buffer (one copy of every attachment's base64 text). */
export function buildEdxmlPackage(pkg: EdxmlPackage, options: EdxmlBuildOptions = {}): Buffer {
  return Buffer.concat([...renderEdxmlPackage(pkg, options)]);
}

/** The package as a byte stream, for sending large packages without assembling them in memory. */
export function streamEdxmlPackage(pkg: EdxmlPackage, options: EdxmlBuildOptions = {}): Readable {
  return Readable.from(renderEdxmlPackage(pkg, options), { objectMode: false });
}

function envelopeText(pkg: EdxmlPackage): string {
  const w = new XmlWriter(EDXML_PREFIX);
  w.raw('<?xml version="1.0" encoding="UTF-8"?>');
  w.raw(`<edXML xmlns="${QCVN_102_2016_NAMESPACE}">`);
  w.setDepth(1);
  w.open('edXMLEnvelope', { [`xmlns:${EDXML_PREFIX}`]: QCVN_102_2016_NAMESPACE });
  w.open('edXMLHeader', signatureNamespaceDeclarations(pkg.signature));
  writeMessageHeader(w, pkg.header);
  writeTraceHeaderList(w, pkg.traceHeaderList);
  // No Signature element is written when the package has none; an empty placeholder is not invented.
  if (pkg.signature) w.raw(pkg.signature.raw);
  w.close('edXMLHeader');
  w.open('edXMLBody').open('edXMLManifest', { version: '1.0' });
  for (const attachment of pkg.attachments) {
    w.open('Reference')
      .leaf('ContentId', attachment.contentId)
      .leaf('ContentType', attachment.contentType)
      .leaf('Description', attachment.description)
      .leaf('AttachmentName', attachment.attachmentName)
      .close('Reference');
  }
  w.close('edXMLManifest').close('edXMLBody');
  w.close('edXMLEnvelope');
  return w.flush();
}

/** Re-declares the prefixes the original Signature inherited, except ones the builder already binds. */
function signatureNamespaceDeclarations(signature: SignatureBlock | undefined): Record<string, string> {
  const declarations: Record<string, string> = {};
  for (const [prefix, uri] of Object.entries(signature?.inheritedNamespaces ?? {})) {
    if (prefix !== EDXML_PREFIX) declarations[`xmlns:${prefix}`] = uri;
  }
  return declarations;
}
