// The CA certificates and CRLs a signer's certificate is judged against: whether its chain reaches a trusted CA,
// whether it was valid at the time of the check, and whether its issuer has revoked it.
import { readFileSync } from 'node:fs';
import { BasicConstraintsExtension, PemConverter, X509Certificate, X509Crl } from './x509';

/** The signer's certificate as recorded in the audit trail and shown to recipients. */
export interface SignerFacts {
  subject: string;
  /** Hexadecimal, lower case. */
  serial: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
}

export type CertificateVerdict =
  | { outcome: 'valid'; signer: SignerFacts }
  | { outcome: 'untrusted' | 'expired' | 'revoked'; signer: SignerFacts; reason: string };

export interface TrustStoreFiles {
  /** PEM files, each with one or more CA certificates. */
  caFiles: readonly string[];
  /** CRL files (PEM or DER) of those CAs. */
  crlFiles: readonly string[];
}

/** Longest chain followed from the signer to a trusted CA (signer and CA included). */
const MAX_CHAIN = 6;

export function signerFactsOf(cert: X509Certificate): SignerFacts {
  return {
    subject: cert.subject,
    serial: cert.serialNumber.toLowerCase(),
    issuer: cert.issuer,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
}

/** Certificates in a PEM text or DER bytes. */
export function certificatesIn(data: Buffer): X509Certificate[] {
  const text = data.toString('latin1');
  if (!text.includes('-----BEGIN')) return [new X509Certificate(data)];
  return PemConverter.decodeWithHeaders(text)
    .filter((block) => block.type === 'CERTIFICATE')
    .map((block) => new X509Certificate(block.rawData));
}

function crlsIn(data: Buffer): X509Crl[] {
  const text = data.toString('latin1');
  if (!text.includes('-----BEGIN')) return [new X509Crl(data)];
  return PemConverter.decodeWithHeaders(text)
    .filter((block) => block.type === 'X509 CRL' || block.type === 'CRL')
    .map((block) => new X509Crl(block.rawData));
}

function isCa(cert: X509Certificate): boolean {
  return cert.getExtension(BasicConstraintsExtension)?.ca === true;
}

export class TrustStore {
  private constructor(
    private readonly cas: readonly X509Certificate[],
    private readonly crls: readonly X509Crl[],
  ) {}

  static fromFiles(files: TrustStoreFiles): TrustStore {
    const cas = files.caFiles.flatMap((file) => certificatesIn(readFileSync(file)));
    const crls = files.crlFiles.flatMap((file) => crlsIn(readFileSync(file)));
    return new TrustStore(cas, crls);
  }

  static of(cas: readonly X509Certificate[], crls: readonly X509Crl[] = []): TrustStore {
    return new TrustStore(cas, crls);
  }

  get size(): number {
    return this.cas.length;
  }

  /**
   * Judges `signer` at `at`: its chain (through `intermediates`, CA certificates the signature carried) must end at a
   * trust-store CA with every link's signature checked; then the signer must be within its validity; then no CRL of
   * its issuer, signed by that issuer, may list its serial.
   */
  async evaluate(signer: X509Certificate, intermediates: readonly X509Certificate[], at: Date): Promise<CertificateVerdict> {
    const facts = signerFactsOf(signer);
    const chain = await this.chainOf(signer, intermediates.filter(isCa));
    if (!chain) return { outcome: 'untrusted', signer: facts, reason: `the signer's certificate (issuer ${signer.issuer}) does not chain to a CA of the trust store` };
    if (at < signer.notBefore) return { outcome: 'expired', signer: facts, reason: `the signer's certificate is not valid before ${facts.notBefore}` };
    if (at > signer.notAfter) return { outcome: 'expired', signer: facts, reason: `the signer's certificate expired on ${facts.notAfter}` };
    const issuer = chain[1]!;
    for (const crl of this.crls) {
      if (crl.issuer !== issuer.subject || !(await crl.verify({ publicKey: issuer.publicKey }).catch(() => false))) continue;
      const entry = crl.findRevoked(signer);
      if (entry && entry.revocationDate <= at) {
        return { outcome: 'revoked', signer: facts, reason: `the signer's certificate was revoked by ${issuer.subject} on ${entry.revocationDate.toISOString()}` };
      }
    }
    return { outcome: 'valid', signer: facts };
  }

  /** The chain from `cert` to a trusted CA, signer first, or null when none is found. */
  private async chainOf(cert: X509Certificate, intermediates: readonly X509Certificate[]): Promise<X509Certificate[] | null> {
    const chain = [cert];
    let current = cert;
    while (chain.length < MAX_CHAIN) {
      for (const ca of this.cas) {
        if (ca.subject === current.issuer && (await signedBy(current, ca))) return [...chain, ca];
      }
      const next = await firstAsync(intermediates, async (c) => !chain.includes(c) && c.subject === current.issuer && (await signedBy(current, c)));
      if (!next) return null;
      chain.push(next);
      current = next;
    }
    return null;
  }
}

async function signedBy(cert: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  return cert.verify({ publicKey: issuer.publicKey, signatureOnly: true }).catch(() => false);
}

async function firstAsync<T>(items: readonly T[], test: (item: T) => Promise<boolean>): Promise<T | undefined> {
  for (const item of items) if (await test(item)) return item;
  return undefined;
}
