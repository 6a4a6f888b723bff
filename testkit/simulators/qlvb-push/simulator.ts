// Express simulator of a district QLVB push endpoint: bearer-checked POST /edoc and /status, applied at most once per Idempotency-Key.
import express, { type NextFunction, type Request, type Response } from 'express';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { closeServer } from '../kit/close-server';
import { headersOf, listenSimulator, SimulatorControl } from '../kit/simulator-control';
import { QLVB_HEADERS, QLVB_PUSH_PATHS, type QlvbPushErrorBody, type QlvbPushKind, type QlvbPushReceipt, type QlvbPushRouting } from '../../../src/upstreams/qlvb-push/protocol';

export interface QlvbPushSimulatorOptions {
  port?: number;
  host?: string;
  /** The bearer token the bus must present. */
  token: string;
  /** Largest package accepted; default 32 MiB. */
  maxBodyBytes?: number;
}

/** One package or status packet the endpoint actually applied (once per Idempotency-Key). */
export interface AppliedPush {
  receipt: QlvbPushReceipt;
  routing: QlvbPushRouting;
  content: Buffer;
}

export interface QlvbPushSimulator {
  url: string;
  port: number;
  control: SimulatorControl;
  /** Effects applied, oldest first; raw requests (duplicates included) are in control.received(). */
  applied(kind?: QlvbPushKind): AppliedPush[];
  close(): Promise<void>;
}

class PushFailure extends Error {
  constructor(readonly httpStatus: number, readonly code: string, message: string) {
    super(message);
  }
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function routingOf(req: Request): QlvbPushRouting {
  const documentId = header(req, QLVB_HEADERS.documentId);
  let decoded = documentId;
  if (documentId !== undefined) {
    try {
      decoded = decodeURIComponent(documentId);
    } catch {
      decoded = documentId;
    }
  }
  return {
    fromOrgan: header(req, QLVB_HEADERS.fromOrgan),
    toOrgan: header(req, QLVB_HEADERS.toOrgan),
    documentId: decoded,
    statusCode: header(req, QLVB_HEADERS.statusCode),
  };
}

export async function startQlvbPushSimulator(options: QlvbPushSimulatorOptions): Promise<QlvbPushSimulator> {
  const control = new SimulatorControl();
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const byKey = new Map<string, AppliedPush>();
  const applied: AppliedPush[] = [];

  const app = express();
  app.disable('x-powered-by');
  app.use(control.router());
  app.get('/__sim/applied', (req: Request, res: Response) => {
    const kind = req.query.kind === 'edoc' || req.query.kind === 'status' ? req.query.kind : undefined;
    res.json({ applied: applied.filter((a) => !kind || a.receipt.kind === kind).map((a) => ({ receipt: a.receipt, routing: a.routing })) });
  });
  app.use(control.middleware());

  const authenticate = (req: Request, res: Response, next: NextFunction): void => {
    const auth = header(req, 'authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(auth);
    if (!match || !sameSecret(match[1], options.token)) {
      control.record(`${req.path.slice(1)}:rejected`, { code: 'QLVB_UNAUTHORIZED' }, headersOf(req));
      const body: QlvbPushErrorBody = { code: 'QLVB_UNAUTHORIZED', message: 'missing or wrong bearer token' };
      res.set('Connection', 'close').status(401).json(body);
      req.resume();
      return;
    }
    next();
  };

  const receive = (kind: QlvbPushKind) => (req: Request, res: Response): void => {
    const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const key = header(req, QLVB_HEADERS.idempotencyKey);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const routing = routingOf(req);
    control.record(kind, { idempotencyKey: key ?? null, bytes: content.length, sha256, documentId: routing.documentId ?? null }, headersOf(req));
    if (!key) throw new PushFailure(400, 'QLVB_IDEMPOTENCY_KEY_REQUIRED', 'the Idempotency-Key header is required');
    if (content.length === 0) throw new PushFailure(400, 'QLVB_EMPTY_PACKAGE', 'the package is empty');
    const declared = header(req, QLVB_HEADERS.sha256);
    if (declared !== undefined && declared.toLowerCase() !== sha256) {
      throw new PushFailure(400, 'QLVB_CONTENT_HASH_MISMATCH', `${QLVB_HEADERS.sha256} does not match the body`);
    }
    const earlier = byKey.get(key);
    if (earlier) {
      if (earlier.receipt.kind !== kind || earlier.receipt.sha256 !== sha256) {
        throw new PushFailure(422, 'QLVB_IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
      }
      const replay: QlvbPushReceipt = { ...earlier.receipt, duplicate: true };
      res.status(200).json(replay);
      return;
    }
    const receipt: QlvbPushReceipt = {
      receiptId: randomUUID(),
      kind,
      idempotencyKey: key,
      bytes: content.length,
      sha256,
      duplicate: false,
      receivedAt: new Date().toISOString(),
    };
    const effect: AppliedPush = { receipt, routing, content };
    byKey.set(key, effect);
    applied.push(effect);
    res.status(200).json(receipt);
  };

  const rawBody = express.raw({ type: () => true, limit: maxBodyBytes });
  app.post(QLVB_PUSH_PATHS.edoc, authenticate, rawBody, receive('edoc'));
  app.post(QLVB_PUSH_PATHS.status, authenticate, rawBody, receive('status'));

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let body: QlvbPushErrorBody;
    let status: number;
    const typed = error as { type?: unknown; status?: unknown; message?: unknown };
    if (error instanceof PushFailure) {
      status = error.httpStatus;
      body = { code: error.code, message: error.message };
    } else if (typed.type === 'entity.too.large') {
      status = 413;
      body = { code: 'QLVB_PACKAGE_TOO_LARGE', message: `the package exceeds ${maxBodyBytes} bytes` };
      res.set('Connection', 'close');
    } else {
      status = typeof typed.status === 'number' && typed.status >= 400 ? typed.status : 500;
      body = { code: 'QLVB_INTERNAL', message: typeof typed.message === 'string' ? typed.message : 'internal error' };
    }
    res.status(status).json(body);
  });

  const { server, url, port } = await listenSimulator(app, control, options);
  return {
    url,
    port,
    control,
    applied: (kind) => applied.filter((a) => !kind || a.receipt.kind === kind),
    close: () => closeServer(server),
  };
}
