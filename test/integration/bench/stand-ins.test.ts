// The bench's upstream stand-ins answer the bus's own clients exactly as the reference simulators do, over real
// sockets, at a small CPU cost per call (measured in their own process). Needs `npm run build`.
import { PopulationClient, PopulationError } from '../../../src/upstreams/population';
import { DvcqgClient, toDongBoHoSoItem, type DongBoHoSoMCItem } from '../../../src/upstreams/dvcqg';
import { QlvbPushClient, QlvbPushError } from '../../../src/upstreams/qlvb-push';
import { startDvcqgSimulator, type DvcqgSimulator } from '../../../testkit/simulators/dvcqg';
import { SAMPLE_CITIZENS, startPopulationSimulator, type RunningPopulationSimulator } from '../../../testkit/simulators/population';
import { startQlvbPushSimulator, type QlvbPushSimulator } from '../../../testkit/simulators/qlvb-push';
import { DEMO_DVCQG_CREDENTIALS, DEMO_POPULATION_CREDENTIALS } from '../../../testkit/simulators/reference';
import { caught } from '../../../testkit/caught';
import { cpuMsPerCall, startStandIns, type RunningStandIns } from '../../../bench/stand-ins';
import { birthRegistration } from '../../fixtures/dvcqg/load-fixtures';
import { connect } from 'node:net';

const PUSH_TOKEN = 'bench-push-token';
const REQUEST_CONTEXT = { maDvc: 'BENCH', maCanBo: '001090000001' };
const tai = SAMPLE_CITIZENS.daoVanTai;

let standIns: RunningStandIns;
let populationSim: RunningPopulationSimulator;
let dvcqgSim: DvcqgSimulator;
let pushSim: QlvbPushSimulator;
const stored: string[] = [];

/** Clients of each upstream, against the stand-in and against the simulator. */
interface Pair<T> {
  standIn: T;
  simulator: T;
}
let population: Pair<PopulationClient>;
let dvcqg: Pair<DvcqgClient>;
let push: Pair<QlvbPushClient>;

const populationClient = (endpoint: string, apiKey: string = DEMO_POPULATION_CREDENTIALS.apiKey) =>
  PopulationClient.create({ endpoint, credentials: { ...DEMO_POPULATION_CREDENTIALS, apiKey }, requestContext: REQUEST_CONTEXT, timeoutMs: 10_000 });
const dvcqgClient = (baseUrl: string) => new DvcqgClient({ baseUrl, ...DEMO_DVCQG_CREDENTIALS, madonvi: '000.00.04.H10', timeoutMs: 10_000 });

beforeAll(async () => {
  standIns = await startStandIns({ dvcqg: { ...DEMO_DVCQG_CREDENTIALS }, population: { ...DEMO_POPULATION_CREDENTIALS }, pushToken: PUSH_TOKEN }, (code) => stored.push(code));
  populationSim = await startPopulationSimulator({ credentials: { ...DEMO_POPULATION_CREDENTIALS } });
  dvcqgSim = await startDvcqgSimulator({ credentials: { ...DEMO_DVCQG_CREDENTIALS } });
  pushSim = await startQlvbPushSimulator({ token: PUSH_TOKEN });
  population = { standIn: await populationClient(standIns.urls.population), simulator: await populationClient(populationSim.url) };
  dvcqg = { standIn: dvcqgClient(standIns.urls.dvcqg), simulator: dvcqgClient(dvcqgSim.url) };
  push = { standIn: new QlvbPushClient({ endpoint: standIns.urls.push, token: PUSH_TOKEN }), simulator: new QlvbPushClient({ endpoint: pushSim.url, token: PUSH_TOKEN }) };
});

afterAll(async () => {
  for (const pair of [population, dvcqg, push]) await Promise.all([pair?.standIn.close(), pair?.simulator.close()]);
  await Promise.all([standIns?.close(), populationSim?.close(), dvcqgSim?.close(), pushSim?.close()]);
});

