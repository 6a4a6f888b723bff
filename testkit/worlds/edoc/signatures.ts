// The e-document signature tests' PKI: a trusted CA with a good, an expired and a revoked signer (and its CRL), a
// signer of a CA the bus does not trust, trust-store files on disk, and signing of packages by any of them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDevCa, createDevCrl, issueDevSigner, type DevIdentity, type DevSigner } from '../../../src/cli/edoc-dev-pki';
import { signEdxmlPackage, type EdxmlSignatureAlgorithm } from '../../../src/upstreams/edxml/package-signer';

export interface TestPki {
  ca: DevIdentity;
  signer: DevSigner;
  expired: DevSigner;
  revoked: DevSigner;
  /** Issued by a CA that is not in the trust store. */
  stranger: DevSigner;
  /** Trust-store files: the CA's certificate and its CRL (listing `revoked`). */
  caFile: string;
  crlFile: string;
  sign(pkg: Buffer, by?: DevSigner, algorithm?: EdxmlSignatureAlgorithm): Buffer;
  cleanup(): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function createTestPki(): Promise<TestPki> {
  const ca = await createDevCa('CN=CA thử nghiệm LGSP, O=Ban Cơ yếu (thử nghiệm), C=VN');
  const signer = await issueDevSigner(ca);
  const expired = await issueDevSigner(ca, { subject: 'CN=Người ký hết hạn, O=UBND huyện A, C=VN', notBefore: new Date(Date.now() - 400 * DAY_MS), notAfter: new Date(Date.now() - 30 * DAY_MS) });
  const revoked = await issueDevSigner(ca, { subject: 'CN=Người ký bị thu hồi, O=UBND huyện A, C=VN' });
  const strangerCa = await createDevCa('CN=CA lạ, O=Không tin cậy, C=VN');
  const stranger = await issueDevSigner(strangerCa, { subject: 'CN=Người ký lạ, O=UBND huyện A, C=VN' });
  const crl = await createDevCrl(ca, [revoked.certificate]);
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-pki-'));
  const caFile = path.join(dir, 'ca.pem');
  const crlFile = path.join(dir, 'ca.crl');
  writeFileSync(caFile, ca.certificate.toString('pem'));
  writeFileSync(crlFile, crl.toString('pem'));
  return {
    ca,
    signer,
    expired,
    revoked,
    stranger,
    caFile,
    crlFile,
    sign: (pkg, by = signer, algorithm = 'rsa-sha256') => Buffer.concat(signEdxmlPackage(pkg, by, algorithm)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The package with one byte changed at the first occurrence of `marker` (+ offset): a letter swapped for another. */
export function tamper(pkg: Buffer, marker: string, offset = 0): Buffer {
  const at = pkg.indexOf(marker, 0, 'utf8');
  if (at === -1) throw new Error(`marker ${marker} not in the package`);
  const copy = Buffer.from(pkg);
  const i = at + offset;
  copy[i] = copy[i] === 0x41 ? 0x42 : 0x41;
  return copy;
}
