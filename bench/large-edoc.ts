// Large e-documents: 8 packages with a 20 MiB attachment each, sent at once over REST and then over SOAP to a started bus,
// each to three in-province organs (mailbox and push); measures the bus's peak RSS (VmHWM), its event-loop stalls (a
// /healthz poller every 10 ms, less its own waits for a core, and the bus's own monitorEventLoopDelay maximum from
// /metrics), its CPU per MiB, and checks every recipient got the exact bytes sent. `largeEdocPhase` is the phase; run
// this file alone for a standalone run on the embedded default (`npm run build && node dist/bench/large-edoc.js`;
// LARGE_EDOC_SIGNED=1 signs the packages).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { documentPackage } from '../testkit/worlds/edoc/packages';
import { BUS_NODE_FLAGS } from '../src/cli/bus-node-flags';
import { startQlvbPushSimulator, type QlvbPushSimulator } from '../testkit/simulators/qlvb-push/simulator';
import { TEST_SIGNING_KEY } from '../testkit/bus-process';
import { DEVELOPMENT_PROFILE } from '../testkit/env';
import { testToken } from '../testkit/intake';
import { createTestPki } from '../testkit/worlds/edoc/signatures';
import { writeConfigDir, type BusDocument, type RouteDocument } from '../testkit/config/bus-documents';
import { freePort, spawnChild, stopChild, waitReady } from './child-process';
import { cpuSeconds, procStatusKb, runQueueWaitMs } from './proc-stats';

/** The organs of the phase: each sends to the three others; organ C is reached by push, the others by mailbox. */
export const LARGE_EDOC_ORGANS = { A: '000.00.01.H10', B: '000.00.02.H10', C: '000.00.03.H10', D: '000.00.04.H10' } as const;
export const LARGE_EDOC_CLIENTS: Record<string, string> = { '000.00.01.H10': 'qlvb-a', '000.00.02.H10': 'qlvb-b', '000.00.03.H10': 'qlvb-c', '000.00.04.H10': 'qlvb-d' };

export interface LargeEdocOptions {
  baseUrl: string;
  /** Bearer tokens by client id (LARGE_EDOC_CLIENTS' values). */
  tokens: Record<string, string>;
  /** The bus process's pid (its /proc is read). */
  pid: number;
  /** The push simulator organ C is delivered to, to check the bytes it got; unchecked when absent. */
  push?: QlvbPushSimulator;
  documents?: number;
  attachmentMiB?: number;
  /** Signs each package before it is sent (the bus then checks it under its signature policy). */
  sign?: (pkg: Buffer) => Buffer;
  log?: (line: string) => void;
}

export interface LargeEdocFaceFigures {
  documents: number;
  packageMiB: number;
  /** Requests answered 429/503 by the large-body caps and sent again after Retry-After. */
  retriedUploads: number;
  seconds: number;
  /** VmHWM of the bus after the face's documents were all delivered (and downloaded); the kernel's high-water mark. */
  peakRssMbAfter: number;
  /** Longest /healthz answer while the face ran (poller every 10 ms). */
  maxHealthzMs: number;
  /** The poller's own wait for a core during that answer (its thread's /proc schedstat): the bench's, not the bus's. */
  healthzPollerWaitMs: number;
  /** Longest /healthz answer less the poller's own wait for a core during it: how long the bus took to answer. */
  maxHealthzLessPollerWaitMs: number;
  /** nodejs_eventloop_lag_max_seconds over the face (the bus's own monitorEventLoopDelay). */
  maxLoopDelayMs: number;
  /** Bus CPU (user + system) per MiB of package sent. */
  busCpuMsPerMiB: number;
  /**
   * Milliseconds the bus's event-loop thread was ready to run but waited for a core over the face
   * (/proc/<pid>/schedstat): the part of its loop delays that was the machine's, not the bus's. Null without schedstat.
   */
  busLoopWaitMs: number | null;
  /** Every recipient's copy hashed like the sent package. */
  byteExact: boolean;
}