test('population: the same citizen, the same "not found" and the same auth refusal as the simulator', async () => {
  const request = { soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: tai.ngaySinh };
  const fromStandIn = await population.standIn.lookupCitizen(request);
  expect(fromStandIn.status).toBe('found');
  expect(fromStandIn).toEqual(await population.simulator.lookupCitizen(request));
  expect(await population.standIn.verifyCitizen(request)).toEqual({ status: 'verified' });

  const unknown = { soDinhDanh: '001099999999', hoVaTen: 'NGUYỄN VĂN A', ngaySinh: '1999-01-01' };
  expect(await population.standIn.lookupCitizen(unknown)).toEqual({ status: 'not-found' });
  expect(await population.simulator.lookupCitizen(unknown)).toEqual({ status: 'not-found' });

  const wrongKey = { standIn: await populationClient(standIns.urls.population, 'wrong'), simulator: await populationClient(populationSim.url, 'wrong') };
  const refusals = await Promise.all([caught(wrongKey.standIn.lookupCitizen(request), PopulationError), caught(wrongKey.simulator.lookupCitizen(request), PopulationError)]);
  expect(refusals[0].code).toBe(refusals[1].code);
  await Promise.all([wrongKey.standIn.close(), wrongKey.simulator.close()]);
});

test('DVCQG: the catalogue, a first sync, a re-sync and the lookup of a held dossier as the simulator answers them', async () => {
  const procedure = await dvcqg.standIn.getProcedure('1.001193');
  expect(procedure).toEqual(await dvcqg.simulator.getProcedure('1.001193'));
  expect(await dvcqg.standIn.getProcedure('9.999999')).toBeUndefined();
  const item: DongBoHoSoMCItem = toDongBoHoSoItem(birthRegistration(), { procedure });
  const before = await standIns.stats();
  for (const client of [dvcqg.standIn, dvcqg.simulator]) {
    await expect(client.holdsDossier(item)).resolves.toBe(false);
    await expect(client.syncDossier(item)).resolves.toEqual({ isUpdating: false });
    await expect(client.syncDossier(item)).resolves.toEqual({ isUpdating: true });
    await expect(client.holdsDossier(item)).resolves.toBe(true);
    await expect(client.holdsDossier({ ...item, TrichYeuHoSo: `${item.TrichYeuHoSo} (sửa)` })).resolves.toBe(false);
  }
  const after = await standIns.stats();
  expect(after.dossiersStored - before.dossiersStored).toBe(1);
  expect(after.dossierResyncs - before.dossierResyncs).toBe(1);
  await waitFor(() => stored.includes(item.MaHoSo));
  expect(stored.filter((code) => code === item.MaHoSo)).toHaveLength(1);
});

test('QLVB push: a receipt per Idempotency-Key, replayed for a repeat, and the same refusal of a wrong token', async () => {
  const content = '<edXML>văn bản</edXML>';
  const first = await push.standIn.pushEdoc({ idempotencyKey: 'bench-1', content });
  expect(first).toMatchObject({ kind: 'edoc', idempotencyKey: 'bench-1', bytes: Buffer.byteLength(content), duplicate: false });
  expect(await push.standIn.pushEdoc({ idempotencyKey: 'bench-1', content })).toEqual({ ...first, duplicate: true });
  const wrong = { standIn: new QlvbPushClient({ endpoint: standIns.urls.push, token: 'wrong' }), simulator: new QlvbPushClient({ endpoint: pushSim.url, token: 'wrong' }) };
  const refusals = await Promise.all([caught(wrong.standIn.pushEdoc({ idempotencyKey: 'k', content }), QlvbPushError), caught(wrong.simulator.pushEdoc({ idempotencyKey: 'k', content }), QlvbPushError)]);
  expect(refusals[0]).toMatchObject({ code: refusals[1].code, status: refusals[1].status });
  await Promise.all([wrong.standIn.close(), wrong.simulator.close()]);
});

/** Writes `request` on a new connection, reads until the server closes it or `answers` answers arrived. */
async function exchange(origin: string, request: string | Buffer, answers: number): Promise<{ status: number; headers: Record<string, string>; body: string }[]> {
  const { hostname, port } = new URL(origin);
  const socket = connect(Number(port), hostname);
  let received = Buffer.alloc(0);
  const parsed: { status: number; headers: Record<string, string>; body: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      for (let end = received.indexOf('\r\n\r\n'); end >= 0; end = received.indexOf('\r\n\r\n')) {
        const [statusLine, ...lines] = received.toString('latin1', 0, end).split('\r\n');
        const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length']);
        if (received.length < end + 4 + length) break;
        parsed.push({ status: Number(statusLine!.split(' ')[1]), headers, body: received.toString('utf8', end + 4, end + 4 + length) });
        received = received.subarray(end + 4 + length);
      }
      if (parsed.length >= answers) socket.end();
    });
    socket.write(request);
  });
  return parsed;
}

