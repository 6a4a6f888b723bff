// Signed e-documents on both faces: under `require` (the bus default here) a package unsigned, changed (content,
// attachment, signature value) or signed by an expired, revoked or untrusted signer is refused with the outcome named;
// a valid one is accepted, its check and signer in the received audit record and in the recipient's inbox listing.
// Under `record` (organ B's policy) a changed package is accepted and flagged.
import { waitFor } from '../../../testkit/env';
import { sendEdxml, inboxOf } from '../../../testkit/worlds/edoc/edoc-calls';
import { CLIENT_A, CLIENT_B, ORGAN_A, ORGAN_B, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { createTestPki, tamper, type TestPki } from '../../../testkit/worlds/edoc/signatures';
import { edocSoapClient, soapFaultOf } from '../../../testkit/worlds/edoc/soap-client';

interface SignatureBody {
  policy: string;
  outcome: string;
  reason?: string;
  signer?: { subject: string; serial: string; issuer: string; notBefore: string; notAfter: string };
}

const ATTACHMENT = Buffer.from('Tệp đính kèm của công văn: nội dung ký số. '.repeat(100), 'utf8');

describe('edoc signatures', () => {
  let pki: TestPki;
  let edoc: EdocBus;
  let n = 0;
  const pkg = (from: string, to: string) => documentPackage({ from, to: [to], documentId: `${from},2025/03/14,${++n}/KY-SO`, attachment: ATTACHMENT });

  beforeAll(async () => {
    pki = await createTestPki();
    edoc = await startEdocBus({
      amqp: false,
      edoc: { signatures: { policy: 'require', trustStore: { caFiles: [pki.caFile], crlFiles: [pki.crlFile] } } },
      organs: { [ORGAN_B]: { signaturePolicy: 'record' } },
    });
  });
  afterAll(async () => {
    await edoc.stop();
    pki.cleanup();
  });

  const inboxSignature = async (client: string, documentId: string): Promise<SignatureBody | undefined> =>
    waitFor(async () => (await inboxOf(edoc, client, 'edoc')).find((i) => i.documentId === documentId), 20_000, `inbox entry ${documentId}`).then(
      (item) => (item as unknown as { signature?: SignatureBody }).signature,
    );

  test('REST, require: a validly signed package is accepted; its check and signer reach the audit trail and the inbox', async () => {
    const signed = pki.sign(pkg(ORGAN_A, ORGAN_B));
    const documentId = `${ORGAN_A},2025/03/14,${n}/KY-SO`;
    const res = await sendEdxml(edoc, CLIENT_A, signed).expect(202);
    const signature = await inboxSignature(CLIENT_B, documentId);
    expect(signature).toMatchObject({ policy: 'require', outcome: 'valid', signer: { subject: pki.signer.certificate.subject, issuer: pki.ca.certificate.subject } });
    expect(signature?.signer?.serial).toBe(pki.signer.certificate.serialNumber.toLowerCase());
    const records = await edoc.bus.audit.timeline(res.body.messageId as string);
    const received = records.find((r) => r.step === 'received' && r.messageId === res.body.messageId);
    expect(JSON.parse(received?.details ?? '{}')).toMatchObject({ signature: { outcome: 'valid', signer: { subject: pki.signer.certificate.subject } } });
  });

  test('REST, require: unsigned, changed content, attachment or signature value are refused 400 EDXML_SIGNATURE_INVALID', async () => {
    const unsigned = await sendEdxml(edoc, CLIENT_A, pkg(ORGAN_A, ORGAN_B)).expect(400);
    expect(unsigned.body).toMatchObject({ code: 'EDXML_SIGNATURE_INVALID', message: expect.stringMatching(/^signature unsigned/) });

    const signed = pki.sign(pkg(ORGAN_A, ORGAN_B));
    const encoded = signed.indexOf('>', signed.indexOf('ContentTransferEncoded')) + 20;
    const changedAttachment = Buffer.from(signed);
    changedAttachment[encoded] = changedAttachment[encoded] === 0x41 ? 0x42 : 0x41;
    for (const changed of [tamper(signed, 'V/v triển khai', 2), changedAttachment, tamper(signed, '<ds:SignatureValue>', 25)]) {
      const res = await sendEdxml(edoc, CLIENT_A, changed).expect(400);
      expect(res.body).toMatchObject({ code: 'EDXML_SIGNATURE_INVALID', message: expect.stringMatching(/^signature invalid/) });
    }
  });

  test('REST, require: an expired, a revoked and an untrusted signer are refused 400 EDXML_SIGNER_UNTRUSTED, named', async () => {
    for (const [signer, outcome] of [
      [pki.expired, 'expired'],
      [pki.revoked, 'revoked'],
      [pki.stranger, 'untrusted'],
    ] as const) {
      const res = await sendEdxml(edoc, CLIENT_A, pki.sign(pkg(ORGAN_A, ORGAN_B), signer)).expect(400);
      expect(res.body.code).toBe('EDXML_SIGNER_UNTRUSTED');
      expect(res.body.message).toMatch(new RegExp(`^signer ${outcome}: .*serial ${signer.certificate.serialNumber.toLowerCase()}`));
    }
  });

  test('REST, record: a changed package is accepted and flagged invalid in the inbox', async () => {
    const changed = tamper(pki.sign(pkg(ORGAN_B, ORGAN_A)), 'V/v triển khai', 2);
    const documentId = `${ORGAN_B},2025/03/14,${n}/KY-SO`;
    await sendEdxml(edoc, CLIENT_B, changed).expect(202);
    expect(await inboxSignature(CLIENT_A, documentId)).toMatchObject({ policy: 'record', outcome: 'invalid', reason: expect.stringMatching(/signed content was changed/) });
  });

  test('SOAP: an expired signer is a fault naming it; a valid package is accepted and listed with its signer', async () => {
    const sender = await edocSoapClient(edoc, CLIENT_A);
    const recipient = await edocSoapClient(edoc, CLIENT_B);
    const fault = await soapFaultOf(sender.SendEdocAsync({ edXML: pki.sign(pkg(ORGAN_A, ORGAN_B), pki.expired).toString('base64') }));
    expect(fault).toMatchObject({ status: 500, faultcode: 'soap:Client', code: 'EDXML_SIGNER_UNTRUSTED' });
    const tampered = await soapFaultOf(sender.SendEdocAsync({ edXML: tamper(pki.sign(pkg(ORGAN_A, ORGAN_B)), 'V/v triển khai', 2).toString('base64') }));
    expect(tampered).toMatchObject({ status: 500, faultcode: 'soap:Client', code: 'EDXML_SIGNATURE_INVALID' });

    const signed = pki.sign(pkg(ORGAN_A, ORGAN_B), pki.signer, 'rsa-sha1');
    const documentId = `${ORGAN_A},2025/03/14,${n}/KY-SO`;
    const [sent] = await sender.SendEdocAsync({ edXML: signed.toString('base64') });
    expect(sent).toMatchObject({ kind: 'edoc', documentId });
    const item = await waitFor(async () => {
      const [list] = await recipient.GetReceivedEdocListAsync({ kind: 'edoc' });
      return ((list?.item ?? []) as { documentId: string; signature?: SignatureBody }[]).find((i) => i.documentId === documentId);
    }, 20_000, 'SOAP inbox entry');
    expect(item.signature).toMatchObject({ policy: 'require', outcome: 'valid', signer: { subject: pki.signer.certificate.subject } });
  });
});