export interface LargeEdocFigures {
  idleRssMb: number;
  rest: LargeEdocFaceFigures;
  soap: LargeEdocFaceFigures;
  /** The targets' keys (issue #16): the worse of the two faces. */
  largeEdocPeakRssMb: number;
  largeEdocMaxLoopStallMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const round = (n: number) => Math.round(n * 10) / 10;




async function loopLagMaxMs(baseUrl: string): Promise<number> {
  const text = await fetch(`${baseUrl}/metrics`).then((r) => r.text());
  const match = /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text);
  return match ? Number(match[1]) * 1000 : NaN;
}

/** The poller's longest /healthz round trip, its own wait for a core during it, and the longest less that wait. */
interface HealthzRoundTrips {
  maxMs: number;
  ownWaitOfMaxMs: number;
  maxLessOwnWaitMs: number;
}

/**
 * Polls /healthz every 10 ms until stopped, from a worker thread (the bench's own loop is busy building and sending
 * bodies, which would count as the bus's stall); answers the longest round trip, and the longest less the time the
 * poller's own thread was ready to run but waited for a core during it (/proc/thread-self/schedstat): on two cores
 * shared with the bus, its helper threads and the bench's uploads, that wait was 3–63 ms of the longest round trips.
 */
function healthzPoller(baseUrl: string): { stop(): Promise<HealthzRoundTrips> } {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { readFileSync } = require('node:fs');
    const ownWaitMs = () => { try { return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6; } catch { return 0; } };
    let running = true, maxMs = 0, ownWaitOfMaxMs = 0, maxLessOwnWaitMs = 0;
    parentPort.on('message', () => { running = false; });
    (async () => {
      while (running) {
        const w0 = ownWaitMs();
        const t0 = performance.now();
        await fetch(workerData + '/healthz').then((r) => r.arrayBuffer()).catch(() => undefined);
        const ms = performance.now() - t0;
        const own = ownWaitMs() - w0;
        if (ms > maxMs) { maxMs = ms; ownWaitOfMaxMs = own; }
        maxLessOwnWaitMs = Math.max(maxLessOwnWaitMs, ms - own);
        await new Promise((r) => setTimeout(r, 10));
      }
      parentPort.postMessage({ maxMs, ownWaitOfMaxMs, maxLessOwnWaitMs });
    })();`;
  const worker = new Worker(source, { eval: true, workerData: baseUrl });
  const result = new Promise<HealthzRoundTrips>((resolve, reject) => {
    worker.once('message', (max: HealthzRoundTrips) => resolve(max));
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const max = await result;
      await worker.terminate();
      return max;
    },
  };
}

function makePackage(from: string, n: number, runId: string, attachment: Buffer): Buffer {
  const to = Object.values(LARGE_EDOC_ORGANS).filter((o) => o !== from);
  return documentPackage({ from, to, documentId: `${from},2026/12/04,${n}/LARGE-${runId}`, attachment });
}

function soapEnvelope(edxml: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from('<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:lgsp:edoc:1.0"><soap:Body><e:SendEdoc><e:edXML>'),
    Buffer.from(edxml.toString('base64')),
    Buffer.from('</e:edXML></e:SendEdoc></soap:Body></soap:Envelope>'),
  ]);
}

/** Sends one upload, again after Retry-After while the large-body caps refuse it; answers the message id and retries. */
async function upload(baseUrl: string, face: 'rest' | 'soap', token: string, body: Buffer): Promise<{ messageId: string; retries: number }> {
  for (let retries = 0; ; retries++) {
    const answer = await fetch(`${baseUrl}${face === 'rest' ? '/api/v1/edocs' : '/soap/edoc'}`, {
      method: 'POST',
      headers:
        face === 'rest'
          ? { authorization: `Bearer ${token}`, 'content-type': 'application/xml' }
          : { authorization: `Bearer ${token}`, 'content-type': 'text/xml; charset=utf-8', soapaction: 'urn:lgsp:edoc:1.0/SendEdoc' },
      body,
    });
    const text = await answer.text();
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter !== null && /LARGE_BODY_/.test(text)) {
      await sleep(Number(retryAfter) * 1000);
      continue;
    }
    const id = face === 'rest' ? (answer.status === 202 ? ((JSON.parse(text) as { messageId?: string }).messageId ?? null) : null) : (/<(?:\w+:)?messageId>([^<]+)</.exec(text)?.[1] ?? null);
    if (id === null) throw new Error(`${face} upload answered ${answer.status}: ${text.slice(0, 300)}`);
    return { messageId: id, retries };
  }
}

async function waitDelivered(baseUrl: string, token: string, messageId: string, recipients: number): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    const answer = await fetch(`${baseUrl}/api/v1/messages/${messageId}`, { headers: { authorization: `Bearer ${token}` } });
    if (answer.status === 200) {
      const parts = (JSON.parse(await answer.text()) as { parts?: { state: string }[] }).parts ?? [];
      if (parts.length === recipients && parts.every((p) => p.state === 'delivered')) return;
      if (parts.some((p) => p.state === 'rejected' || p.state === 'dead-lettered')) throw new Error(`message ${messageId}: ${JSON.stringify(parts)}`);
    }
    await sleep(200);
  }
  throw new Error(`message ${messageId} not delivered in 10 minutes`);
}

/** Downloads the mailbox copies of the given document ids and answers whether each hashes like the sent package. */
async function mailboxCopiesExact(baseUrl: string, tokens: Record<string, string>, sent: Map<string, string>): Promise<boolean> {
  let exact = true;
  for (const [organ, client] of Object.entries(LARGE_EDOC_CLIENTS)) {
    if (organ === LARGE_EDOC_ORGANS.C) continue;
    const inbox = (await fetch(`${baseUrl}/api/v1/edocs/inbox?kind=edoc`, { headers: { authorization: `Bearer ${tokens[client]}` } }).then((r) => r.json())) as { items: { id: string; documentId: string }[] };
    for (const item of inbox.items) {
      const expected = sent.get(item.documentId);
      if (expected === undefined) continue;
      const bytes = Buffer.from(await (await fetch(`${baseUrl}/api/v1/edocs/${item.id}`, { headers: { authorization: `Bearer ${tokens[client]}` } })).arrayBuffer());
      if (sha256(bytes) !== expected) {
        exact = false;
        process.stderr.write(`mailbox copy differs: ${organ} ${item.documentId} ${bytes.length}\n`);
      }
    }
  }
  return exact;
}

async function runFace(face: 'rest' | 'soap', options: LargeEdocOptions, runId: string): Promise<LargeEdocFaceFigures> {
  const { baseUrl, tokens, pid } = options;
  const documents = options.documents ?? 8;
  const attachment = randomBytes((options.attachmentMiB ?? 20) * 1024 * 1024);
  const senders = Object.values(LARGE_EDOC_ORGANS);
  const packages = Array.from({ length: documents }, (_, i) => {
    const from = senders[i % senders.length]!;
    const built = makePackage(from, i, `${runId}-${face}`, attachment);
    const edxml = options.sign ? options.sign(built) : built;
    return { from, edxml, body: face === 'rest' ? edxml : soapEnvelope(edxml), documentId: `${from},2026/12/04,${i}/LARGE-${runId}-${face}` };
  });
  const sent = new Map(packages.map((p) => [p.documentId, sha256(p.edxml)]));
  const packageMiB = packages[0]!.edxml.length / (1024 * 1024);
  await loopLagMaxMs(baseUrl);
  const poller = healthzPoller(baseUrl);
  const cpu0 = cpuSeconds(pid);
  const wait0 = runQueueWaitMs(pid);
  const t0 = performance.now();
  const accepted = await Promise.all(packages.map((p) => upload(baseUrl, face, tokens[LARGE_EDOC_CLIENTS[p.from]!]!, p.body)));
  await Promise.all(accepted.map((a, i) => waitDelivered(baseUrl, tokens[LARGE_EDOC_CLIENTS[packages[i]!.from]!]!, a.messageId, 3)));
  const seconds = (performance.now() - t0) / 1000;
  const cpuMs = (cpuSeconds(pid) - cpu0) * 1000;
  const wait1 = runQueueWaitMs(pid);
  let byteExact = await mailboxCopiesExact(baseUrl, tokens, sent);
  const healthz = await poller.stop();
  const maxLoopDelayMs = await loopLagMaxMs(baseUrl);
  if (options.push) {
    for (const applied of options.push.applied('edoc')) {
      const expected = sent.get(applied.routing.documentId ?? '');
      if (expected !== undefined && sha256(applied.content) !== expected) {
        byteExact = false;
        process.stderr.write(`pushed copy differs: ${applied.routing.documentId} ${applied.content.length}\n`);
      }
    }
  }
  return {
    documents,
    packageMiB: round(packageMiB),
    retriedUploads: accepted.reduce((n, a) => n + a.retries, 0),
    seconds: round(seconds),
    peakRssMbAfter: round(procStatusKb(pid, 'VmHWM') / 1024),
    maxHealthzMs: round(healthz.maxMs),
    healthzPollerWaitMs: round(healthz.ownWaitOfMaxMs),
    maxHealthzLessPollerWaitMs: round(healthz.maxLessOwnWaitMs),
    maxLoopDelayMs: round(maxLoopDelayMs),
    busCpuMsPerMiB: round(cpuMs / (packageMiB * documents)),
    busLoopWaitMs: wait0 === null || wait1 === null ? null : Math.round(wait1 - wait0),
    byteExact,
  };
}

/** The phase: REST first, then SOAP, on a bus already started with LARGE_EDOC_ORGANS in its directory. */
export async function largeEdocPhase(options: LargeEdocOptions): Promise<LargeEdocFigures> {
  const log = options.log ?? (() => undefined);
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const idleRssMb = round(procStatusKb(options.pid, 'VmRSS') / 1024);
  log(`large e-documents: bus idle RSS ${idleRssMb} MB`);
  const rest = await runFace('rest', options, runId);
  log(`large e-documents, REST: ${JSON.stringify(rest)}`);
  const soap = await runFace('soap', options, runId);
  log(`large e-documents, SOAP: ${JSON.stringify(soap)}`);
  return {
    idleRssMb,
    rest,
    soap,
    largeEdocPeakRssMb: Math.max(rest.peakRssMbAfter, soap.peakRssMbAfter),
    largeEdocMaxLoopStallMs: Math.max(rest.maxHealthzLessPollerWaitMs, rest.maxLoopDelayMs, soap.maxHealthzLessPollerWaitMs, soap.maxLoopDelayMs),
  };
}

/** The organs and routes the phase needs in a bus's config (organ C pushed to `pushUrl`, its token from EDOC_PUSH_TOKEN_C). */
export function largeEdocFlowSection(pushUrl: string): NonNullable<NonNullable<BusDocument['flows']>['edoc']> {
  const { A, B, C, D } = LARGE_EDOC_ORGANS;
  return {
    busOrganId: '000.00.00.H10',
    unknownOrgans: 'reject',
    organs: {
      [A]: { name: 'UBND Thành phố Đồng Xoài', delivery: 'mailbox', clientIds: [LARGE_EDOC_CLIENTS[A]!] },
      [B]: { name: 'UBND Thị xã Bình Long', delivery: 'mailbox', clientIds: [LARGE_EDOC_CLIENTS[B]!] },
      [C]: { name: 'UBND Huyện Bù Đăng', delivery: 'push', pushUrl, pushToken: { env: 'EDOC_PUSH_TOKEN_C' }, clientIds: [LARGE_EDOC_CLIENTS[C]!] },
      [D]: { name: 'UBND Thị xã Phước Long', delivery: 'mailbox', clientIds: [LARGE_EDOC_CLIENTS[D]!] },
    },
  };
}

const EDOC_ROUTES: RouteDocument[] = [
  { name: 'edoc-fanout', types: ['edoc.send'], pipeline: 'edoc-fanout' },
  ...(['mailbox', 'push'] as const).map((delivery) => ({ name: `edoc-${delivery}`, types: ['edoc.deliver', 'edoc.status'], when: [{ field: 'payload.delivery', equals: delivery }], pipeline: `edoc-${delivery}` })),
];

/**
 * The phase on a bus of its own: the embedded default (a child process, the compiled output, as `npm start` runs it)
 * with a QLVB push simulator in this process. `npm run bench` calls it after its other phases; run alone by main().
 */
export async function largeEdocOnEmbeddedBus(options: { documents: number; attachmentMiB: number; signed: boolean; log: (line: string) => void }): Promise<LargeEdocFigures> {
  const log = options.log;
  const pushToken = 'large-edoc-push-token';
  // LARGE_EDOC_SIGNED=1: packages signed by a test PKI's signer, checked by the bus under policy record.
  const pki = options.signed ? await createTestPki() : null;
  const push = await startQlvbPushSimulator({ token: pushToken, maxBodyBytes: 64 * 1024 * 1024 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lgsp-large-edoc-'));
  const port = await freePort();
  const bus: BusDocument = {
    http: { host: '127.0.0.1', port },
    transport: { amqpUrl: null, namePrefix: 'large-edoc' },
    stores: { dataDir: path.join(dir, 'data'), databaseUrl: null },
    auth: { developmentSigningKey: TEST_SIGNING_KEY },
    clients: Object.values(LARGE_EDOC_CLIENTS).map((id) => ({ id, name: `QLVB ${id}`, roles: ['intake'], rights: ['edoc.*', 'message.status'] })),
    flows: { edoc: { ...largeEdocFlowSection(push.url), ...(pki ? { signatures: { policy: 'record', trustStore: { caFiles: [pki.caFile], crlFiles: [pki.crlFile] } } } : {}) } },
    logging: { level: 'info' },
  };
  const configDir = writeConfigDir(dir, { bus, routes: { routes: EDOC_ROUTES } });
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LGSP_')) env[k] = v;
  const nodeArgs = [...BUS_NODE_FLAGS, ...(process.env.LARGE_EDOC_NODE_ARGS ? process.env.LARGE_EDOC_NODE_ARGS.split(' ') : [])];
  const child = spawnChild(
    path.resolve(__dirname, '../src/cli/start.js'),
    [],
    { ...env, ...DEVELOPMENT_PROFILE, LGSP_CONFIG_DIR: configDir, LGSP_SIMULATORS: 'off', EDOC_PUSH_TOKEN_C: pushToken },
    path.join(dir, 'bus.log'),
    `http://127.0.0.1:${port}`,
    nodeArgs,
  );
  try {
    await waitReady(child, '/readyz');
    const tokens = Object.fromEntries(Object.values(LARGE_EDOC_CLIENTS).map((id) => [id, testToken(id, TEST_SIGNING_KEY)]));
    return await largeEdocPhase({
      baseUrl: child.url,
      tokens,
      pid: child.proc.pid!,
      push,
      documents: options.documents,
      attachmentMiB: options.attachmentMiB,
      ...(pki ? { sign: (pkg: Buffer) => pki.sign(pkg) } : {}),
      log,
    });
  } catch (error) {
    log(`failed; bus log tail:\n${readFileSync(child.logFile, 'utf8').slice(-3000)}`);
    throw error;
  } finally {
    await stopChild(child);
    await push.close();
    pki?.cleanup();
    if (!process.env.LARGE_EDOC_KEEP) rmSync(dir, { recursive: true, force: true });
    else log(`work dir kept: ${dir}`);
  }
}

async function main(): Promise<void> {
  const figures = await largeEdocOnEmbeddedBus({
    documents: Number(process.env.LARGE_EDOC_DOCUMENTS ?? 8),
    attachmentMiB: Number(process.env.LARGE_EDOC_MIB ?? 20),
    signed: Boolean(process.env.LARGE_EDOC_SIGNED),
    log: (line) => process.stdout.write(`[large-edoc] ${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
