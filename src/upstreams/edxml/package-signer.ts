// Signs an edXML package the way the verifier accepts it: one enveloped XML-DSig signature over the whole document,
// appended to edXMLHeader, X.509 certificate(s) in KeyInfo. The package's own bytes are kept; only the signature is
// inserted. For development and tests: real senders sign with their own tools and certificates.
import { SignedXml } from 'xml-crypto';
import { EdxmlError } from './errors';
import { scanXml, type XmlElement } from './xml-scanner';
import { decodeUtf8 } from './xml-text';

export type EdxmlSignatureAlgorithm = 'rsa-sha256' | 'rsa-sha1';

const ALGORITHMS: Record<EdxmlSignatureAlgorithm, { signature: string; digest: string }> = {
  'rsa-sha256': { signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', digest: 'http://www.w3.org/2001/04/xmlenc#sha256' },
  'rsa-sha1': { signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', digest: 'http://www.w3.org/2000/09/xmldsig#sha1' },
};
const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

export interface EdxmlSigningKey {
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** The signer's certificate, then any intermediate CA certificates, as PEM; all go into KeyInfo. */
  certificatePem: string;
}

/** The signed package as chunks: the original bytes before the end of edXMLHeader, the signature, the rest. */
export function signEdxmlPackage(pkg: Buffer, key: EdxmlSigningKey, algorithm: EdxmlSignatureAlgorithm = 'rsa-sha256'): Buffer[] {
  const header = findElement(scanXml(pkg), 'edXMLHeader');
  if (!header) throw new EdxmlError('EDXML_MISSING_FIELD', 'no edXMLHeader to put the signature in', 'edXMLHeader');
  const { signature, digest } = ALGORITHMS[algorithm];
  const signer = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certificatePem,
    signatureAlgorithm: signature,
    canonicalizationAlgorithm: EXCLUSIVE_C14N,
  });
  signer.addReference({ xpath: '/*', transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXCLUSIVE_C14N], digestAlgorithm: digest, isEmptyUri: true });
  const bom = pkg[0] === 0xef && pkg[1] === 0xbb && pkg[2] === 0xbf ? 3 : 0;
  signer.computeSignature(decodeUtf8(pkg, bom, pkg.length), {
    prefix: 'ds',
    location: { reference: "//*[local-name(.)='edXMLHeader']", action: 'append' },
  });
  return [pkg.subarray(0, header.contentEnd), Buffer.from(signer.getSignatureXml(), 'utf8'), pkg.subarray(header.contentEnd)];
}

function findElement(root: XmlElement, localName: string): XmlElement | undefined {
  const pending = [root];
  while (pending.length > 0) {
    const e = pending.shift()!;
    if (e.localName === localName) return e;
    for (const child of e.children) if (child.kind === 'element') pending.push(child);
  }
  return undefined;
}
