// Metaservices over a real socket, on the shipped demo configuration (both flows) plus clients with keys and limits:
// listClients without anyone's keys, the services, what the caller may use, and each service's OpenAPI and WSDL
// (a SOAP client built from the downloaded WSDL calls the bus).
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import * as soap from 'soap';
import request from 'supertest';
import YAML from 'yaml';
import type { Bus } from '../../../src/bus';
import type { BusConfig } from '../../../src/config/load-config';
import { mintToken } from '../../../src/http/auth/auth';
import { BUS_CATALOGUE } from '../../../src/bus-config';
import { knownRights } from '../../../src/config/flow-descriptor';
import { startShippedBus, type ShippedBus } from '../../../testkit/worlds/shipped-world';

const HS_SECRET_ENV = 'META_TEST_HS_SECRET';
const HS_SECRET = 'meta-test-hs256-secret-0123456789abcdef';
const rsaPublicPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

interface Endpoint { right: string; protocol: 'rest' | 'soap'; method: string; path: string; soapOperation: string | null }
interface Service { code: string; endpoints: Endpoint[]; openapiUrl: string; wsdlUrl: string | null }

describe('metaservices', () => {
  let shipped: ShippedBus;
  let bus: Bus;
  let config: BusConfig;
  let dir: string;
  const get = (url: string, client = 'motcua-binhphuoc') => request(bus.url()).get(url).set('Authorization', `Bearer ${mintToken(config, client)}`);

  beforeAll(async () => {
    process.env[HS_SECRET_ENV] = HS_SECRET;
    shipped = await startShippedBus((file) => {
      file.clients = [
        ...(file.clients ?? []),
        { id: 'keyed', name: 'Keys and limits', member: 'VN/COM/0101234567', rights: ['message.*'], keys: [{ kid: 'keyed-rsa', alg: 'RS256', publicKeyPem: rsaPublicPem }, { kid: 'keyed-hs', alg: 'HS256', secretEnv: HS_SECRET_ENV }], throttle: { rate: 100 } },
        { id: 'no-rights', name: 'Không có quyền' },
      ];
    });
    ({ bus, config, dir } = shipped);
  });
  afterAll(async () => {
    await shipped?.dispose();
    delete process.env[HS_SECRET_ENV];
  });

  test('need a bus token of an intake client; refusals carry codes', async () => {
    expect((await request(bus.url()).get('/api/v1/meta/clients').expect(401)).body.code).toBe('AUTH_REQUIRED');
    expect((await get('/api/v1/meta/services', 'admin-console').expect(403)).body.code).toBe('ROLE_REQUIRED');
    expect((await get('/api/v1/meta/services/nothing/openapi').expect(404)).body.code).toBe('SERVICE_NOT_FOUND');
  });

  test('listClients: every client with its member id, and nobody\'s keys, secrets, rights or limits', async () => {
    // Asked by the client with keys, with a token signed by one of them.
    const token = jwt.sign({ iss: 'lgsp-bus', aud: 'lgsp-bus', sub: 'keyed' }, HS_SECRET, { algorithm: 'HS256', keyid: 'keyed-hs', expiresIn: 60 });
    const res = await request(bus.url()).get('/api/v1/meta/clients').set('Authorization', `Bearer ${token}`).expect(200);
    const items = res.body.items as { id: string; name: string; member: unknown }[];
    expect(items.map((c) => c.id)).toEqual(config.clients.map((c) => c.id));
    expect(items.find((c) => c.id === 'motcua-binhphuoc')).toEqual({
      id: 'motcua-binhphuoc',
      name: 'Hệ thống một cửa điện tử tỉnh Bình Phước',
      member: { id: 'VN/GOV/000.00.00.H10/MOTCUA', instance: 'VN', memberClass: 'GOV', memberCode: '000.00.00.H10', subsystem: 'MOTCUA' },
    });
    expect(items.find((c) => c.id === 'keyed')?.member).toEqual({ id: 'VN/COM/0101234567', instance: 'VN', memberClass: 'COM', memberCode: '0101234567', subsystem: null });
    expect(items.find((c) => c.id === 'no-rights')?.member).toBeNull();
    for (const item of items) expect(Object.keys(item).sort()).toEqual(['id', 'member', 'name']);
    for (const leak of ['BEGIN PUBLIC KEY', HS_SECRET_ENV, HS_SECRET, 'keyed-rsa', 'keyed-hs', '"throttle"', '"rights"', '"keys"', 'dossier.submit']) expect(res.text).not.toContain(leak);
  });

  test('listMethods: each service with its endpoints, every right of the bus covered, contracts linked', async () => {
    const services = (await get('/api/v1/meta/services').expect(200)).body.items as Service[];
    expect(services.map((s) => s.code)).toEqual(['message', 'dossier', 'procedure', 'citizen', 'edoc']);
    expect(new Set(services.flatMap((s) => s.endpoints.map((e) => e.right)))).toEqual(new Set(knownRights(BUS_CATALOGUE)));
    const edoc = services.find((s) => s.code === 'edoc')!;
    expect(edoc.wsdlUrl).toBe('/api/v1/meta/services/edoc/wsdl');
    expect(edoc.endpoints.filter((e) => e.protocol === 'soap').map((e) => e.soapOperation)).toEqual(['SendEdoc', 'GetReceivedEdocList', 'GetEdoc', 'UpdateStatus']);
    expect(edoc.endpoints.find((e) => e.soapOperation === 'SendEdoc')).toEqual({ right: 'edoc.send', protocol: 'soap', method: 'POST', path: '/soap/edoc', soapOperation: 'SendEdoc' });
    expect(services.find((s) => s.code === 'dossier')).toMatchObject({ openapiUrl: '/api/v1/meta/services/dossier/openapi', wsdlUrl: null });
  });

  test('allowedMethods: only the endpoints the caller has rights for', async () => {
    const allowed = async (client: string) => (await get('/api/v1/meta/allowed-services', client).expect(200)).body as { client: { id: string; member: { id: string } | null }; items: Service[] };
    const motcua = await allowed('motcua-binhphuoc');
    expect(motcua.client).toMatchObject({ id: 'motcua-binhphuoc', member: { id: 'VN/GOV/000.00.00.H10/MOTCUA' } });
    expect(motcua.items.map((s) => s.code)).toEqual(['message', 'dossier', 'procedure', 'citizen']);
    const qlvb = await allowed('qlvb-dongxoai');
    expect(qlvb.items.map((s) => s.code)).toEqual(['message', 'edoc']);
    // The qlvb group has message.status but not message.generic.
    expect(qlvb.items[0]!.endpoints.map((e) => e.right)).toEqual(['message.status']);
    expect(qlvb.items[1]!.endpoints).toHaveLength(8);
    expect((await allowed('no-rights')).items).toEqual([]);
  });

  test('getOpenAPI: each service\'s own paths, self-contained, YAML or JSON', async () => {
    const services = (await get('/api/v1/meta/services').expect(200)).body.items as Service[];
    for (const service of services) {
      const res = await get(service.openapiUrl).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/yaml/);
      const document = YAML.parse(res.text) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: Record<string, Record<string, unknown>> };
      expect(document.openapi).toBe('3.1.0');
      const expected: Record<string, string[]> = {};
      for (const e of service.endpoints.filter((x) => x.protocol === 'rest')) (expected[e.path] ??= []).push(e.method.toLowerCase());
      expect(Object.fromEntries(Object.entries(document.paths).map(([p, item]) => [p, Object.keys(item)]))).toEqual(expected);
      // Every $ref points inside the document, at something that is there.
      for (const ref of res.text.match(/\$ref: .+/g) ?? []) {
        const target = ref.replace(/^\$ref: ['"]?/, '').replace(/['"]?$/, '');
        expect(target).toMatch(/^#\/components\/[A-Za-z]+\/[^/]+$/);
        const [, kind, name] = target.split('/').slice(1);
        expect(document.components[kind!]?.[name!]).toBeDefined();
      }
    }
    const dossier = YAML.parse((await get('/api/v1/meta/services/dossier/openapi').expect(200)).text) as { components: { schemas: Record<string, unknown> } };
    expect(dossier.components.schemas.DossierIntake).toBeDefined(); // from dossier-intake.yaml
    const json = await get('/api/v1/meta/services/edoc/openapi').set('Accept', 'application/json').expect('Content-Type', /application\/json/).expect(200);
    expect(Object.keys(json.body.paths)).toEqual(['/api/v1/edocs', '/api/v1/edocs/inbox', '/api/v1/edocs/{id}', '/api/v1/edocs/{id}/status']);
  });

  test('getWsdl: one self-contained file addressing this bus; a client built from it calls the service', async () => {
    expect((await get('/api/v1/meta/services/dossier/wsdl').expect(404)).body.code).toBe('WSDL_NOT_FOUND');
    const res = await get('/api/v1/meta/services/edoc/wsdl').expect('Content-Type', /text\/xml/).expect(200);
    expect(res.text).not.toContain('schemaLocation');
    expect(res.text).toContain(`<soap:address location="${bus.url()}/soap/edoc"/>`);
    const file = path.join(dir, 'downloaded.wsdl');
    writeFileSync(file, res.text);
    const client = await soap.createClientAsync(file);
    client.setSecurity(new soap.BearerSecurity(mintToken(config, 'qlvb-dongxoai')));
    const [list] = await client.GetReceivedEdocListAsync({ kind: 'edoc' });
    expect(list?.item ?? []).toEqual([]);
  });

  test('both WSDLs address where the bus listens (no publicBaseUrl configured), whatever the Host header says', async () => {
    const address = `<soap:address location="${bus.url()}/soap/edoc"/>`;
    const meta = await get('/api/v1/meta/services/edoc/wsdl').set('Host', 'evil.example:666').set('X-Forwarded-Host', 'evil.example').expect(200);
    const served = await request(bus.url()).get('/soap/edoc?wsdl').set('Host', 'evil.example:666').set('X-Forwarded-Host', 'evil.example').expect('Content-Type', /text\/xml/).expect(200);
    for (const wsdl of [meta.text, served.text]) {
      expect(wsdl).toContain(address);
      expect(wsdl).not.toContain('evil.example');
      expect(wsdl).not.toContain('localhost:8080');
    }
    // The one served at ?wsdl is as self-contained as the metaservice's: a client built from it calls the bus.
    expect(served.text).toBe(meta.text);
  });
});
