// Verifies the XML-DSig signature of an edXML package (RSA-SHA1/RSA-SHA256, X.509 in KeyInfo) with xml-crypto, and
// judges the signer's certificate against a trust store. Only an enveloped signature over the whole document is
// accepted, so whatever the bus reads from the package (header, manifest, attachments) is what was signed.
import { X509Certificate } from './x509';
import { SignedXml } from 'xml-crypto';
import { EdxmlError } from './errors';
import type { SignerFacts, TrustStore } from './trust-store';
import { reduceLargeRuns, runFillingDigests } from './signature-holes';
import { scanXml, type XmlElement } from './xml-scanner';
import { decodeEntities, decodeUtf8 } from './xml-text';

export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';

/**
 * valid: signed, intact, signer trusted; unsigned: no signature; invalid: a signature that does not verify (content,
 * attachment or signature value changed, or a form this bus does not accept); untrusted: the signer's chain does not
 * reach a trust-store CA; expired: the signer's certificate was not valid at the check; revoked: listed on its CA's CRL.
 */
export type SignatureOutcome = 'valid' | 'unsigned' | 'invalid' | 'untrusted' | 'expired' | 'revoked';

export interface SignatureCheck {
  outcome: SignatureOutcome;
  /** Why it is not valid (absent when valid). */
  reason?: string;
  /** The certificate the signature names, once its signature value verified. */
  signer?: SignerFacts;
  /** SignatureMethod algorithm URI. */
  algorithm?: string;
  checkedAt: string;
}

