// E-documents as the national network speaks them, on the embedded transport and on RabbitMQ, over REST and SOAP:
// every recipient (mailbox, push endpoint, national axis) gets exactly the bytes the sender sent; a resend of the same
// package is answered as the first and delivered once; another package under a used DocumentId is refused unless it
// updates or replaces; Idempotency-Key works on the e-document endpoints.
import { createHash } from 'node:crypto';
import request from 'supertest';
import type * as soap from 'soap';
import { waitFor } from '../../../testkit/env';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { downloadPackage, inboxOf, sendEdxml } from '../../../testkit/worlds/edoc/edoc-calls';
import { CLIENT_A, CLIENT_B, ORGAN_A, ORGAN_B, ORGAN_C, ORGAN_G, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';
import { edocSoapClient, soapFaultOf } from '../../../testkit/worlds/edoc/soap-client';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * A package as a district system signs it: an enveloped XML-DSig Signature whose digest covers everything but itself,
 * with whitespace and a comment any re-serialisation would lose.
 */
function signedPackage(options: Parameters<typeof documentPackage>[0]): Buffer {
  const text = documentPackage(options).toString('utf8');
  const signature =
    '\n  <!-- ký số: Ban Cơ yếu Chính phủ -->\n  <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>' +
    '<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>' +
    '<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><Reference URI="">' +
    '<Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms>' +
    '<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>AAAA</DigestValue></Reference>' +
    '</SignedInfo><SignatureValue>QUJD</SignatureValue></Signature>\n';
  const at = text.indexOf('</edXML:edXMLHeader>');
  if (at === -1) throw new Error('the package builder wrote no edXMLHeader');
  return Buffer.from(text.slice(0, at) + signature + text.slice(at), 'utf8');
}

function download(edoc: EdocBus, client: string, entryId: string): Promise<Buffer> {
  return downloadPackage(edoc.bus.url(), edoc.token(client), entryId);
}

describe.each([
  ['embedded', false],
  ['rabbitmq', true],
])('e-documents byte-exact and resends on the %s transport', (_name, amqp) => {
  let edoc: EdocBus;
  let seq = 0;
  const docId = () => `${ORGAN_A},2025/03/14,${++seq}${amqp ? 'r' : 'e'}${Date.now() % 100000}/UBND-RS`;
  const pushedFor = (documentId: string) => edoc.push.applied('edoc').filter((a) => a.routing.documentId === documentId);
  const axisFor = (documentId: string) => edoc.axis.inboxOf(ORGAN_G).filter((e) => e.from === ORGAN_A && e.pkg.bytes.includes(Buffer.from(documentId)));
  const mailboxFor = async (documentId: string) => (await inboxOf(edoc, CLIENT_B, 'edoc')).filter((i) => i.documentId === documentId);
  const allDelivered = (messageId: string, parts: number) =>
    waitFor(async () => {
      const r = await request(edoc.bus.url()).get(`/api/v1/messages/${messageId}`).set('Authorization', `Bearer ${edoc.token(CLIENT_A)}`).expect(200);
      const states = ((r.body.parts ?? []) as { state: string }[]).map((p) => p.state);
      return states.length === parts && states.every((s) => s === 'delivered');
    }, 30_000, 'every part delivered');

  /** Each recipient's copy hashes to what was sent: the mailbox download, the push endpoint's body, the axis's file. */
  async function expectExactEverywhere(documentId: string, sent: Buffer): Promise<void> {
    const expected = sha256(sent);
    const entry = await waitFor(async () => (await mailboxFor(documentId))[0], 30_000, 'mailbox entry');
    expect(entry.sha256).toBe(expected);
    expect(sha256(await download(edoc, CLIENT_B, entry.id))).toBe(expected);
    const pushed = await waitFor(() => pushedFor(documentId)[0], 30_000, 'push delivery');
    expect(sha256(pushed.content)).toBe(expected);
    const axis = await waitFor(() => axisFor(documentId)[0], 30_000, 'axis delivery');
    expect(sha256(axis.pkg.bytes)).toBe(expected);
  }

  beforeAll(async () => {
    edoc = await startEdocBus({ amqp });
  });
  afterAll(async () => {
    await edoc.stop();
  });

  test('REST: the mailbox, the push endpoint and the national axis get exactly the bytes the sender signed', async () => {
    const documentId = docId();
    const sent = signedPackage({ from: ORGAN_A, to: [ORGAN_B, ORGAN_C, ORGAN_G], documentId });
    const res = await sendEdxml(edoc, CLIENT_A, sent).expect(202);
    expect(res.body.sha256).toBe(sha256(sent));
    await expectExactEverywhere(documentId, sent);
  });

  test('SOAP: SendEdoc passes the package on byte-exact and GetEdoc gives the same bytes back', async () => {
    const documentId = docId();
    const sent = signedPackage({ from: ORGAN_A, to: [ORGAN_B, ORGAN_C, ORGAN_G], documentId });
    const [answer] = await (await edocSoapClient(edoc, CLIENT_A)).SendEdocAsync({ edXML: sent.toString('base64') });
    expect(answer.sha256).toBe(sha256(sent));
    await expectExactEverywhere(documentId, sent);
    const entry = (await mailboxFor(documentId))[0]!;
    const [got] = await (await edocSoapClient(edoc, CLIENT_B)).GetEdocAsync({ id: entry.id });
    expect(sha256(Buffer.from(got.edXML as string, 'base64'))).toBe(sha256(sent));
  });

  test('REST: the same package sent three times is one message, delivered once to each recipient', async () => {
    const documentId = docId();
    const pkg = documentPackage({ from: ORGAN_A, to: [ORGAN_B, ORGAN_C, ORGAN_G], documentId });
    const first = await sendEdxml(edoc, CLIENT_A, pkg).expect(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    for (let i = 0; i < 2; i++) {
      const again = await sendEdxml(edoc, CLIENT_A, pkg).expect(202);
      expect(again.body).toMatchObject({ messageId: first.body.messageId, correlationId: first.body.correlationId, documentId, sha256: first.body.sha256 });
      expect(again.headers['idempotent-replayed']).toBe('true');
    }
    await allDelivered(first.body.messageId, 3);
    // Sent again after delivery, too: still the first message.
    expect((await sendEdxml(edoc, CLIENT_A, pkg).expect(202)).body.messageId).toBe(first.body.messageId);
    await waitFor(() => axisFor(documentId).length >= 1, 30_000, 'axis delivery');
    expect(await mailboxFor(documentId)).toHaveLength(1);
    expect(pushedFor(documentId)).toHaveLength(1);
    expect(axisFor(documentId)).toHaveLength(1);
  });

  test('REST: the same package arriving twice at once is one message', async () => {
    const documentId = docId();
    const pkg = documentPackage({ from: ORGAN_A, to: [ORGAN_B, ORGAN_C], documentId });
    const answers = await Promise.all([sendEdxml(edoc, CLIENT_A, pkg), sendEdxml(edoc, CLIENT_A, pkg), sendEdxml(edoc, CLIENT_A, pkg)]);
    const accepted = answers.filter((a) => a.status === 202);
    // A resend may be told to come back while the first is being accepted; none becomes a second message.
    for (const other of answers.filter((a) => a.status !== 202)) expect(other.status === 409 && other.body.code === 'EDOC_RESEND_IN_PROGRESS').toBe(true);
    expect(accepted.length).toBeGreaterThan(0);
    expect(new Set(accepted.map((a) => a.body.messageId)).size).toBe(1);
    await allDelivered(accepted[0]!.body.messageId, 2);
    expect(await mailboxFor(documentId)).toHaveLength(1);
    expect(pushedFor(documentId)).toHaveLength(1);
  });

  test('REST: another package under a used DocumentId is refused 409, unless it updates or replaces', async () => {
    const documentId = docId();
    const original = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId });
    const first = await sendEdxml(edoc, CLIENT_A, original).expect(202);
    const changed = documentPackage({ from: ORGAN_A, to: [ORGAN_B, ORGAN_C], documentId });
    const refused = await sendEdxml(edoc, CLIENT_A, changed).expect(409);
    expect(refused.body).toMatchObject({ code: 'EDXML_DOCUMENT_ID_REUSED', details: [{ field: 'MessageHeader/DocumentId' }] });

    const update = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId, businessDocType: 2, attachment: Buffer.from('bản cập nhật') });
    const updated = await sendEdxml(edoc, CLIENT_A, update).expect(202);
    expect(updated.body.messageId).not.toBe(first.body.messageId);
    expect((await sendEdxml(edoc, CLIENT_A, update).expect(202)).body.messageId).toBe(updated.body.messageId);
    const replacement = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId, businessDocType: 3 });
    const replaced = await sendEdxml(edoc, CLIENT_A, replacement).expect(202);
    expect(new Set([first.body.messageId, updated.body.messageId, replaced.body.messageId]).size).toBe(3);

    await waitFor(async () => (await mailboxFor(documentId)).length === 3, 30_000, 'original, update and replacement in the mailbox');
    expect((await mailboxFor(documentId)).map((e) => e.businessDocType).sort()).toEqual([0, 2, 3]);
  });

  test('SOAP: a resend is answered as the first; a reused DocumentId is a Client fault with the code', async () => {
    const client: soap.Client = await edocSoapClient(edoc, CLIENT_A);
    const documentId = docId();
    const pkg = documentPackage({ from: ORGAN_A, to: [ORGAN_B, ORGAN_G], documentId });
    const [first] = await client.SendEdocAsync({ edXML: pkg.toString('base64') });
    const [again] = await client.SendEdocAsync({ edXML: pkg.toString('base64') });
    expect(again.messageId).toBe(first.messageId);
    // The same package over REST is the same message too.
    expect((await sendEdxml(edoc, CLIENT_A, pkg).expect(202)).body.messageId).toBe(first.messageId);
    await allDelivered(first.messageId, 2);
    expect(axisFor(documentId)).toHaveLength(1);
    expect(await mailboxFor(documentId)).toHaveLength(1);

    const changed = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId });
    expect(await soapFaultOf(client.SendEdocAsync({ edXML: changed.toString('base64') }))).toEqual({ status: 500, faultcode: 'soap:Client', code: 'EDXML_DOCUMENT_ID_REUSED' });
  });

  test('Idempotency-Key on the e-document endpoints: REST and SOAP, uploads and status reports', async () => {
    const key = `edoc-${docId()}`.replace(/[^\x21-\x7e]/g, '_');
    const documentId = docId();
    const pkg = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId });
    const first = await sendEdxml(edoc, CLIENT_A, pkg).set('Idempotency-Key', key).expect(202);
    expect((await sendEdxml(edoc, CLIENT_A, pkg).set('Idempotency-Key', key).expect(202)).body.messageId).toBe(first.body.messageId);
    const other = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId: docId() });
    expect((await sendEdxml(edoc, CLIENT_A, other).set('Idempotency-Key', key).expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await sendEdxml(edoc, CLIENT_A, other).set('Idempotency-Key', 'bad key').expect(400)).body.code).toBe('INVALID_IDEMPOTENCY_KEY');

    const entry = await waitFor(async () => (await mailboxFor(documentId))[0], 30_000, 'mailbox entry');
    const report = () =>
      request(edoc.bus.url())
        .post(`/api/v1/edocs/${entry.id}/status`)
        .set('Authorization', `Bearer ${edoc.token(CLIENT_B)}`)
        .set('Idempotency-Key', `${key}-status`)
        .send({ statusCode: '03', description: 'Văn thư đã tiếp nhận' });
    const reported = await report().expect(202);
    // A second later the status packet the bus builds has another Timestamp; the request is still the same one.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const reportedAgain = await report().expect(202);
    expect(reportedAgain.body.messageId).toBe(reported.body.messageId);
    expect(reportedAgain.headers['idempotent-replayed']).toBe('true');

    const soapSender = await edocSoapClient(edoc, CLIENT_A);
    soapSender.addHttpHeader('Idempotency-Key', `${key}-soap`);
    const soapDoc = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId: docId() });
    const [viaSoap] = await soapSender.SendEdocAsync({ edXML: soapDoc.toString('base64') });
    expect(await soapFaultOf(soapSender.SendEdocAsync({ edXML: other.toString('base64') }))).toMatchObject({ status: 500, faultcode: 'soap:Client', code: 'IDEMPOTENCY_KEY_REUSED' });
    const [viaSoapAgain] = await soapSender.SendEdocAsync({ edXML: soapDoc.toString('base64') });
    expect(viaSoapAgain.messageId).toBe(viaSoap.messageId);

    const soapRecipient = await edocSoapClient(edoc, CLIENT_B);
    soapRecipient.addHttpHeader('Idempotency-Key', `${key}-soap-status`);
    const [status] = await soapRecipient.UpdateStatusAsync({ id: entry.id, statusCode: '05', description: 'Đang xử lý' });
    const [statusAgain] = await soapRecipient.UpdateStatusAsync({ id: entry.id, statusCode: '05', description: 'Đang xử lý' });
    expect(statusAgain.messageId).toBe(status.messageId);
    const statusCodes = async () => (await inboxOf(edoc, CLIENT_A, 'status')).filter((s) => s.documentId === documentId).map((s) => s.statusCode ?? '').sort().join(' ');
    await waitFor(async () => (await statusCodes()) === '01 03 05', 30_000, 'statuses 01, 03 and 05 at the sender, once each');
  });
});
