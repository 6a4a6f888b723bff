// With http.publicBaseUrl configured, both WSDLs the bus serves (the metaservice's …/wsdl and /soap/edoc?wsdl) address
// that URL, path prefix included, whatever Host header the caller sends.
import request from 'supertest';
import { CLIENT_A, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';

const PUBLIC_BASE_URL = 'https://lgsp.binhphuoc.example/truc-lien-thong';

describe('WSDL addresses with a configured public base URL', () => {
  let edoc: EdocBus;
  beforeAll(async () => {
    // The trailing slash is dropped, so the address has no double slash.
    edoc = await startEdocBus({ amqp: false, http: { publicBaseUrl: `${PUBLIC_BASE_URL}/` } });
  });
  afterAll(async () => {
    await edoc.stop();
  });

  test('the configured URL is the soap:address of both WSDLs; a hostile Host header changes neither', async () => {
    const hostile = { Host: 'evil.example:666', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'gopher' };
    const meta = await request(edoc.bus.url()).get('/api/v1/meta/services/edoc/wsdl').set('Authorization', `Bearer ${edoc.token(CLIENT_A)}`).set(hostile).expect(200);
    const served = await request(edoc.bus.url()).get('/soap/edoc?WSDL').set(hostile).expect(200);
    for (const wsdl of [meta.text, served.text]) {
      expect(wsdl).toContain(`<soap:address location="${PUBLIC_BASE_URL}/soap/edoc"/>`);
      expect(wsdl).not.toContain('evil.example');
      expect(wsdl).not.toContain('localhost:8080');
      expect(wsdl).not.toContain(edoc.bus.url());
    }
  });
});
