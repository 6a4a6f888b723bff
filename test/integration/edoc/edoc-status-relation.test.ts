// A status packet needs a relation to the document it reports on: a status about document D addressed to organ S is
// taken only from an organ that S sent D to through this bus (mailbox or push alike), on every path a client reports a
// status by: POST /api/v1/edocs, SOAP SendEdoc, POST /api/v1/edocs/{id}/status and SOAP UpdateStatus. The bus's own
// statuses (01 on arrival) keep reaching the sender.
import Database from 'better-sqlite3';
import path from 'node:path';
import request from 'supertest';
import { buildEdxmlStatus, formatEdxmlTimestamp, type EdxmlStatusCode } from '../../../src/upstreams/edxml';
import { waitFor } from '../../../testkit/env';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { CLIENT_A, CLIENT_B, CLIENT_C, ORGAN_A, ORGAN_B, ORGAN_C, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';
import { inboxOf, sendEdxml } from '../../../testkit/worlds/edoc/edoc-calls';
import { edocSoapClient, soapFaultOf } from '../../../testkit/worlds/edoc/soap-client';

function statusPacket(from: string, documentSender: string, documentId: string, statusCode: EdxmlStatusCode): Buffer {
  return buildEdxmlStatus({
    responseFor: { organId: documentSender, documentId },
    from: { organId: from, organName: `Cơ quan ${from}` },
    statusCode,
    description: 'Đang xử lý văn bản',
    timestamp: formatEdxmlTimestamp(),
  });
}

describe.each([
  ['embedded', false],
  ['rabbitmq', true],
])('status relation on the %s transport', (_name, amqp) => {
  let edoc: EdocBus;
  let seq = 0;
  const url = () => edoc.bus.url();
  const docId = () => `${ORGAN_A},2025/03/14,${++seq}${amqp ? 'r' : 'e'}${Date.now() % 100000}/UBND-REL`;
  const auth = (client: string) => `Bearer ${edoc.token(client)}`;
  const send = (client: string, body: Buffer) => sendEdxml(edoc, client, body);
  const inbox = (client: string, kind: 'edoc' | 'status') => inboxOf(edoc, client, kind);
  const statusesAtA = async (documentId: string) => (await inbox(CLIENT_A, 'status')).filter((i) => i.documentId === documentId);
  const soapClient = (client: string) => edocSoapClient(edoc, client);

  beforeAll(async () => {
    edoc = await startEdocBus({ amqp });
  });
  afterAll(async () => {
    await edoc.stop();
  });

  test('a status packet about a document is taken only from an organ the document was sent to (REST and SOAP)', async () => {
    const documentId = docId();
    await send(CLIENT_A, documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId })).expect(202);

    // C was never sent the document: its status is refused on both faces and never reaches A.
    const rest = await send(CLIENT_C, statusPacket(ORGAN_C, ORGAN_A, documentId, '05')).expect(403);
    expect(rest.body).toMatchObject({ code: 'EDOC_STATUS_NOT_RECIPIENT', details: [{ field: 'Status/ResponseFor/DocumentId' }] });
    const viaSoap = (await soapClient(CLIENT_C)).SendEdocAsync({ edXML: statusPacket(ORGAN_C, ORGAN_A, documentId, '06').toString('base64') });
    expect(await soapFaultOf(viaSoap)).toEqual({ status: 500, faultcode: 'soap:Client', code: 'EDOC_STATUS_NOT_RECIPIENT' });
    // B was sent it by A, not by C: a status addressed to C about it is refused too.
    expect((await send(CLIENT_B, statusPacket(ORGAN_B, ORGAN_C, documentId, '05')).expect(403)).body.code).toBe('EDOC_STATUS_NOT_RECIPIENT');

    // B, a recipient, reports; A sees the bus's 01 and B's 05, and nothing from C.
    expect((await send(CLIENT_B, statusPacket(ORGAN_B, ORGAN_A, documentId, '05')).expect(202)).body).toMatchObject({ kind: 'status', toOrgan: ORGAN_A });
    await waitFor(async () => {
      const codes = (await statusesAtA(documentId)).map((s) => `${s.fromOrgan} ${s.statusCode}`);
      return codes.includes(`${ORGAN_B} 01`) && codes.includes(`${ORGAN_B} 05`);
    }, 20_000, 'statuses 01 and 05 from B');
    expect((await statusesAtA(documentId)).filter((s) => s.fromOrgan === ORGAN_C)).toEqual([]);
  });

  test('a push recipient reports over SOAP about a document pushed to it', async () => {
    const documentId = docId();
    await send(CLIENT_A, documentPackage({ from: ORGAN_A, to: [ORGAN_C], documentId })).expect(202);
    const [sent] = await (await soapClient(CLIENT_C)).SendEdocAsync({ edXML: statusPacket(ORGAN_C, ORGAN_A, documentId, '03').toString('base64') });
    expect(sent).toMatchObject({ kind: 'status', documentId, toOrgan: ORGAN_A });
    await waitFor(async () => (await statusesAtA(documentId)).find((s) => s.fromOrgan === ORGAN_C && s.statusCode === '03'), 20_000, 'status 03 from C');
  });

  test('a mailbox entry without the relation takes no status (REST /status and SOAP UpdateStatus)', async () => {
    const documentId = docId();
    await send(CLIENT_A, documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId })).expect(202);
    const entry = await waitFor(async () => (await inbox(CLIENT_B, 'edoc')).find((i) => i.documentId === documentId), 20_000, 'mailbox entry');
    // An entry the ledger does not back (as no delivery of this bus files one).
    const db = new Database(path.join(edoc.dataDir, 'edoc.db'));
    try {
      db.prepare('DELETE FROM edoc_recipients WHERE document_id = ?').run(documentId);
    } finally {
      db.close();
    }
    const rest = await request(url()).post(`/api/v1/edocs/${entry.id}/status`).set('Authorization', auth(CLIENT_B)).send({ statusCode: '05' }).expect(403);
    expect(rest.body.code).toBe('EDOC_STATUS_NOT_RECIPIENT');
    const viaSoap = (await soapClient(CLIENT_B)).UpdateStatusAsync({ id: entry.id, statusCode: '05' });
    expect(await soapFaultOf(viaSoap)).toEqual({ status: 500, faultcode: 'soap:Client', code: 'EDOC_STATUS_NOT_RECIPIENT' });
    expect((await statusesAtA(documentId)).filter((s) => s.statusCode === '05')).toEqual([]);
  });
});
