// A development PKI for e-document signatures: a CA, signer certificates it issues (valid, expired, any window) and
// its CRL, made with WebCrypto. For development and tests only; production trust stores hold the province's real CAs.
import { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  X509Certificate,
  X509CertificateGenerator,
  X509Crl,
  X509CrlGenerator,
} from '../upstreams/edxml/x509';

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DevIdentity {
  certificate: X509Certificate;
  keys: CryptoKeyPair;
}

export interface DevSigner extends DevIdentity {
  /** PKCS#8 PEM of the private key. */
  privateKeyPem: string;
  certificatePem: string;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

function serial(): string {
  // Positive (high bit clear) 16-byte serial.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f | 0x10;
  return Buffer.from(bytes).toString('hex');
}

export async function createDevCa(name = 'CN=LGSP development CA, O=LGSP development, C=VN'): Promise<DevIdentity> {
  const keys = await generateKeys();
  const certificate = await X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 3650 * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [new BasicConstraintsExtension(true, undefined, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true)],
  });
  return { certificate, keys };
}

/** A signer certificate issued by `ca`, valid from `notBefore` to `notAfter` (default: yesterday to two years on). */
export async function issueDevSigner(
  ca: DevIdentity,
  options: { subject?: string; notBefore?: Date; notAfter?: Date } = {},
): Promise<DevSigner> {
  const keys = await generateKeys();
  const certificate = await X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: options.subject ?? 'CN=Văn thư UBND huyện A, O=UBND huyện A, C=VN',
    issuer: ca.certificate.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: options.notAfter ?? new Date(Date.now() + 730 * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [new BasicConstraintsExtension(false, undefined, true), new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation, true)],
  });
  return { certificate, keys, privateKeyPem: await privateKeyPem(keys.privateKey), certificatePem: certificate.toString('pem') };
}

/** The CA's CRL listing `revoked` (revoked an hour ago). */
export async function createDevCrl(ca: DevIdentity, revoked: readonly X509Certificate[]): Promise<X509Crl> {
  return X509CrlGenerator.create({
    issuer: ca.certificate.subject,
    thisUpdate: new Date(Date.now() - 60 * 60 * 1000),
    nextUpdate: new Date(Date.now() + 30 * DAY_MS),
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    entries: revoked.map((c) => ({ serialNumber: c.serialNumber, revocationDate: new Date(Date.now() - 60 * 60 * 1000) })),
  });
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  return PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** Reads back a key `privateKeyPem` wrote, for signing more certificates or CRLs with it. */
export async function importPrivateKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', PemConverter.decodeFirst(pem), { name: ALGORITHM.name, hash: ALGORITHM.hash }, true, ['sign']);
}
