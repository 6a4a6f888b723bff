// Large edXML bodies in flight are capped per client and in all, across REST and SOAP: one more than a client's share is
// 429 LARGE_BODY_CLIENT_LIMIT, one more than the bus takes 503 LARGE_BODY_BUS_LIMIT, both with Retry-After, before the
// body is read, and audited; the bodies under the caps, and small ones whatever the caps, are accepted. A large body
// waits in a spool file with no name (not in memory) until it is processed.
import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { waitFor } from '../../../testkit/env';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { rawUpload, type RawAnswer } from '../../../testkit/worlds/edoc/raw-upload';
import { CLIENT_A, CLIENT_B, CLIENT_C, ORGAN_A, ORGAN_B, ORGAN_C, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';

const THRESHOLD = 64 * 1024;
const ORGAN_OF: Record<string, string> = { [CLIENT_A]: ORGAN_A, [CLIENT_B]: ORGAN_B, [CLIENT_C]: ORGAN_C };

describe('large edXML bodies in flight', () => {
  let edoc: EdocBus;
  let seq = 0;
  const auth = (client: string) => `Bearer ${edoc.token(client)}`;
  /** A package over the threshold (or under it when small), from the client's organ to another. */
  const pkg = (client: string, size: 'large' | 'small') =>
    documentPackage({
      from: ORGAN_OF[client]!,
      to: [client === CLIENT_B ? ORGAN_A : ORGAN_B],
      documentId: `${ORGAN_OF[client]},2025/03/14,${++seq}-${Date.now() % 100000}/UBND-LB`,
      attachment: randomBytes(size === 'large' ? 2 * THRESHOLD : 1024),
    });
  const soapBody = (edxml: Buffer) =>
    Buffer.from(
      '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:lgsp:edoc:1.0">' +
        `<soap:Body><e:SendEdoc><e:edXML>${edxml.toString('base64')}</e:edXML></e:SendEdoc></soap:Body></soap:Envelope>`,
    );
  const upload = (face: 'rest' | 'soap', client: string, body: Buffer, options: { sentNow?: number; chunked?: boolean } = {}) =>
    rawUpload(
      edoc.bus.url(),
      face === 'rest' ? '/api/v1/edocs' : '/soap/edoc',
      face === 'rest' ? { authorization: auth(client), 'content-type': 'application/xml' } : { authorization: auth(client), 'content-type': 'text/xml; charset=utf-8', soapaction: 'urn:lgsp:edoc:1.0/SendEdoc' },
      face === 'rest' ? body : soapBody(body),
      options,
    );
  /** An upload whose headers and first kilobyte are in: the bus has admitted it and waits for the rest. */
  const held = (face: 'rest' | 'soap', client: string) => upload(face, client, pkg(client, 'large'), { sentNow: 1024 });
  const inFlight = async () => Number(/^lgsp_edoc_large_bodies_in_flight (\d+)$/m.exec((await request(edoc.bus.url()).get('/metrics').expect(200)).text)?.[1]);
  const codeOf = (answer: RawAnswer) => (/"code":"([A-Z_]+)"/.exec(answer.body) ?? /<code>([A-Z_]+)<\/code>/.exec(answer.body))?.[1];
  const refusal = (answer: RawAnswer) => ({ status: answer.status, code: codeOf(answer), retryAfter: answer.headers['retry-after'] });
  const audited = async (code: string) => (await edoc.bus.audit.search({ step: 'rejected' }, { limit: 1000 })).records.filter((r) => r.errorCode === code).length;

  beforeAll(async () => {
    edoc = await startEdocBus({ amqp: false, edoc: { largeBodies: { thresholdBytes: THRESHOLD, perClient: 2, total: 3, retryAfterSeconds: 7 } } });
  });
  afterAll(async () => {
    await edoc.stop();
  });

  test('over a client\'s share: 429 on REST and SOAP; over the bus\'s: 503; everything under the caps is accepted', async () => {
    // A holds its two (one on each face: the caps count both).
    const aRest = held('rest', CLIENT_A);
    const aSoap = held('soap', CLIENT_A);
    await waitFor(async () => (await inFlight()) === 2, 10_000, 'two large bodies in flight');
    const clientLimitBefore = await audited('LARGE_BODY_CLIENT_LIMIT');

    expect(refusal(await upload('rest', CLIENT_A, pkg(CLIENT_A, 'large')).answer())).toEqual({ status: 429, code: 'LARGE_BODY_CLIENT_LIMIT', retryAfter: '7' });
    const soapRefused = await upload('soap', CLIENT_A, pkg(CLIENT_A, 'large')).answer();
    // SOAP faults travel with HTTP 500 (WS-I Basic Profile); Retry-After still says when to come back.
    expect(refusal(soapRefused)).toEqual({ status: 500, code: 'LARGE_BODY_CLIENT_LIMIT', retryAfter: '7' });
    expect(soapRefused.body).toContain('<faultcode>soap:Client</faultcode>');
    // A small body is not counted: A still sends it.
    expect((await upload('rest', CLIENT_A, pkg(CLIENT_A, 'small')).finish()).status).toBe(202);

    // B takes the bus's last slot; C, with none of its own in flight, finds the bus full.
    const bRest = held('rest', CLIENT_B);
    await waitFor(async () => (await inFlight()) === 3, 10_000, 'three large bodies in flight');
    const busLimitBefore = await audited('LARGE_BODY_BUS_LIMIT');
    expect(refusal(await upload('rest', CLIENT_C, pkg(CLIENT_C, 'large')).answer())).toEqual({ status: 503, code: 'LARGE_BODY_BUS_LIMIT', retryAfter: '7' });
    const busFault = await upload('soap', CLIENT_C, pkg(CLIENT_C, 'large')).answer();
    expect(refusal(busFault)).toEqual({ status: 500, code: 'LARGE_BODY_BUS_LIMIT', retryAfter: '7' });
    expect(busFault.body).toContain('<faultcode>soap:Server</faultcode>');
    // A body of unknown length (chunked) counts as large, however small it turns out.
    expect(refusal(await upload('rest', CLIENT_C, pkg(CLIENT_C, 'small'), { chunked: true }).answer())).toMatchObject({ status: 503, code: 'LARGE_BODY_BUS_LIMIT' });

    // The bodies under the caps are all accepted once they are complete.
    expect((await aRest.finish()).status).toBe(202);
    expect((await aSoap.finish()).status).toBe(200);
    expect((await bRest.finish()).status).toBe(202);
    await waitFor(async () => (await inFlight()) === 0, 10_000, 'no large body in flight');
    // With the slots back, C's large body and a chunked one are taken.
    expect((await upload('rest', CLIENT_C, pkg(CLIENT_C, 'large')).finish()).status).toBe(202);
    expect((await upload('soap', CLIENT_C, pkg(CLIENT_C, 'small'), { chunked: true }).finish()).status).toBe(200);

    await waitFor(async () => (await audited('LARGE_BODY_CLIENT_LIMIT')) >= clientLimitBefore + 2, 5000, 'audit of the 429s');
    await waitFor(async () => (await audited('LARGE_BODY_BUS_LIMIT')) >= busLimitBefore + 3, 5000, 'audit of the 503s');
  });

  test('a client that goes away mid-upload gives its slot back', async () => {
    const gone = held('rest', CLIENT_B);
    await waitFor(async () => (await inFlight()) === 1, 10_000, 'one large body in flight');
    gone.abort();
    await waitFor(async () => (await inFlight()) === 0, 10_000, 'the slot given back');
  });

  test('a large body is spooled to a file that has no name, and nothing is left once it is answered', async () => {
    // The bus runs in this process: its open files are this process's.
    const spoolFiles = () =>
      readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((target) => target.includes(`${path.sep}edoc-spool${path.sep}`));
    const spoolDir = path.join(edoc.dataDir, 'edoc-spool');
    for (const face of ['rest', 'soap'] as const) {
      const upload = held(face, CLIENT_A);
      await waitFor(() => spoolFiles().length === 1, 10_000, `the ${face} body in a spool file`);
      expect(spoolFiles()[0]).toMatch(/\.spool \(deleted\)$/);
      expect(readdirSync(spoolDir)).toEqual([]);
      expect((await upload.finish()).status).toBe(face === 'rest' ? 202 : 200);
      await waitFor(() => spoolFiles().length === 0, 10_000, 'the spool file closed');
    }
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  test('a large body the bus cannot hold on its disk is answered STORE_UNAVAILABLE, and taken again once it can', async () => {
    const spoolDir = path.join(edoc.dataDir, 'edoc-spool');
    // A file where the spool directory should be: every spool file fails to open, as on a broken disk.
    rmSync(spoolDir, { recursive: true, force: true });
    writeFileSync(spoolDir, 'not a directory');
    try {
      const rest = await upload('rest', CLIENT_A, pkg(CLIENT_A, 'large')).finish();
      expect(refusal(rest)).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
      const soap = await upload('soap', CLIENT_A, pkg(CLIENT_A, 'large')).finish();
      expect(refusal(soap)).toMatchObject({ status: 500, code: 'STORE_UNAVAILABLE' });
      expect(soap.body).toContain('<faultcode>soap:Server</faultcode>');
    } finally {
      rmSync(spoolDir, { force: true });
    }
    expect((await upload('rest', CLIENT_A, pkg(CLIENT_A, 'large')).finish()).status).toBe(202);
    await waitFor(async () => (await inFlight()) === 0, 10_000, 'no large body in flight');
  });
});
