// Status packets in both shapes on both faces: the VXP SDK's (fields straight under edXMLHeader/MessageHeader, no To)
// and the wrapped one (<edXML:Status>) are taken over REST POST /api/v1/edocs and SOAP SendEdoc; the statuses the bus
// writes itself (01 on arrival, REST /status, SOAP UpdateStatus) reach mailbox and push senders in the SDK's shape.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { EdxmlError, parseEdxmlPackage, parseEdxmlStatus } from '../../../src/upstreams/edxml';
import { waitFor } from '../../../testkit/env';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { CLIENT_A, CLIENT_B, CLIENT_C, ORGAN_A, ORGAN_B, ORGAN_C, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';
import { downloadPackage, inboxOf, sendEdxml } from '../../../testkit/worlds/edoc/edoc-calls';
import { edocSoapClient } from '../../../testkit/worlds/edoc/soap-client';

const FIXTURES = path.join(__dirname, '../../fixtures/edxml');

/** A fixture status packet re-addressed: reported by `from` about `documentId`, which `documentSender` sent. */
function fixtureStatus(name: string, from: string, documentSender: string, documentId: string): Buffer {
  const text = readFileSync(path.join(FIXTURES, name), 'utf8')
    .replace('000.00.00.H10,2025/03/14,1234/UBND-KGVX', documentId)
    .replace('<edXML:OrganId>000.01.01.H10</edXML:OrganId>', `<edXML:OrganId>${from}</edXML:OrganId>`)
    .replace('<edXML:OrganId>000.00.00.H10</edXML:OrganId>', `<edXML:OrganId>${documentSender}</edXML:OrganId>`);
  return Buffer.from(text, 'utf8');
}

/** The SDK's shape: StatusCode inside MessageHeader, no <Status> wrapper, no To. */
function expectSdkShape(packet: Buffer): void {
  const text = packet.toString('utf8');
  expect(text).toMatch(/<edXML:MessageHeader>[\s\S]*<edXML:StatusCode>\d\d<\/edXML:StatusCode>[\s\S]*<\/edXML:MessageHeader>/);
  expect(text).not.toMatch(/<edXML:Status[\s>]/);
  expect(text).not.toContain('<edXML:To>');
  expect(() => parseEdxmlPackage(packet)).toThrow(expect.objectContaining({ code: 'EDXML_STATUS_PACKET' }) as EdxmlError);
}

describe('status packet shapes', () => {
  let edoc: EdocBus;
  let seq = 0;
  const docId = () => `${ORGAN_A},2025/03/14,${++seq}${Date.now() % 100000}/UBND-SHAPE`;
  const statusesAt = async (client: string, documentId: string) => (await inboxOf(edoc, client, 'status')).filter((i) => i.documentId === documentId);
  const download = (client: string, id: string): Promise<Buffer> => downloadPackage(edoc.bus.url(), edoc.token(client), id);

  beforeAll(async () => {
    edoc = await startEdocBus({ amqp: false });
  });
  afterAll(async () => {
    await edoc.stop();
  });

  test('both shapes are taken over REST and SOAP and reach the sender byte for byte', async () => {
    const documentId = docId();
    await sendEdxml(edoc, CLIENT_A, documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId })).expect(202);
    const sdkRest = fixtureStatus('status-sdk-03-da-tiep-nhan.edxml', ORGAN_B, ORGAN_A, documentId);
    const wrappedRest = fixtureStatus('status-02-tu-choi.edxml', ORGAN_B, ORGAN_A, documentId);
    const sdkSoap = Buffer.from(fixtureStatus('status-sdk-01-da-den.edxml', ORGAN_B, ORGAN_A, documentId).toString('utf8').replace('>01<', '>05<'));
    const wrappedSoap = Buffer.from(fixtureStatus('status-01-da-den.edxml', ORGAN_B, ORGAN_A, documentId).toString('utf8').replace('>01<', '>06<'));

    for (const [packet, code] of [[sdkRest, '03'], [wrappedRest, '02']] as const) {
      const res = await sendEdxml(edoc, CLIENT_B, packet).expect(202);
      expect(res.body).toMatchObject({ kind: 'status', statusCode: code, documentId, toOrgan: ORGAN_A });
    }
    const soap = await edocSoapClient(edoc, CLIENT_B);
    for (const [packet, code] of [[sdkSoap, '05'], [wrappedSoap, '06']] as const) {
      const [sent] = await soap.SendEdocAsync({ edXML: packet.toString('base64') });
      expect(sent).toMatchObject({ kind: 'status', statusCode: code, documentId, toOrgan: ORGAN_A });
    }

    const sentByB = new Map([['03', sdkRest], ['02', wrappedRest], ['05', sdkSoap], ['06', wrappedSoap]]);
    const entries = await waitFor(async () => {
      const statuses = await statusesAt(CLIENT_A, documentId);
      return [...sentByB.keys()].every((code) => statuses.some((s) => s.statusCode === code)) ? statuses : null;
    }, 20_000, 'statuses 02, 03, 05 and 06 at A');
    for (const [code, packet] of sentByB) {
      const entry = entries.find((s) => s.statusCode === code)!;
      expect({ code, same: (await download(CLIENT_A, entry.id)).equals(packet) }).toEqual({ code, same: true });
    }
  });

  test("the bus's own statuses reach a mailbox sender (REST and SOAP) and a push sender in the SDK's shape", async () => {
    const documentId = docId();
    await sendEdxml(edoc, CLIENT_A, documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId })).expect(202);
    const entry = await waitFor(async () => (await inboxOf(edoc, CLIENT_B, 'edoc')).find((i) => i.documentId === documentId), 20_000, 'entry at B');
    await request(edoc.bus.url())
      .post(`/api/v1/edocs/${entry.id}/status`)
      .set('Authorization', `Bearer ${edoc.token(CLIENT_B)}`)
      .send({ statusCode: '03', description: 'Văn thư đã tiếp nhận', department: 'Văn thư', staff: 'Lê Thị Hoài' })
      .expect(202);
    await (await edocSoapClient(edoc, CLIENT_B)).UpdateStatusAsync({ id: entry.id, statusCode: '05', description: 'Đang xử lý' });
    const statuses = await waitFor(async () => {
      const found = await statusesAt(CLIENT_A, documentId);
      return ['01', '03', '05'].every((code) => found.some((s) => s.statusCode === code)) ? found : null;
    }, 20_000, 'statuses 01, 03 and 05 at A');
    const soapA = await edocSoapClient(edoc, CLIENT_A);
    for (const status of statuses) {
      const viaRest = await download(CLIENT_A, status.id);
      expectSdkShape(viaRest);
      const [viaSoap] = await soapA.GetEdocAsync({ id: status.id });
      expect(Buffer.from(viaSoap.edXML as string, 'base64').equals(viaRest)).toBe(true);
      expect(parseEdxmlStatus(viaRest)).toMatchObject({ statusCode: status.statusCode, from: { organId: ORGAN_B }, responseFor: { organId: ORGAN_A, documentId } });
    }
    expect(parseEdxmlStatus(await download(CLIENT_A, statuses.find((s) => s.statusCode === '03')!.id)).staffInfo).toEqual({ department: 'Văn thư', staff: 'Lê Thị Hoài' });

    // C is reached by push: the bus's 01 about C's document arrives there in the SDK's shape too.
    const pushedId = `${ORGAN_C},2025/03/14,${++seq}${Date.now() % 100000}/UBND-PUSH`;
    await sendEdxml(edoc, CLIENT_C, documentPackage({ from: ORGAN_C, to: [ORGAN_B], documentId: pushedId })).expect(202);
    const pushed = await waitFor(() => edoc.push.applied('status').find((a) => a.routing.documentId === pushedId), 20_000, 'status pushed to C');
    expectSdkShape(pushed.content);
    expect(parseEdxmlStatus(pushed.content)).toMatchObject({ statusCode: '01', from: { organId: ORGAN_B }, responseFor: { organId: ORGAN_C, documentId: pushedId } });
  });
});