const SIGNATURE_METHODS = new Set([
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const CANONICALIZATIONS = new Set([
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
]);
/** Where edXML producers put the signature. */
const SIGNATURE_PARENTS = new Set(['edXMLHeader', 'edXMLEnvelope', 'Header']);

class NotVerifiable extends Error {}

/** Checks the package's signature; `source` is the package exactly as received. */
export async function verifyEdxmlSignature(source: Buffer, trust: TrustStore, at: Date = new Date()): Promise<SignatureCheck> {
  const checkedAt = at.toISOString();
  let located: LocatedSignature | null;
  try {
    located = locateSignature(source);
  } catch (error) {
    if (error instanceof NotVerifiable) return { outcome: 'invalid', reason: error.message, checkedAt };
    throw error;
  }
  if (!located) return { outcome: 'unsigned', reason: 'the package carries no signature', checkedAt };
  const { algorithm, signer, intermediates } = located;
  const failure = checkXmlSignature(source, located);
  if (failure !== null) return { outcome: 'invalid', reason: failure, algorithm, checkedAt };
  const verdict = await trust.evaluate(signer, intermediates, at);
  return verdict.outcome === 'valid'
    ? { outcome: 'valid', signer: verdict.signer, algorithm, checkedAt }
    : { outcome: verdict.outcome, reason: verdict.reason, signer: verdict.signer, algorithm, checkedAt };
}

interface LocatedSignature {
  /** The document's root element, as scanned. */
  root: XmlElement;
  element: XmlElement;
  algorithm: string;
  signer: X509Certificate;
  intermediates: X509Certificate[];
}

/**
 * Finds the one XML-DSig Signature and checks its form: where it sits, nothing but XML-DSig inside it and no Object,
 * one Reference to the whole document (URI="") with the enveloped-signature transform and canonicalisation only, and
 * X.509 certificates in KeyInfo. Null when the package is unsigned.
 */
function locateSignature(source: Buffer): LocatedSignature | null {
  let root: XmlElement;
  try {
    root = scanXml(source);
  } catch (error) {
    if (error instanceof EdxmlError) throw new NotVerifiable(error.message);
    throw error;
  }
  const signatures: { element: XmlElement; parent: XmlElement | null }[] = [];
  const foreign: XmlElement[] = [];
  walk(root, (element, parent) => {
    if (element.localName !== 'Signature' && element.localName !== 'DigitalSignature') return;
    if (element.namespaceUri === XMLDSIG_NAMESPACE && element.localName === 'Signature') signatures.push({ element, parent });
    else if (parent && SIGNATURE_PARENTS.has(parent.localName)) foreign.push(element);
  });
  if (signatures.length === 0) {
    if (foreign.length > 0) throw new NotVerifiable(`<${foreign[0]!.qualifiedName}> is not an XML-DSig signature (namespace ${XMLDSIG_NAMESPACE})`);
    return null;
  }
  if (signatures.length > 1) throw new NotVerifiable(`the package holds ${signatures.length} XML-DSig signatures; one is accepted`);
  const { element, parent } = signatures[0]!;
  if (!parent || !SIGNATURE_PARENTS.has(parent.localName)) throw new NotVerifiable('the signature is not in edXMLHeader or edXMLEnvelope');
  walk(element, (e) => {
    if (e.namespaceUri !== XMLDSIG_NAMESPACE) throw new NotVerifiable(`<${e.qualifiedName}> inside the signature is not XML-DSig`);
    if (e.localName === 'Object' || e.localName === 'Manifest') throw new NotVerifiable(`the signature carries <${e.qualifiedName}>, which is not accepted`);
  });
  const signedInfo = only(element, 'SignedInfo');
  const algorithm = attribute(only(signedInfo, 'SignatureMethod'), 'Algorithm');
  if (!SIGNATURE_METHODS.has(algorithm)) throw new NotVerifiable(`signature method ${algorithm} is not accepted (RSA-SHA1, RSA-SHA256, RSA-SHA512)`);
  const references = childElements(signedInfo, 'Reference');
  if (references.length !== 1) throw new NotVerifiable(`the signature has ${references.length} references; one to the whole document is accepted`);
  const reference = references[0]!;
  if (attribute(reference, 'URI') !== '') throw new NotVerifiable('the signature does not cover the whole document (Reference URI is not "")');
  const transforms = childElements(reference, 'Transforms').flatMap((t) => childElements(t, 'Transform')).map((t) => attribute(t, 'Algorithm'));
  if (!transforms.includes(ENVELOPED)) throw new NotVerifiable('the signature reference lacks the enveloped-signature transform');
  const other = transforms.find((t) => t !== ENVELOPED && !CANONICALIZATIONS.has(t));
  if (other !== undefined) throw new NotVerifiable(`transform ${other} is not accepted`);
  const certificates = childElements(only(element, 'KeyInfo'), 'X509Data')
    .flatMap((data) => childElements(data, 'X509Certificate'))
    .map((c) => parseCertificate(textOf(source, c)));
  if (certificates.length === 0) throw new NotVerifiable('KeyInfo carries no X.509 certificate');
  // The signer is the certificate that issued none of the others.
  const signer = certificates.find((c) => !certificates.some((other) => other !== c && other.issuer === c.subject)) ?? certificates[0]!;
  return { root, element, algorithm, signer, intermediates: certificates.filter((c) => c !== signer) };
}

/**
 * Runs xml-crypto's core validation with the signer's key, the package's large base64 runs hashed from its bytes
 * (signature-holes.ts); null when it holds, else why not.
 */
function checkXmlSignature(source: Buffer, located: LocatedSignature): string | null {
  const signed = new SignedXml({ publicCert: located.signer.toString('pem'), getCertFromKeyInfo: () => null });
  try {
    signed.loadSignature(standaloneSignature(source, located.element));
    const reduced = reduceLargeRuns(source, source[0] === 0xef && source[1] === 0xbb && source[2] === 0xbf ? 3 : 0, located.root, located.element);
    if (reduced.runs.length > 0) Object.assign(signed.HashAlgorithms, runFillingDigests(source, reduced.runs));
    if (!signed.checkSignature(reduced.xml)) {
      const failed = signed.getReferences().find((r) => r.validationError);
      return failed?.validationError ? `the signed content was changed: ${failed.validationError.message.replace(/ calculated digest is.*$/, ' digest does not match')}` : 'a reference does not verify';
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return /signature value .* is incorrect/.test(message) ? 'the signature value does not verify with the signer\'s key' : `the signature cannot be checked: ${message}`;
  }
  // What was verified must be the one whole-document reference checked above, nothing else.
  if (signed.getSignedReferences().length !== 1) return 'the signature does not cover exactly the whole document';
  return null;
}

/** The Signature element's bytes with the namespace bindings it inherits declared on it, parseable on their own. */
function standaloneSignature(source: Buffer, element: XmlElement): string {
  const raw = decodeUtf8(source, element.startOffset, element.endOffset);
  const declarations = [...element.inScopeNamespaces]
    .filter(([prefix]) => prefix !== 'xml' && !element.declaredNamespaces.has(prefix))
    .map(([prefix, uri]) => ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${uri.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"`)
    .join('');
  const nameEnd = 1 + element.qualifiedName.length;
  return raw.slice(0, nameEnd) + declarations + raw.slice(nameEnd);
}

function parseCertificate(base64: string): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(base64.replace(/\s+/g, ''), 'base64'));
  } catch {
    throw new NotVerifiable('an X509Certificate in KeyInfo is not a certificate');
  }
}

/** Visits every element under `root` (itself included) with its parent; a heap stack, as the depth is the sender's. */
function walk(root: XmlElement, visit: (element: XmlElement, parent: XmlElement | null) => void): void {
  const pending: { e: XmlElement; parent: XmlElement | null }[] = [{ e: root, parent: null }];
  while (pending.length > 0) {
    const { e, parent } = pending.pop()!;
    visit(e, parent);
    for (const child of e.children) if (child.kind === 'element') pending.push({ e: child, parent: e });
  }
}

function childElements(parent: XmlElement, localName: string): XmlElement[] {
  return parent.children.filter((n): n is XmlElement => n.kind === 'element' && n.localName === localName && n.namespaceUri === XMLDSIG_NAMESPACE);
}

function only(parent: XmlElement, localName: string): XmlElement {
  const found = childElements(parent, localName);
  if (found.length !== 1) throw new NotVerifiable(`<${parent.localName}> has ${found.length} <${localName}> elements; one is required`);
  return found[0]!;
}

function attribute(element: XmlElement, name: string): string {
  const value = element.attributes.find((a) => a.localName === name && a.namespaceUri === '')?.value;
  if (value === undefined) throw new NotVerifiable(`<${element.localName}> has no ${name}`);
  return value;
}

function textOf(source: Buffer, element: XmlElement): string {
  let text = '';
  for (const node of element.children) {
    if (node.kind !== 'text') continue;
    const piece = decodeUtf8(source, node.start, node.end);
    text += node.cdata ? piece : decodeEntities(piece);
  }
  return text;
}
