// Takes the edXML package out of a SOAP SendEdoc request's raw bytes before node-soap parses it. node-soap reads a body
// as one string and parses it in one go (sax), then the base64 is decoded in one call: a 50 MB envelope held the event
// loop for seconds and took several copies of itself in memory. Here the envelope is scanned as bytes (no copy), the
// package decoded in place, 1 MiB per step with the event loop let run between them, and node-soap gets the envelope
// without it.
import { Base64RangeReader, EdxmlError } from '../../upstreams/edxml';
import { scanXml, type XmlElement } from '../../upstreams/edxml/xml-scanner';
import { BYTES_PER_TURN, nextTurn } from './event-loop-turns';

/** Target namespace of contracts/xsd/edoc-service.xsd (elementFormDefault qualified). */
const EDOC_SERVICE_NAMESPACE = 'urn:lgsp:edoc:1.0';
const SOAP_ENVELOPE_NAMESPACES = new Set(['http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope']);
const AMPERSAND = 0x26;

export type SendEdocParts =
  /** A SendEdoc whose edXML is one run of base64: the envelope without it, and the decoded package. */
  | { kind: 'send-edoc'; envelope: Buffer; edxml: Buffer }
  /** Another operation, or an edXML written with entity references or CDATA: node-soap reads the body as it is. */
  | { kind: 'other' }
  /** Not well-formed XML. */
  | { kind: 'malformed' }
  /** The edXML field is not base64. */
  | { kind: 'invalid-base64'; message: string };

const elementsOf = (element: XmlElement): XmlElement[] => element.children.filter((node): node is XmlElement => node.kind === 'element');

/**
 * Splits a SendEdoc request. `body` is decoded in place: the package ends up in the bytes where its base64 was, so
 * only the envelope around it is copied. This is safe because base64 decodes to fewer bytes than it reads: each
 * decoded chunk lands before the point the decoder has already read up to, on bytes it never reads again.
 */
export async function takeApartSendEdoc(body: Buffer): Promise<SendEdocParts> {
  let root: XmlElement;
  try {
    root = scanXml(body);
  } catch (error) {
    if (error instanceof EdxmlError && error.code === 'EDXML_MALFORMED_XML') return { kind: 'malformed' };
    // Anything else the byte scanner refuses (a declared non-UTF-8 encoding) is left to node-soap, as before.
    if (error instanceof EdxmlError) return { kind: 'other' };
    throw error;
  }
  if (root.localName !== 'Envelope' || !SOAP_ENVELOPE_NAMESPACES.has(root.namespaceUri)) return { kind: 'other' };
  const soapBody = elementsOf(root).find((e) => e.localName === 'Body' && e.namespaceUri === root.namespaceUri);
  const operation = soapBody ? elementsOf(soapBody)[0] : undefined;
  if (operation?.localName !== 'SendEdoc' || operation.namespaceUri !== EDOC_SERVICE_NAMESPACE) return { kind: 'other' };
  const fields = elementsOf(operation).filter((e) => e.localName === 'edXML');
  const text = fields.length === 1 && fields[0]!.children.length === 1 ? fields[0]!.children[0] : undefined;
  if (text?.kind !== 'text' || text.cdata) return { kind: 'other' };
  const ampersand = body.indexOf(AMPERSAND, text.start);
  if (ampersand !== -1 && ampersand < text.end) return { kind: 'other' };

  const envelope = Buffer.concat([body.subarray(0, text.start), body.subarray(text.end)]);
  const reader = new Base64RangeReader({ kind: 'base64-range', source: body, start: text.start, end: text.end });
  let written = 0;
  try {
    do {
      written += reader.read(BYTES_PER_TURN, body, text.start + written);
      if (!reader.done) await nextTurn();
    } while (!reader.done);
  } catch (error) {
    if (error instanceof EdxmlError) return { kind: 'invalid-base64', message: 'edXML is not valid base64' };
    throw error;
  }
  return { kind: 'send-edoc', envelope, edxml: body.subarray(text.start, text.start + written) };
}
