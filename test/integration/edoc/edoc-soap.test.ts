// The edoc SOAP service called by a node-soap client built from contracts/wsdl/edoc-service.wsdl: send, list, get,
// update status, a Client fault with a machine-readable code for a bad package, and gzip refused.
import { createHash, randomBytes } from 'node:crypto';
import * as soap from 'soap';
import { openAttachmentStream, parseEdxmlPackage } from '../../../src/upstreams/edxml';
import { wsdlPath } from '../../../src/core/repo-files';
import { waitFor } from '../../../testkit/env';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { CLIENT_A, CLIENT_B, ORGAN_A, ORGAN_B, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';

interface SoapError {
  root?: { Envelope?: { Body?: { Fault?: { faultcode?: string; detail?: { EdocFault?: { code?: string } } } } } };
  response?: { status?: number };
}

describe('edoc SOAP service', () => {
  let edoc: EdocBus;
  const clientFor = async (clientId: string) => {
    const client = await soap.createClientAsync(wsdlPath('edoc-service'), { endpoint: `${edoc.bus.url()}/soap/edoc` });
    client.setSecurity(new soap.BearerSecurity(edoc.token(clientId)));
    return client;
  };

  beforeAll(async () => {
    edoc = await startEdocBus({ amqp: false });
  });
  afterAll(async () => {
    await edoc.stop();
  });

  test('send, list, get and update status over SOAP', async () => {
    const sender = await clientFor(CLIENT_A);
    const recipient = await clientFor(CLIENT_B);
    const documentId = `${ORGAN_A},2025/03/14,77/UBND-SOAP`;
    const pkg = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId });
    const [sent] = await sender.SendEdocAsync({ edXML: pkg.toString('base64') });
    expect(sent).toMatchObject({ kind: 'edoc', documentId, recipient: [{ organId: ORGAN_B, delivery: 'mailbox' }] });

    const item = await waitFor(async () => {
      const [list] = await recipient.GetReceivedEdocListAsync({ kind: 'edoc' });
      const items = (list?.item ?? []) as { id: string; documentId: string }[];
      return items.find((i) => i.documentId === documentId);
    }, 20_000, 'SOAP inbox entry');
    const [got] = await recipient.GetEdocAsync({ id: item.id });
    const bytes = Buffer.from(got.edXML as string, 'base64');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sent.sha256);
    expect(got.sha256).toBe(sent.sha256);

    const [updated] = await recipient.UpdateStatusAsync({ id: item.id, statusCode: '05', description: 'Đang xử lý văn bản đến' });
    expect(updated).toMatchObject({ statusCode: '05', toOrgan: ORGAN_A, documentId });
    await waitFor(async () => {
      const [list] = await sender.GetReceivedEdocListAsync({ kind: 'status' });
      const codes = ((list?.item ?? []) as { documentId: string; statusCode: string }[]).filter((i) => i.documentId === documentId).map((i) => i.statusCode);
      return codes.includes('01') && codes.includes('05');
    }, 20_000, 'statuses 01 and 05 at the sender');
  });

  test('a bad package is a Client fault carrying the code; a foreign entry is not found', async () => {
    const sender = await clientFor(CLIENT_A);
    const error = (await sender.SendEdocAsync({ edXML: Buffer.from('<edXML><broken></edXML>').toString('base64') }).catch((e: unknown) => e)) as SoapError;
    const fault = error.root?.Envelope?.Body?.Fault;
    expect(fault?.faultcode).toBe('soap:Client');
    expect(fault?.detail?.EdocFault?.code).toMatch(/^EDXML_/);
    // WS-I Basic Profile: a SOAP 1.1 fault travels with HTTP 500; Client says whose mistake it was.
    expect(error.response?.status).toBe(500);
    const notFound = (await sender.GetEdocAsync({ id: 'no-such-entry' }).catch((e: unknown) => e)) as SoapError;
    expect(notFound.root?.Envelope?.Body?.Fault?.detail?.EdocFault?.code).toBe('EDOC_NOT_FOUND');
  });

  test('edXML as one base64 run, wrapped in lines, or with character references: the package stored is the one sent', async () => {
    const attachment = randomBytes(300 * 1024);
    const url = `${edoc.bus.url()}/soap/edoc`;
    const headers = { authorization: `Bearer ${edoc.token(CLIENT_A)}`, 'content-type': 'text/xml; charset=utf-8', soapaction: 'urn:lgsp:edoc:1.0/SendEdoc' };
    const recipient = await clientFor(CLIENT_B);
    const forms: [string, (base64: string) => string][] = [
      ['one run', (b) => b],
      ['wrapped lines', (b) => b.replace(/.{76}/g, '$&\r\n')],
      ['character references', (b) => b.replace(/.{76}/g, '$&&#13;&#10;')],
    ];
    for (const [form, write] of forms) {
      const documentId = `${ORGAN_A},2025/03/14,${form.replace(/ /g, '-')}-${Date.now() % 100000}/UBND-SOAP`;
      const pkg = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId, attachment });
      const envelope = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:lgsp:edoc:1.0"><soap:Body><e:SendEdoc><e:edXML>${write(pkg.toString('base64'))}</e:edXML></e:SendEdoc></soap:Body></soap:Envelope>`;
      const res = await fetch(url, { method: 'POST', headers, body: envelope });
      expect({ form, status: res.status }).toEqual({ form, status: 200 });
      const item = await waitFor(async () => {
        const [list] = await recipient.GetReceivedEdocListAsync({ kind: 'edoc' });
        return ((list?.item ?? []) as { id: string; documentId: string }[]).find((i) => i.documentId === documentId);
      }, 20_000, `inbox entry (${form})`);
      const [got] = await recipient.GetEdocAsync({ id: item.id });
      const stored = parseEdxmlPackage(Buffer.from(got.edXML as string, 'base64'));
      const hash = createHash('sha256');
      for await (const chunk of openAttachmentStream(stored.attachments[0]!.body)) hash.update(chunk as Buffer);
      expect({ form, attachment: hash.digest('hex') }).toEqual({ form, attachment: createHash('sha256').update(attachment).digest('hex') });
    }
    // Not base64 at all: refused, not decoded into whatever bytes come out.
    const notBase64 = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:lgsp:edoc:1.0"><soap:Body><e:SendEdoc><e:edXML>UEsD*BQAAAAIAA==</e:edXML></e:SendEdoc></soap:Body></soap:Envelope>`;
    const refused = await fetch(url, { method: 'POST', headers, body: notBase64 });
    expect(refused.status).toBe(500);
    expect(await refused.text()).toContain('<code>EDXML_INVALID_BASE64</code>');
  });

  test('gzip bodies, DOCTYPEs and missing tokens are refused before node-soap reads them', async () => {
    const url = `${edoc.bus.url()}/soap/edoc`;
    const auth = { authorization: `Bearer ${edoc.token(CLIENT_A)}`, 'content-type': 'text/xml' };
    const gz = await fetch(url, { method: 'POST', headers: { ...auth, 'content-encoding': 'gzip' }, body: 'x' });
    expect(gz.status).toBe(500);
    expect(await gz.text()).toContain('UNSUPPORTED_CONTENT_ENCODING');
    const dtd = await fetch(url, { method: 'POST', headers: auth, body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><x/>' });
    expect(dtd.status).toBe(500);
    expect(await dtd.text()).toMatch(/EDXML_(ENTITY|DOCTYPE)_FORBIDDEN/);
    const anonymous = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
    expect(anonymous.status).toBe(500);
    const fault = await anonymous.text();
    expect(fault).toContain('<soap:Fault>');
    expect(fault).toContain('<code>AUTH_REQUIRED</code>');
    const wsdl = await fetch(`${url}?wsdl`);
    expect(wsdl.status).toBe(200);
    expect(await wsdl.text()).toContain('EdocService');
  });
});
