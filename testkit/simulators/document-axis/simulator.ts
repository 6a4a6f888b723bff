// Express simulator of the national document axis: HMAC-checked sendEdoc, per-organ inboxes, getEdoc, updateStatus routed
// back to the sender; documents from outside the province queued by a test (/__sim/inbound) and acknowledgements held
// on demand (/__sim/ack-hold).
import express, { type NextFunction, type Request, type Response } from 'express';
import { createHash } from 'node:crypto';
import type { components } from '../../../contracts/generated/document-axis';
import { closeServer } from '../kit/close-server';
import { headersOf, listenSimulator, SimulatorControl } from '../kit/simulator-control';
import { AxisStore, toReceivedItem, type InboxEntry } from './store';
import { fileHashHex, verifyAxisRequest } from '../../../src/upstreams/document-axis/signing';
import { buildStatusPacket } from './status-packet';

type AxisResult = components['schemas']['AxisResult'];
type ReceiveStatus = components['schemas']['ReceiveStatus'];
type ReceivedEdocListResponse = components['schemas']['ReceivedEdocListResponse'];
type SendEdocResponse = components['schemas']['SendEdocResponse'];
type GetEdocResponse = components['schemas']['GetEdocResponse'];
type SentEdocListResponse = components['schemas']['SentEdocListResponse'];

export interface DocumentAxisSimulatorOptions {
  port?: number;
  host?: string;
  /** systemId → HMAC secret. */
  secrets: Record<string, string>;
  /** systemId → organ ids it sends and receives for; by default a system serves the organ with its own id. */
  organsBySystem?: Record<string, readonly string[]>;
  /** Largest sendEdoc body accepted; default 32 MiB. */
  maxBodyBytes?: number;
  /** Optional timestamp freshness check; off by default (the SDK stamps once per service object). */
  maxClockSkewMs?: number;
}

/** A document another province or a ministry sends through the axis to organs this axis serves. */
export interface InboundDocument {
  from: string;
  to: readonly string[];
  content: Buffer;
  /** Default edoc; revocation, update or replacement for BussinessDocType 1, 2, 3. */
  messageType?: string;
}

export interface QueuedInbound {
  senderDocId: string;
  /** One receiver-side doc id per recipient organ, in the order of `to`. */
  docIds: string[];
  sha256: string;
}

export interface DocumentAxisSimulator {
  url: string;
  port: number;
  control: SimulatorControl;
  /** Queues a document for its recipients to fetch (as POST /__sim/inbound does). */
  queueInbound(document: InboundDocument): QueuedInbound;
  /**
   * While held, an acknowledgement (updateStatus done, or the statuses named) is answered 503 and not applied, recorded
   * as `updateStatus:held` (as POST /__sim/ack-hold does): a test can stop a bus between its fetch and its
   * acknowledgement, or keep the axis from hearing of a failure (status fail).
   */
  holdAcks(hold: boolean, statuses?: readonly ReceiveStatus[]): void;
  /** Every entry addressed to one organ, whatever its status. */
  inboxOf(organ: string): InboxEntry[];
  close(): Promise<void>;
}

const RECEIVE_STATUSES: readonly ReceiveStatus[] = ['inbox', 'acceptance', 'rejection', 'processing', 'done', 'fail'];

class AxisFailure extends Error {
  constructor(readonly httpStatus: number, readonly errorCode: string, message: string) {
    super(message);
  }
}

interface VerifiedCall {
  systemId: string;
  organs: ReadonlySet<string>;
  params: Record<string, string>;
}

function ok<T extends object>(extra: T): AxisResult & T {
  return { status: 'OK', ErrorCode: '0', ErrorDesc: 'Success', ...extra };
}

function failBody(errorCode: string, message: string): AxisResult {
  return { status: 'FAIL', ErrorCode: errorCode, ErrorDesc: message };
}

