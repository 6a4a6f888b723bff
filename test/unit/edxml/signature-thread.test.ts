// The worker-thread verifier (the compiled worker in dist/, so `npm run build` first) gives the same checks as the
// in-process one on a package of several MiB: valid and its signer, a changed attachment byte invalid, a revoked
// signer revoked; the caller's Buffer is left whole (a copy goes to the worker).
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { OffThreadVerifier } from '../../../src/upstreams/edxml/signature-thread';
import { verifyEdxmlSignature } from '../../../src/upstreams/edxml/signature-verifier';
import { TrustStore } from '../../../src/upstreams/edxml/trust-store';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { createTestPki, tamper, type TestPki } from '../../../testkit/worlds/edoc/signatures';

const WORKER = path.resolve(__dirname, '../../../dist/src/upstreams/edxml/signature-worker.js');

describe('OffThreadVerifier', () => {
  let pki: TestPki;
  let verifier: OffThreadVerifier;
  let trust: TrustStore;
  let unsigned: Buffer;

  beforeAll(async () => {
    if (!OffThreadVerifier.available(WORKER)) throw new Error(`${WORKER} is missing: run npm run build first`);
    pki = await createTestPki();
    const files = { caFiles: [pki.caFile], crlFiles: [pki.crlFile] };
    trust = TrustStore.fromFiles(files);
    verifier = new OffThreadVerifier(files, WORKER);
    unsigned = documentPackage({ from: '000.00.01.H10', to: ['000.00.02.H10'], documentId: '000.00.01.H10,2026/12/04,1/UBND-VP', attachment: randomBytes(3 * 1024 * 1024) });
  });
  afterAll(async () => {
    await verifier?.close();
    pki?.cleanup();
  });

  test('a valid package: the same check as in process, and the caller keeps its bytes', async () => {
    const signed = pki.sign(unsigned);
    const before = createHash('sha256').update(signed).digest('hex');
    const at = new Date();
    const check = await verifier.verify(signed, at);
    expect(check).toEqual(await verifyEdxmlSignature(signed, trust, at));
    expect(check).toMatchObject({ outcome: 'valid', signer: { subject: pki.signer.certificate.subject } });
    expect(createHash('sha256').update(signed).digest('hex')).toBe(before);
  });

  test('a changed attachment byte is invalid; a revoked signer is named revoked', async () => {
    const signed = pki.sign(unsigned);
    const changed = tamper(signed, ':ContentTransferEncoded xmlns', 200);
    expect(await verifier.verify(changed)).toMatchObject({ outcome: 'invalid' });
    expect(await verifier.verify(pki.sign(unsigned, pki.revoked))).toMatchObject({ outcome: 'revoked', signer: { subject: pki.revoked.certificate.subject } });
  });
});
