import { randomBytes } from 'node:crypto';
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

  it('hashes a large attachment from its bytes, as xml-crypto digests the whole document, and catches a change in it', async () => {
    const large = documentPackage({ from: '000.00.01.H10', to: ['000.00.02.H10'], documentId: '000.00.01.H10,2025/03/14,16/UBND-VP', attachment: randomBytes(300 * 1024) });
    const run = parseEdxmlPackage(large).attachments[0]!.body;
    if (run.kind !== 'base64-range') throw new Error('no base64 run');
    const text = large.toString('latin1', run.start, run.end);
    // Line breaks as .NET and Java MIME encoders write them (CR LF), and a lone CR: the parser reads both as LF.
    const wrapped = text.replace(/(.{76})/g, '$1\r\n').replace(/(\r\n[A-Za-z0-9+/]{10})/, '$1\r');
    const crlf = Buffer.concat([large.subarray(0, run.start), Buffer.from(wrapped, 'latin1'), large.subarray(run.end)]);
    for (const pkg of [large, crlf]) {
      const signed = pki.sign(pkg);
      expect(await verifyEdxmlSignature(signed, trust)).toMatchObject({ outcome: 'valid' });
      const signedRun = parseEdxmlPackage(signed).attachments[0]!.body;
      if (signedRun.kind !== 'base64-range') throw new Error('no base64 run');
      for (const at of [signedRun.start, Math.floor((signedRun.start + signedRun.end) / 2), signedRun.end - 3]) {
        const changed = Buffer.from(signed);
        changed[at] = changed[at] === 0x41 ? 0x42 : 0x41;
        expect(await verifyEdxmlSignature(changed, trust)).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/signed content was changed/) });
      }
      // One base64 character more, in a CR LF's place: the text is not what was signed.
      const crAt = signed.indexOf('\r\n', signedRun.start);
      if (crAt !== -1 && crAt < signedRun.end) {
        const extended = Buffer.from(signed);
        extended[crAt] = 0x41;
        expect(await verifyEdxmlSignature(extended, trust)).toMatchObject({ outcome: 'invalid' });
      }
    }
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
