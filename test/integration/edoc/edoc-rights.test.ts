// Rights on the edoc faces: a client without edoc.send is refused 403 RIGHT_REQUIRED over REST and over SOAP (a Client
// fault carrying the code), and keeps the rights it has (its inbox).
import * as soap from 'soap';
import request from 'supertest';
import { wsdlPath } from '../../../src/core/repo-files';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { CLIENT_A, CLIENT_B, ORGAN_A, ORGAN_B, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';

interface SoapError {
  root?: { Envelope?: { Body?: { Fault?: { faultcode?: string; detail?: { EdocFault?: { code?: string } } } } } };
  response?: { status?: number };
}

describe('edoc rights', () => {
  let edoc: EdocBus;
  beforeAll(async () => {
    edoc = await startEdocBus({ amqp: false, rights: { [CLIENT_A]: ['edoc.inbox'] } });
  });
  afterAll(async () => {
    await edoc.stop();
  });

  test('REST: sending without edoc.send is 403 RIGHT_REQUIRED; the inbox still answers', async () => {
    const pkg = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId: `${ORGAN_A},2025/03/14,78/UBND-R` });
    const auth = `Bearer ${edoc.token(CLIENT_A)}`;
    const res = await request(edoc.bus.url()).post('/api/v1/edocs').set('Authorization', auth).set('Content-Type', 'application/xml').send(pkg).expect(403);
    expect(res.body.code).toBe('RIGHT_REQUIRED');
    await request(edoc.bus.url()).get('/api/v1/edocs/inbox').set('Authorization', auth).expect(200);
    expect((await request(edoc.bus.url()).post('/api/v1/edocs/x/status').set('Authorization', auth).send({}).expect(403)).body.code).toBe('RIGHT_REQUIRED');
  });

  test('SOAP: SendEdoc without edoc.send is a Client fault RIGHT_REQUIRED (HTTP 500, as every SOAP fault); another client may send', async () => {
    const client = await soap.createClientAsync(wsdlPath('edoc-service'), { endpoint: `${edoc.bus.url()}/soap/edoc` });
    client.setSecurity(new soap.BearerSecurity(edoc.token(CLIENT_A)));
    const pkg = documentPackage({ from: ORGAN_A, to: [ORGAN_B], documentId: `${ORGAN_A},2025/03/14,79/UBND-R` });
    const error = (await client.SendEdocAsync({ edXML: pkg.toString('base64') }).catch((e: unknown) => e)) as SoapError;
    expect(error.response?.status).toBe(500);
    expect(error.root?.Envelope?.Body?.Fault?.faultcode).toBe('soap:Client');
    expect(error.root?.Envelope?.Body?.Fault?.detail?.EdocFault?.code).toBe('RIGHT_REQUIRED');
    const [list] = await client.GetReceivedEdocListAsync({});
    expect(list === null || typeof list === 'object').toBe(true);

    const sender = await soap.createClientAsync(wsdlPath('edoc-service'), { endpoint: `${edoc.bus.url()}/soap/edoc` });
    sender.setSecurity(new soap.BearerSecurity(edoc.token(CLIENT_B)));
    const back = documentPackage({ from: ORGAN_B, to: [ORGAN_A], documentId: `${ORGAN_B},2025/03/14,80/UBND-R` });
    const [sent] = await sender.SendEdocAsync({ edXML: back.toString('base64') });
    expect(sent).toMatchObject({ kind: 'edoc' });
  });
});
