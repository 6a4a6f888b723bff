// The population client's HTTP side against a plain node:http server that answers what a registry or a proxy might.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PopulationClient, PopulationError } from '../../../src/upstreams/population';
import { SAMPLE_CITIZENS } from '../../../testkit/simulators/population';
import { caught as caughtOf } from '../../../testkit/caught';

const credentials = { userName: 'lgsp_test', secretKey: 'test-only-secret', clientId: 'VN/GOV/000.00.00.H10/LGSP', apiKey: 'test-only-api-key' };
const tai = SAMPLE_CITIZENS.daoVanTai;
const request = { soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: tai.ngaySinh };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler;
let server: Server;
let baseUrl: string;
let client: PopulationClient;
const connections: number[] = [];
const paths: string[] = [];

function fixture(file: string): string {
  return readFileSync(path.join(__dirname, '../../fixtures/population', file), 'utf8');
}

function answer(status: number, body: string, contentType = 'text/xml; charset=utf-8'): Handler {
  return (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'Content-Type': contentType }).end(body));
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(req.url ?? '');
    handler(req, res);
  });
  server.on('connection', () => connections.push(Date.now()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = await PopulationClient.create({ endpoint: `${baseUrl}/dancu/037?v=1`, credentials, requestContext: { maDvc: 'VPCP', maCanBo: '001090000001' }, timeoutMs: 3000 });
});

afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  connections.length = 0;
  paths.length = 0;
});

const caught = (promise: Promise<unknown>): Promise<PopulationError> => caughtOf(promise, PopulationError);

function expectNoPersonalData(error: PopulationError): void {
  expect(JSON.stringify({ ...error, message: error.message })).not.toMatch(/026092008262|135602342|ĐÀO|TÀI|1992/);
}

test('calls go to the endpoint path over kept-alive connections', async () => {
  handler = answer(200, fixture('tra-cuu-037-found.xml'));
  for (let i = 0; i < 20; i++) expect((await client.lookupCitizen(request)).status).toBe('found');
  expect(paths).toEqual(Array(20).fill('/dancu/037?v=1'));
  // undici's pool may open a second connection for the call made while the first one is still draining.
  expect(connections.length).toBeLessThanOrEqual(2);
});

test('an answer over 1 MiB is refused unread → POPULATION_BAD_RESPONSE', async () => {
  const padding = `<!--${'x'.repeat(1024 * 1024)}-->`;
  handler = answer(200, fixture('tra-cuu-037-found.xml').replace('<soap:Body>', `<soap:Body>${padding}`));
  const error = await caught(client.lookupCitizen(request));
  expect(error).toMatchObject({ code: 'POPULATION_BAD_RESPONSE', transient: false, httpStatus: 200 });
  expect(error.message).toMatch(/larger than 1048576 bytes/);
});

test('an answer with a DOCTYPE is refused, its entities never expanded → POPULATION_BAD_RESPONSE', async () => {
  handler = answer(200, fixture('tra-cuu-037-doctype.xml'));
  const error = await caught(client.lookupCitizen(request));
  expect(error).toMatchObject({ code: 'POPULATION_BAD_RESPONSE', transient: false, httpStatus: 200 });
  expect(error.message).toMatch(/DOCTYPE/);
  expectNoPersonalData(error);
});

test('a Server fault with HTTP 500 → transient POPULATION_UNAVAILABLE', async () => {
  const fault = fixture('fault-client-authentication.xml').replace('soap:Client.Authentication', 'soap:Server');
  handler = answer(500, fault);
  const error = await caught(client.verifyCitizen(request));
  expect(error).toMatchObject({ code: 'POPULATION_UNAVAILABLE', transient: true, httpStatus: 500, faultCode: 'soap:Server' });
});

test("a proxy's HTML error page → classified by its status", async () => {
  handler = answer(502, '<html><body>Bad Gateway</body></html>', 'text/html');
  expect(await caught(client.lookupCitizen(request))).toMatchObject({ code: 'POPULATION_UNAVAILABLE', transient: true, httpStatus: 502 });
  handler = answer(404, '<html><body>Not Found</body></html>', 'text/html');
  expect(await caught(client.lookupCitizen(request))).toMatchObject({ code: 'POPULATION_REQUEST_REJECTED', transient: false, httpStatus: 404 });
});

test('a 200 that is not SOAP → POPULATION_BAD_RESPONSE', async () => {
  handler = answer(200, '{"ok":true}', 'application/json');
  const error = await caught(client.lookupCitizen(request));
  expect(error).toMatchObject({ code: 'POPULATION_BAD_RESPONSE', transient: false, httpStatus: 200 });
});

test('redirects are not followed', async () => {
  handler = (req, res) => {
    req.resume();
    if (req.url === '/elsewhere') return void res.writeHead(200, { 'Content-Type': 'text/xml' }).end(fixture('tra-cuu-037-found.xml'));
    res.writeHead(307, { Location: `${baseUrl}/elsewhere` }).end();
  };
  const error = await caught(client.lookupCitizen(request));
  expect(error).toMatchObject({ code: 'POPULATION_BAD_RESPONSE', httpStatus: 307 });
  expect(paths).toEqual(['/dancu/037?v=1']);
});

test('the connection reset in the middle of the answer → transient POPULATION_UNAVAILABLE', async () => {
  handler = (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': '5000' });
      res.write(fixture('tra-cuu-037-found.xml').slice(0, 300), () => res.socket?.destroy());
    });
  };
  const error = await caught(client.lookupCitizen(request));
  expect(error).toMatchObject({ code: 'POPULATION_UNAVAILABLE', transient: true, httpStatus: null });
  expect(error.causeCode).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
  expectNoPersonalData(error);
});

test('nobody listening → transient POPULATION_UNAVAILABLE with ECONNREFUSED', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const nowhere = await PopulationClient.create({ endpoint: `http://127.0.0.1:${port}/population`, credentials, requestContext: { maDvc: 'VPCP', maCanBo: 'c' } });
  const error = await caught(nowhere.lookupCitizen(request));
  await nowhere.close();
  expect(error).toMatchObject({ code: 'POPULATION_UNAVAILABLE', transient: true, httpStatus: null, causeCode: 'ECONNREFUSED' });
});

test('a WSDL of another service is refused at create time', async () => {
  const wsdlPath = path.join(__dirname, '../../../contracts/wsdl/edoc-service.wsdl');
  await expect(PopulationClient.create({ endpoint: baseUrl, credentials, requestContext: { maDvc: 'VPCP', maCanBo: 'c' }, wsdlPath })).rejects.toThrow(
    /edoc-service\.wsdl: (targetNamespace is not|no operation)/,
  );
});