/** Reads the recipients header: a JSON array of organ ids or of {OrganId} / {code} objects. */
function parseRecipients(text: string | undefined): string[] {
  if (!text) throw new AxisFailure(400, 'AXIS_NO_RECIPIENT', 'XroadVnpt-to is required (the simulator does not read edXML To elements)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AxisFailure(400, 'AXIS_BAD_RECIPIENT', 'XroadVnpt-to is not JSON');
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const organs = list.map((item: unknown) => {
    if (typeof item === 'string') return item;
    if (item && typeof item === 'object') {
      const record = item as Record<string, unknown>;
      const id = record.OrganId ?? record.organId ?? record.code;
      if (typeof id === 'string') return id;
    }
    throw new AxisFailure(400, 'AXIS_BAD_RECIPIENT', 'every recipient must be an organ id');
  });
  if (organs.length === 0) throw new AxisFailure(400, 'AXIS_NO_RECIPIENT', 'no recipient');
  return organs;
}

function param(call: VerifiedCall, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = call.params[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

function requireParam(call: VerifiedCall, ...names: string[]): string {
  const value = param(call, ...names);
  if (value === undefined || value === '') throw new AxisFailure(400, 'AXIS_MISSING_PARAMETER', `XroadVnpt-${names[0]} is required`);
  return value;
}

export async function startDocumentAxisSimulator(options: DocumentAxisSimulatorOptions): Promise<DocumentAxisSimulator> {
  const control = new SimulatorControl();
  const store = new AxisStore();
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const organsOf = (systemId: string): ReadonlySet<string> => new Set(options.organsBySystem?.[systemId] ?? [systemId]);

  let acksHeld = false;
  let heldStatuses: readonly ReceiveStatus[] = ['done'];
  const queueInbound = (document: InboundDocument): QueuedInbound => {
    const sha256Hex = createHash('sha256').update(document.content).digest('hex');
    const sent = store.deliver({ from: document.from, to: document.to, serviceType: 'eDoc', messageType: document.messageType ?? 'edoc', pkg: { bytes: document.content, sha256Hex } });
    control.record('inbound', { from: document.from, to: [...document.to], bytes: document.content.length, sha256: sha256Hex, docIds: sent.receiverDocIds });
    return { senderDocId: sent.senderDocId, docIds: sent.receiverDocIds, sha256: sha256Hex };
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(control.router());
  // Body: { from, to: [organ ids], content: base64 of the edXML package, messageType? }.
  app.post('/__sim/inbound', express.json({ limit: Math.ceil((maxBodyBytes * 4) / 3) + 4096 }), (req: Request, res: Response) => {
    const body = req.body as { from?: unknown; to?: unknown; content?: unknown; messageType?: unknown };
    const to = Array.isArray(body.to) && body.to.every((o) => typeof o === 'string') ? (body.to as string[]) : null;
    if (typeof body.from !== 'string' || !to || to.length === 0 || typeof body.content !== 'string') {
      res.status(400).json(failBody('AXIS_BAD_REQUEST', 'give from, to (organ ids) and content (base64)'));
      return;
    }
    const messageType = typeof body.messageType === 'string' ? body.messageType : undefined;
    res.json(queueInbound({ from: body.from, to, content: Buffer.from(body.content, 'base64'), messageType }));
  });
  // Body: { hold: boolean }.
  app.post('/__sim/ack-hold', express.json(), (req: Request, res: Response) => {
    acksHeld = (req.body as { hold?: unknown }).hold === true;
    res.json({ hold: acksHeld });
  });
  app.use(control.middleware());

  /** Checks the HMAC headers; on failure answers 401 and drains the body. */
  const verify = (req: Request, res: Response, next: NextFunction): void => {
    const verdict = verifyAxisRequest(req.headers, {
      secretFor: (systemId) => options.secrets[systemId],
      maxClockSkewMs: options.maxClockSkewMs,
    });
    if (!verdict.ok) {
      control.record(`${req.path.slice(1)}:rejected`, { code: verdict.code, reason: verdict.reason }, headersOf(req));
      res.set('Connection', 'close').status(401).json(failBody(verdict.code, verdict.reason));
      req.resume();
      return;
    }
    res.locals.call = { systemId: verdict.systemId, organs: organsOf(verdict.systemId), params: verdict.params } satisfies VerifiedCall;
    next();
  };
  const callOf = (res: Response): VerifiedCall => res.locals.call as VerifiedCall;

  app.post('/sendEdoc', verify, express.raw({ type: () => true, limit: maxBodyBytes }), (req: Request, res: Response) => {
    const call = callOf(res);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length === 0) throw new AxisFailure(400, 'AXIS_EMPTY_FILE', 'the edXML file is empty');
    const from = requireParam(call, 'from');
    if (!call.organs.has(from)) throw new AxisFailure(403, 'AXIS_SENDER_NOT_REGISTERED', `system ${call.systemId} does not send for ${from}`);
    const to = parseRecipients(param(call, 'to'));
    const digest = createHash('sha256').update(body).digest();
    const givenHash = param(call, 'hash-file');
    if (givenHash !== undefined && givenHash !== fileHashHex(digest, 'hex') && givenHash !== fileHashHex(digest, 'java-sdk')) {
      throw new AxisFailure(400, 'AXIS_FILE_HASH_MISMATCH', 'XroadVnpt-hash-file does not match the file');
    }
    const sha256Hex = digest.toString('hex');
    const serviceType = param(call, 'servicetype') ?? 'eDoc';
    const messageType = param(call, 'messagetype') ?? 'edoc';
    const sent = store.deliver({ from, to, serviceType, messageType, pkg: { bytes: body, sha256Hex } });
    control.record('sendEdoc', { systemId: call.systemId, from, to, serviceType, messageType, bytes: body.length, sha256: sha256Hex, docId: sent.senderDocId }, headersOf(req));
    const answer: SendEdocResponse = ok({ DocId: sent.senderDocId });
    res.json(answer);
  });

  app.post('/getReceivedEdocList', verify, (req: Request, res: Response) => {
    const call = callOf(res);
    const serviceType = param(call, 'servicetype') ?? 'eDoc';
    const messageType = param(call, 'messagetype');
    const items = store.pendingFor(call.organs, serviceType, messageType).map(toReceivedItem);
    control.record('getReceivedEdocList', { systemId: call.systemId, serviceType, messageType: messageType ?? null, count: items.length }, headersOf(req));
    const answer: ReceivedEdocListResponse = ok({ data: items });
    res.json(answer);
  });

  app.post('/getEdoc', verify, (req: Request, res: Response) => {
    const call = callOf(res);
    const docId = requireParam(call, 'docId', 'docid');
    const entry = store.entry(docId);
    if (!entry || !call.organs.has(entry.to)) throw new AxisFailure(404, 'AXIS_DOC_NOT_FOUND', `no document ${docId} for this system`);
    control.record('getEdoc', { systemId: call.systemId, docId, bytes: entry.pkg.bytes.length, sha256: entry.pkg.sha256Hex }, headersOf(req));
    const answer: GetEdocResponse = ok({ data: entry.pkg.bytes.toString('base64') });
    res.json(answer);
  });

  app.post('/updateStatus', verify, (req: Request, res: Response) => {
    const call = callOf(res);
    const docId = requireParam(call, 'docId', 'docid');
    const status = requireParam(call, 'status') as ReceiveStatus;
    if (!RECEIVE_STATUSES.includes(status)) throw new AxisFailure(400, 'AXIS_BAD_STATUS', `status must be one of ${RECEIVE_STATUSES.join(', ')}`);
    if (acksHeld && heldStatuses.includes(status)) {
      control.record('updateStatus:held', { systemId: call.systemId, docId, status }, headersOf(req));
      throw new AxisFailure(503, 'AXIS_BUSY', 'acknowledgements are held');
    }
    const current = store.entry(docId);
    if (!current || !call.organs.has(current.to)) throw new AxisFailure(404, 'AXIS_DOC_NOT_FOUND', `no document ${docId} for this system`);
    const entry = store.setStatus(docId, status) as InboxEntry;
    let statusDocId: string | null = null;
    // A status about a document goes back to its sender; statuses about status packets stop here.
    if (entry.serviceType.toLowerCase() !== 'status') {
      const packet = buildStatusPacket({
        originalSender: entry.from,
        senderDocId: entry.senderDocId,
        reportingOrgan: entry.to,
        status,
        description: entry.statusDesc,
      });
      const forwarded = store.deliver({
        from: entry.to,
        to: [entry.from],
        serviceType: 'status',
        messageType: 'status',
        pkg: { bytes: packet, sha256Hex: createHash('sha256').update(packet).digest('hex') },
        responseForDocId: entry.senderDocId,
      });
      statusDocId = forwarded.receiverDocIds[0] ?? null;
    }
    control.record('updateStatus', { systemId: call.systemId, docId, status, statusDocId }, headersOf(req));
    const answer: AxisResult = ok({});
    res.json(answer);
  });

  app.post('/getSentEdocList', verify, (req: Request, res: Response) => {
    const call = callOf(res);
    const serviceType = param(call, 'servicetype') ?? 'eDoc';
    const rows = store.sentBy(call.organs, serviceType);
    control.record('getSentEdocList', { systemId: call.systemId, serviceType, count: rows.length }, headersOf(req));
    const answer: SentEdocListResponse = ok({ data: rows });
    res.json(answer);
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof AxisFailure) {
      res.status(error.httpStatus).json(failBody(error.errorCode, error.message));
      return;
    }
    const typed = error as { type?: unknown; status?: unknown; message?: unknown };
    if (typed.type === 'entity.too.large') {
      res.set('Connection', 'close').status(413).json(failBody('AXIS_FILE_TOO_LARGE', `the file exceeds ${maxBodyBytes} bytes`));
      return;
    }
    const status = typeof typed.status === 'number' && typed.status >= 400 ? typed.status : 500;
    res.status(status).json(failBody('AXIS_INTERNAL', typeof typed.message === 'string' ? typed.message : 'internal error'));
  });

  const { server, url, port } = await listenSimulator(app, control, options);
  return {
    url,
    port,
    control,
    inboxOf: (organ) => store.inboxOf(organ),
    queueInbound,
    holdAcks: (hold, statuses = ['done']) => {
      acksHeld = hold;
      heldStatuses = statuses;
    },
    close: () => closeServer(server),
  };
}
