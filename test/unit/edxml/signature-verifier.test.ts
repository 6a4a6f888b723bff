import { X509Certificate } from '../../../src/upstreams/edxml/x509';
import { parseEdxmlPackage } from '../../../src/upstreams/edxml';
import { verifyEdxmlSignature } from '../../../src/upstreams/edxml/signature-verifier';
import { TrustStore } from '../../../src/upstreams/edxml/trust-store';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { createTestPki, tamper, type TestPki } from '../../../testkit/worlds/edoc/signatures';

const ATTACHMENT = Buffer.from('Nội dung tệp đính kèm: công văn số 15/UBND-VP '.repeat(40), 'utf8');

describe('verifyEdxmlSignature', () => {
  let pki: TestPki;
  let trust: TrustStore;
  let unsigned: Buffer;

  beforeAll(async () => {
    pki = await createTestPki();
    trust = TrustStore.fromFiles({ caFiles: [pki.caFile], crlFiles: [pki.crlFile] });
    unsigned = documentPackage({ from: '000.00.01.H10', to: ['000.00.02.H10'], documentId: '000.00.01.H10,2025/03/14,15/UBND-VP', attachment: ATTACHMENT });
  });
  afterAll(() => pki.cleanup());

  it('accepts a package signed with RSA-SHA256 and names the signer', async () => {
    const signed = pki.sign(unsigned);
    // The package itself is unchanged around the inserted signature, and still parses.
    expect(signed.subarray(0, 200)).toEqual(unsigned.subarray(0, 200));
    expect(parseEdxmlPackage(signed).signature?.raw).toContain('ds:SignatureValue');
    const check = await verifyEdxmlSignature(signed, trust);
    expect(check).toMatchObject({ outcome: 'valid', algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' });
    expect(check.signer).toEqual({
      subject: pki.signer.certificate.subject,
      serial: pki.signer.certificate.serialNumber.toLowerCase(),
      issuer: pki.ca.certificate.subject,
      notBefore: pki.signer.certificate.notBefore.toISOString(),
      notAfter: pki.signer.certificate.notAfter.toISOString(),
    });
    expect(check.signer?.subject).toContain('Văn thư UBND huyện A');
  });

  it('accepts RSA-SHA1', async () => {
    const check = await verifyEdxmlSignature(pki.sign(unsigned, pki.signer, 'rsa-sha1'), trust);
    expect(check).toMatchObject({ outcome: 'valid', algorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' });
  });

  it('calls a package without signature unsigned', async () => {
    expect(await verifyEdxmlSignature(unsigned, trust)).toMatchObject({ outcome: 'unsigned' });
  });

  it('catches one byte changed in the content, in an attachment and in the signature value', async () => {
    const signed = pki.sign(unsigned);
    const content = await verifyEdxmlSignature(tamper(signed, 'triển khai liên thông', 0), trust);
    expect(content).toMatchObject({ outcome: 'invalid' });
    expect(content.reason).toMatch(/signed content was changed/);

    const encoded = signed.indexOf('ContentTransferEncoded');
    const attachmentAt = signed.indexOf('>', encoded) + 10;
    const attachment = Buffer.from(signed);
    attachment[attachmentAt] = attachment[attachmentAt] === 0x41 ? 0x42 : 0x41;
    expect(await verifyEdxmlSignature(attachment, trust)).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/signed content was changed/) });

    const value = await verifyEdxmlSignature(tamper(signed, '<ds:SignatureValue>', '<ds:SignatureValue>'.length + 5), trust);
    expect(value).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/signature value does not verify/) });
  });

  it('names an expired, a revoked and an untrusted signer as such', async () => {
    const expired = await verifyEdxmlSignature(pki.sign(unsigned, pki.expired), trust);
    expect(expired).toMatchObject({ outcome: 'expired', reason: expect.stringMatching(/expired on/) });
    expect(expired.signer?.subject).toContain('Người ký hết hạn');
    const revoked = await verifyEdxmlSignature(pki.sign(unsigned, pki.revoked), trust);
    expect(revoked).toMatchObject({ outcome: 'revoked', reason: expect.stringMatching(/revoked by/) });
    const stranger = await verifyEdxmlSignature(pki.sign(unsigned, pki.stranger), trust);
    expect(stranger).toMatchObject({ outcome: 'untrusted', reason: expect.stringMatching(/does not chain/) });
  });

  it('takes the revoked signer as valid when the trust store has no CRL', async () => {
    const noCrl = TrustStore.of([new X509Certificate(pki.ca.certificate.rawData)]);
    expect(await verifyEdxmlSignature(pki.sign(unsigned, pki.revoked), noCrl)).toMatchObject({ outcome: 'valid' });
  });

  it('refuses a signature that does not cover the whole document', async () => {
    const signed = pki.sign(unsigned).toString('utf8').replace('URI=""', 'URI="#nothing"');
    expect(await verifyEdxmlSignature(Buffer.from(signed), trust)).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/whole document/) });
  });

  it('refuses content smuggled into the signature and a second signature', async () => {
    const signed = pki.sign(unsigned).toString('utf8');
    const smuggled = signed.replace('</ds:Signature>', '<ds:Object><MessageHeader/></ds:Object></ds:Signature>');
    expect(await verifyEdxmlSignature(Buffer.from(smuggled), trust)).toMatchObject({ outcome: 'invalid' });
    const sigStart = signed.indexOf('<ds:Signature');
    const sigEnd = signed.indexOf('</ds:Signature>') + '</ds:Signature>'.length;
    const twice = signed.slice(0, sigEnd) + signed.slice(sigStart, sigEnd) + signed.slice(sigEnd);
    expect(await verifyEdxmlSignature(Buffer.from(twice), trust)).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/2 XML-DSig signatures/) });
  });

  it('calls the standard sample\'s non-XML-DSig Signature placeholder invalid', async () => {
    const { loadFixture } = await import('./helpers/fixtures');
    const check = await verifyEdxmlSignature(loadFixture('cong-van-qcvn102.edxml'), trust);
    expect(check).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/not an XML-DSig signature/) });
  });
});
