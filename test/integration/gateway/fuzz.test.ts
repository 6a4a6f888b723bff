// Property-based fuzzing of every intake endpoint (fast-check): 10,000 generated bad requests over keep-alive
// connections, the generic endpoint also with the flows' own message types. No answer is a 5xx, no flow-owned type is
// accepted on the generic endpoint, the bus stays up, every refusal is audited, and a valid dossier sent in the middle
// of it is accepted and delivered to DVCQG.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import path from 'node:path';
import { TEST_CLIENT } from '../../../testkit/bus-process';
import { waitFor } from '../../../testkit/env';
import { EDOC_SENDER, RECIPIENT_ORGAN, RIGHTLESS_CLIENT, SENDER_ORGAN, startHostileWorld, type HostileWorld } from '../../../testkit/worlds/hostile-world';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { loadFlows } from '../../../src/flows';

const FUZZ_COUNT = 10_000;
const CONCURRENCY = 8;
const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;

interface FuzzRequest {
  path: string;
  contentType: string | null;
  contentEncoding: string | null;
  /** Who signs the token: a client with the rights, one without, or a forged token. */
  auth: 'valid' | 'rightless' | 'forged' | 'none';
  body: Buffer;
}

const ENDPOINTS = [
  { path: '/api/v1/messages', kind: 'json', client: TEST_CLIENT },
  // The generic endpoint with the flows' own message types: never accepted there, whatever the body.
  { path: '/api/v1/messages', kind: 'owned', client: TEST_CLIENT },
  { path: '/api/v1/dossiers', kind: 'json', client: TEST_CLIENT },
  { path: '/api/v1/dossiers/000.00.04.H10-261201-0001/progress', kind: 'json', client: TEST_CLIENT },
  { path: '/api/v1/citizens/verify', kind: 'json', client: TEST_CLIENT },
  { path: '/api/v1/edocs', kind: 'edxml', client: EDOC_SENDER },
  { path: '/soap/edoc', kind: 'soap', client: EDOC_SENDER },
] as const;

