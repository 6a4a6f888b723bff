// Every answer of the edoc SOAP face, captured over a real socket, is checked with libxml2's XML Schema validator
// against the schema of the WSDL the bus serves at /soap/edoc?wsdl (which imports nothing it cannot resolve): success
// answers, operation faults and the faults raised before node-soap sees the request. Faults travel with HTTP 500
// (WS-I Basic Profile), faultstring holds the message only, the code sits in <EdocFault> of the WSDL's namespace.
import { waitFor } from '../../../testkit/env';
import { checkSoapAnswer, wsdlSchemas } from '../../../testkit/soap-schema';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { CLIENT_A, CLIENT_B, ORGAN_A, ORGAN_B, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';

const EDOC_NS = 'urn:lgsp:edoc:1.0';

describe('edoc SOAP answers against the served WSDL schema', () => {
  let edoc: EdocBus;
  let schemas: Map<string, string>;
  const endpoint = () => `${edoc.bus.url()}/soap/edoc`;
  const post = async (body: string, headers: Record<string, string>) => {
    const res = await fetch(endpoint(), { method: 'POST', headers, body });
    return { status: res.status, text: await res.text() };
  };
  const call = (operation: string, inner: string, client: string | null = CLIENT_A) =>
    post(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><e:${operation} xmlns:e="${EDOC_NS}">${inner}</e:${operation}></soap:Body></soap:Envelope>`, {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: `${EDOC_NS}/${operation}`,
      ...(client === null ? {} : { authorization: `Bearer ${edoc.token(client)}` }),
    });
  const expectValidAnswer = async (answer: { status: number; text: string }, element: string) => {
    const check = await checkSoapAnswer(answer.text, schemas);
    expect({ status: answer.status, checked: check.checked, errors: check.errors, fault: check.fault }).toEqual({ status: 200, checked: [`{${EDOC_NS}}${element}`], errors: [], fault: undefined });
  };
  const expectValidFault = async (answer: { status: number; text: string }, faultcode: string, code: string, field?: string) => {
    const check = await checkSoapAnswer(answer.text, schemas);
    expect({ status: answer.status, checked: check.checked, errors: check.errors, faultcode: check.fault?.faultcode }).toEqual({ status: 500, checked: [`{${EDOC_NS}}EdocFault`], errors: [], faultcode });
    expect(answer.text).toContain(`<EdocFault xmlns="${EDOC_NS}"><code>${code}</code>${field === undefined ? '' : `<field>${field}</field>`}</EdocFault>`);
    expect(check.fault?.faultstring).not.toContain(code);
    expect(check.fault?.faultstring).not.toBe('');
  };

  beforeAll(async () => {
    edoc = await startEdocBus({ amqp: false });
    const wsdl = await fetch(`${endpoint()}?wsdl`);
    expect(wsdl.status).toBe(200);
    const text = await wsdl.text();
    expect(text).not.toContain('schemaLocation');
    expect(text).toContain(`<soap:address location="${endpoint()}"/>`);
    schemas = wsdlSchemas(text);
    expect([...schemas.keys()]).toEqual([EDOC_NS]);
  });
  afterAll(async () => {
    await edoc.stop();
  });

  test('success answers validate, a non-empty inbox with every optional field included', async () => {
    const documentId = `${ORGAN_A},2025/03/14,${Date.now() % 100000}/UBND-XSD`;
    const sent = await call('SendEdoc', `<e:edXML>${documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId, businessDocType: 0 }).toString('base64')}</e:edXML>`);
    await expectValidAnswer(sent, 'SendEdocResponse');
    const entryId = await waitFor(async () => /<(?:\w+:)?id>([^<]+)<\/(?:\w+:)?id>/.exec((await call('GetReceivedEdocList', '<e:kind>edoc</e:kind>', CLIENT_B)).text)?.[1], 20_000, 'entry at B');
    await expectValidAnswer(await call('GetEdoc', `<e:id>${entryId}</e:id>`, CLIENT_B), 'GetEdocResponse');
    await expectValidAnswer(await call('UpdateStatus', `<e:id>${entryId}</e:id><e:statusCode>03</e:statusCode><e:description>Đã tiếp nhận</e:description>`, CLIENT_B), 'UpdateStatusResponse');
    // B's entry now has businessDocType and reportedStatus; A's status entries have statusCode.
    const inboxB = await call('GetReceivedEdocList', '', CLIENT_B);
    expect(inboxB.text).toMatch(/reportedStatus>03</);
    expect(inboxB.text).toMatch(/businessDocType>0</);
    await expectValidAnswer(inboxB, 'GetReceivedEdocListResponse');
    const inboxA = await waitFor(async () => {
      const answer = await call('GetReceivedEdocList', '<e:kind>status</e:kind>', CLIENT_A);
      return /statusCode>03</.test(answer.text) ? answer : null;
    }, 20_000, 'status 03 at A');
    await expectValidAnswer(inboxA, 'GetReceivedEdocListResponse');
    const statusEntry = /<(?:\w+:)?id>([^<]+)<\/(?:\w+:)?id>/.exec(inboxA.text)![1]!;
    const packet = Buffer.from(/<(?:\w+:)?edXML>([^<]+)</.exec((await call('GetEdoc', `<e:id>${statusEntry}</e:id>`, CLIENT_A)).text)![1]!, 'base64');
    await expectValidAnswer(await call('SendEdoc', `<e:edXML>${packet.toString('base64')}</e:edXML>`, CLIENT_B), 'SendEdocResponse');
  });

  test('faults raised by operations, by auth and before node-soap validate, with HTTP 500 and the code in the detail', async () => {
    await expectValidFault(await call('SendEdoc', `<e:edXML>${Buffer.from('<edXML><broken></edXML>').toString('base64')}</e:edXML>`), 'soap:Client', 'EDXML_MALFORMED_XML');
    const noTo = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId: `${ORGAN_A},2025/03/14,1/UBND-XSD` }).toString('utf8').replace(/<edXML:To>[\s\S]*?<\/edXML:To>/g, '');
    await expectValidFault(await call('SendEdoc', `<e:edXML>${Buffer.from(noTo).toString('base64')}</e:edXML>`), 'soap:Client', 'EDXML_MISSING_FIELD', 'MessageHeader/To');
    await expectValidFault(await call('GetEdoc', '<e:id>no-such-entry</e:id>'), 'soap:Client', 'EDOC_NOT_FOUND', 'id');
    await expectValidFault(await call('UpdateStatus', '<e:id>x</e:id><e:statusCode>99</e:statusCode>'), 'soap:Client', 'EDXML_INVALID_STATUS_CODE', 'statusCode');
    await expectValidFault(await call('GetEdoc', '<e:id>x</e:id>', null), 'soap:Client', 'AUTH_REQUIRED');
    await expectValidFault(await post('<soap:Envelope/>', { 'content-type': 'text/html', authorization: `Bearer ${edoc.token(CLIENT_A)}` }), 'soap:Client', 'UNSUPPORTED_MEDIA_TYPE');
    await expectValidFault(await call('NoSuchOperation', ''), 'soap:Client', 'SOAP_MALFORMED_REQUEST');
  });
});