test('the stand-ins speak HTTP/1.1: chunked and pipelined requests, Connection: close, and refusals of what they cannot read', async () => {
  const origin = standIns.urls.push;
  const head = (key: string, framing: string) => `POST /edoc HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer ${PUSH_TOKEN}\r\nIdempotency-Key: ${key}\r\n${framing}\r\n`;
  // A chunked body of 3 + 16 bytes (one chunk with an extension, a trailer field), then a request by Content-Length
  // on the same connection, sent in one write: both answered in order, the bodies counted whole.
  const pipelined = `${head('http-1', 'Transfer-Encoding: chunked\r\n')}3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n${head('http-2', 'Content-Length: 5\r\n')}hello`;
  const [chunked, byLength] = await exchange(origin, pipelined, 2);
  expect(chunked).toMatchObject({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'keep-alive': 'timeout=600' } });
  expect(chunked!.headers.date).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  expect(JSON.parse(chunked!.body)).toMatchObject({ idempotencyKey: 'http-1', bytes: 19 });
  expect(JSON.parse(byLength!.body)).toMatchObject({ idempotencyKey: 'http-2', bytes: 5 });

  // Connection: close is honoured: the answer says so and the server closes (exchange returns on the close).
  const closing = await exchange(origin, `${head('http-3', 'Content-Length: 1\r\nConnection: close\r\n')}x`, 2);
  expect(closing).toHaveLength(1);
  expect(closing[0]).toMatchObject({ status: 200, headers: { connection: 'close' } });

  // What cannot be read is refused and the connection closed; a method other than POST is answered 405.
  const refusals: [string, number][] = [
    ['POST /edoc HTTP/1.1\r\nContent-Length: 0\r\n\r\n', 400], // no Host
    [`${head('http-4', 'Content-Length: 1\r\nTransfer-Encoding: chunked\r\n')}`, 400], // both framings
    [`${head('http-5', ' folded: x\r\n')}`, 400], // obs-fold
    [`${head('http-6', 'Transfer-Encoding: chunked\r\n')}zz\r\n`, 400], // not a chunk size
    ['NOT HTTP\r\n\r\n', 400],
  ];
  for (const [request, status] of refusals) {
    const answers = await exchange(origin, request, 2);
    expect({ request, answers: answers.map((a) => [a.status, a.headers.connection]) }).toEqual({ request, answers: [[status, 'close']] });
  }
  const get = await exchange(origin, 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n', 1);
  expect(get[0]?.status).toBe(405);
});

/**
 * The 0.1 ms target is judged by the bench on its quiet final run (bench/run.ts, `standInCpuMsPerCall`): CPU time per
 * call depends on the machine's load (a bare node:http server alone costs 55–75 µs per request on the shared 2-core
 * machine under load, more when each request wakes the process on its own). This guards against the stand-ins
 * becoming a simulator again: node-soap costs ~0.8 ms of CPU per lookup.
 */
test('a dossier delivery (037, TraCuuHoSo, DongBoHoSoMC) costs the stand-ins a fraction of a millisecond of CPU per call', async () => {
  const request = { soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: tai.ngaySinh };
  const procedure = await dvcqg.standIn.getProcedure('1.001193');
  const base = toDongBoHoSoItem(birthRegistration(), { procedure });
  // 20 deliveries in flight, as the bus's consumers (prefetch 20) make them.
  const deliver = async (n: number, tag: string) => {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < n; i = next++) {
        await population.standIn.lookupCitizen(request);
        await dvcqg.standIn.syncDossier({ ...base, MaHoSo: `${base.MaHoSo.slice(0, -6)}${tag}${String(i).padStart(5, '0')}` });
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
  };
  await deliver(300, '1');
  const before = await standIns.stats();
  await deliver(1000, '2');
  const after = await standIns.stats();
  expect(after.calls - before.calls).toBe(3000);
  expect(after.dossiersStored - before.dossiersStored).toBe(1000);
  const perCall = cpuMsPerCall(before, after)!;
  process.stdout.write(`stand-in CPU per call: ${(perCall * 1000).toFixed(1)} µs\n`);
  expect(perCall).toBeLessThanOrEqual(0.5);
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