describe('fuzzing the intake endpoints', () => {
  let world: HostileWorld;
  beforeAll(async () => {
    world = await startHostileWorld();
  });
  afterAll(async () => world?.dispose());

  test(`${FUZZ_COUNT} generated bad requests: no 5xx, the bus stays up, every refusal audited, a valid dossier still delivered`, async () => {
    const validEdxml = documentPackage({ from: SENDER_ORGAN, to: [RECIPIENT_ORGAN], documentId: `${SENDER_ORGAN},2025/03/14,9/FUZZ` }).toString('utf8');
    const jsonSamples: Record<string, Record<string, unknown>> = {
      '/api/v1/messages': { type: 'test.ping', subject: 'HS-1', payload: { n: 1 } },
      '/api/v1/dossiers': sample,
      '/api/v1/dossiers/000.00.04.H10-261201-0001/progress': { MaHoSo: '000.00.04.H10-261201-0001', TrangThaiHoSo: 'DangXuLy', NguoiXuLy: 'Nguyễn Văn A', NoiDungXuLy: 'Chuyển phòng', ThoiGianXuLy: '2026-11-27T10:00:00+07:00' },
      '/api/v1/citizens/verify': { soDinhDanh: '026092008262', hoVaTen: 'Đào Văn Tài', ngaySinh: '1992-11-22' },
    };

    // Values that break a field: wrong types, overlong and odd text, bad ids.
    const badValue = fc.oneof(
      fc.constantFrom<unknown>(null, true, 0, -1, 1e308, [], {}, '', ' ', '\u0000', '__proto__', 'x'.repeat(5000), '999092008262', '02659200826', 'HS 1/2', '000.00.01.H10;DROP', '<x/>', '%00', '../../etc'),
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.integer(),
      fc.double(),
      fc.array(fc.string(), { maxLength: 5 }),
      fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 5 }),
    );
    const mutatedJson = (base: Record<string, unknown>) =>
      fc
        .array(
          fc.oneof(
            fc.record({ op: fc.constant('drop' as const), key: fc.constantFrom(...Object.keys(base)) }),
            fc.record({ op: fc.constant('set' as const), key: fc.constantFrom(...Object.keys(base), 'extra', '__proto__', 'constructor'), value: badValue }),
          ),
          { minLength: 1, maxLength: 4 },
        )
        .map((ops) => {
          const copy: Record<string, unknown> = { ...base };
          for (const op of ops) {
            if (op.op === 'drop') delete copy[op.key];
            else Object.defineProperty(copy, op.key, { value: op.value, enumerable: true, writable: true, configurable: true });
          }
          return Buffer.from(JSON.stringify(copy) ?? 'null');
        });
    const brokenText = (valid: string) =>
      fc.oneof(
        fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
        fc.tuple(fc.nat({ max: valid.length }), fc.string({ maxLength: 20 })).map(([n, s]) => valid.slice(0, n) + s + valid.slice(n)),
        fc.tuple(fc.nat({ max: valid.length }), fc.constantFrom('<!DOCTYPE x>', '<!ENTITY e "x">', '&e;', ']]>', '<![CDATA[', '</', '\u0000', '\uFFFE', '"', '{', '}')).map(([n, s]) => valid.slice(0, n) + s + valid.slice(n)),
      );
    const randomBytes = fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b));
    const soapOf = (edxml: string) =>
      `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:lgsp:edoc:1.0"><soap:Body><e:SendEdoc><e:edXML>${Buffer.from(edxml).toString('base64')}</e:edXML></e:SendEdoc></soap:Body></soap:Envelope>`;

    const blob = { documentId: `${SENDER_ORGAN},2026/11/30,1/FUZZ`, sha256: 'ab'.repeat(32), bytes: 1024 };
    const ownedSamples: Record<string, unknown>[] = (await loadFlows()).flatMap((flow) => flow.messageTypes).map((type) => ({
      type,
      subject: type.startsWith('dossier.') ? '000.00.04.H10-261201-0009' : blob.documentId,
      payload: type.startsWith('dossier.')
        ? { ...sample, MaHoSo: '000.00.04.H10-261201-0009' }
        : { blob, fromOrgan: SENDER_ORGAN, toOrgan: RECIPIENT_ORGAN, delivery: 'mailbox', businessDocType: 0, statusCode: '02', recipients: [{ organId: RECIPIENT_ORGAN, delivery: 'mailbox' }] },
    }));
    const bodyFor = (endpoint: (typeof ENDPOINTS)[number]): fc.Arbitrary<Buffer> => {
      if (endpoint.kind === 'owned') {
        return fc.constantFrom(...ownedSamples).chain((base) => fc.oneof({ weight: 1, arbitrary: fc.constant(Buffer.from(JSON.stringify(base))) }, { weight: 3, arbitrary: mutatedJson(base) }));
      }
      if (endpoint.kind === 'json') {
        const base = jsonSamples[endpoint.path]!;
        return fc.oneof(
          { weight: 5, arbitrary: mutatedJson(base) },
          { weight: 2, arbitrary: brokenText(JSON.stringify(base)).map((t) => Buffer.from(t)) },
          { weight: 1, arbitrary: randomBytes },
          { weight: 1, arbitrary: fc.json().map((t) => Buffer.from(t)) },
        );
      }
      if (endpoint.kind === 'edxml') {
        return fc.oneof({ weight: 4, arbitrary: brokenText(validEdxml).map((t) => Buffer.from(t)) }, { weight: 1, arbitrary: randomBytes });
      }
      return fc.oneof(
        { weight: 2, arbitrary: brokenText(validEdxml).map((t) => Buffer.from(soapOf(t))) },
        { weight: 2, arbitrary: brokenText(soapOf(validEdxml)).map((t) => Buffer.from(t)) },
        { weight: 1, arbitrary: randomBytes },
      );
    };
    const goodType = (kind: (typeof ENDPOINTS)[number]['kind']) => (kind === 'json' || kind === 'owned' ? 'application/json' : kind === 'edxml' ? 'application/xml' : 'text/xml; charset=utf-8');
    const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.constantFrom(...ENDPOINTS).chain((endpoint) =>
      fc.record({
        path: fc.constant(endpoint.path),
        contentType: fc.oneof({ weight: 8, arbitrary: fc.constant(goodType(endpoint.kind)) }, { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/json; charset=latin1', 'multipart/form-data', 'application/x-www-form-urlencoded', '') }, { weight: 1, arbitrary: fc.constant(null) }),
        contentEncoding: fc.oneof({ weight: 19, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity, gzip') }),
        auth: fc.oneof({ weight: 17, arbitrary: fc.constant('valid' as const) }, { weight: 1, arbitrary: fc.constantFrom('rightless' as const, 'forged' as const, 'none' as const) }),
        body: bodyFor(endpoint),
      }).map((r) => ({ ...r, clientId: endpoint.client, owned: endpoint.kind === 'owned' })),
    );

    const generated = fc.sample(fuzzRequest, { numRuns: FUZZ_COUNT, seed: 20261127 }) as (FuzzRequest & { clientId: string; owned: boolean })[];
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const url = new URL(world.url);
    const send = (r: FuzzRequest & { clientId: string }) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const headers: Record<string, string> = { 'content-length': String(r.body.length) };
        if (r.contentType !== null) headers['content-type'] = r.contentType;
        if (r.contentEncoding !== null) headers['content-encoding'] = r.contentEncoding;
        if (r.auth === 'valid') headers.authorization = `Bearer ${world.token(r.clientId)}`;
        if (r.auth === 'rightless') headers.authorization = `Bearer ${world.token(RIGHTLESS_CLIENT)}`;
        if (r.auth === 'forged') headers.authorization = `Bearer ${world.token(r.clientId).slice(0, -4)}AAAA`;
        const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: r.path, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        req.end(r.body);
      });

    const started = Date.now();
    const statuses = new Map<number, number>();
    const serverErrors: { path: string; status: number; body: string }[] = [];
    let refusals = 0;
    let next = 0;
    const ownedAccepted: string[] = [];
    let ownedSent = 0;
    let validDossier: Promise<{ status: number; body: string }> | null = null;
    const maHoSo = `000.00.04.H10-261201-${Date.now() % 1e6}`;
    const worker = async () => {
      while (next < generated.length) {
        const n = next++;
        if (n === Math.floor(FUZZ_COUNT / 2)) {
          validDossier = send({ path: '/api/v1/dossiers', contentType: 'application/json', contentEncoding: null, auth: 'valid', clientId: TEST_CLIENT, body: Buffer.from(JSON.stringify({ ...sample, MaHoSo: maHoSo })) });
        }
        const r = generated[n]!;
        const answer = await send(r);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        // A SOAP fault travels with HTTP 500 (WS-I Basic Profile): the caller's mistake is the one whose faultcode is Client.
        const clientFault = answer.status === 500 && answer.body.includes('<faultcode>soap:Client</faultcode>');
        if (answer.status >= 500 && !clientFault) serverErrors.push({ path: r.path, status: answer.status, body: answer.body.slice(0, 300) });
        if (r.owned && answer.status < 400) ownedAccepted.push(answer.body.slice(0, 300));
        if (r.owned) ownedSent++;
        if (answer.status >= 400) refusals++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;
    agent.destroy();
    // Figures for the report.
    console.log(`fuzz: ${generated.length} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);

    expect(serverErrors.slice(0, 5)).toEqual([]);
    expect(ownedSent).toBeGreaterThan(FUZZ_COUNT / 20);
    expect(ownedAccepted.slice(0, 5)).toEqual([]);
    expect((await fetch(`${world.url}/healthz`)).status).toBe(200);
    expect((await validDossier!).status).toBe(202);
    await waitFor(() => world.dvcqg.store.dossier(maHoSo), 20_000, 'the valid dossier at DVCQG');
    // Every refusal (everything but the few generated bodies that happen to be accepted) has its audit record.
    const audited = await waitFor(async () => {
      const records = (await world.refusalRecords()).length;
      return records >= refusals ? records : null;
    }, 20_000, `${refusals} refusal records`);
    expect(audited).toBe(refusals);
  }, 300_000);
});
