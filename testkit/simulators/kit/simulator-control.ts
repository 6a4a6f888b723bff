// Test-and-chaos controls shared by every reference simulator: what it received, and faults on demand
// (fail every call, answer slowly, refuse connections) exposed at /__sim/*.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { JsonValue } from '../../../src/core/envelope';

export type { JsonValue };

export interface ReceivedRecord {
  seq: number;
  at: string;
  operation: string;
  body: JsonValue;
  headers: Record<string, string>;
  /** The request path, when the simulator serves one operation on several paths. */
  path?: string;
}

export type FaultMode =
  | { mode: 'none' }
  | { mode: 'fail'; status: number; untilMs: number }
  | { mode: 'slow'; delayMs: number; untilMs: number }
  | { mode: 'refuse'; untilMs: number }
  /** The call is carried out, then the connection is cut before the answer: the caller cannot know it succeeded. */
  | { mode: 'lose-answer'; untilMs: number }
  /**
   * Calls that change state are carried out `delayMs` after they arrive, whatever became of the caller meanwhile (an
   * upstream whose workers lag behind its front end); reads are answered at once.
   */
  | { mode: 'apply-late'; delayMs: number; untilMs: number };

export interface FaultRequest {
  mode: FaultMode['mode'];
  /** How long the fault lasts; default 30 s. */
  durationMs?: number;
  /** For fail: the HTTP status to answer with (default 503). */
  status?: number;
  /** For slow and apply-late: how long each answer (each change) is held back (default 5000 ms). */
  delayMs?: number;
}

const FAULT_MODES: readonly FaultMode['mode'][] = ['none', 'fail', 'slow', 'refuse', 'lose-answer', 'apply-late'];

export class SimulatorControl {
  private readonly records: ReceivedRecord[] = [];
  private seq = 0;
  private fault: FaultMode = { mode: 'none' };
  private lateChanges = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private refuseTimer: NodeJS.Timeout | null = null;
  private port = 0;
  private host = '127.0.0.1';

  constructor(private readonly maxRecords = 100_000) {}

  record(operation: string, body: JsonValue, headers: Record<string, string> = {}, path?: string): ReceivedRecord {
    const rec: ReceivedRecord = { seq: ++this.seq, at: new Date().toISOString(), operation, body, headers, ...(path !== undefined ? { path } : {}) };
    this.records.push(rec);
    if (this.records.length > this.maxRecords) this.records.shift();
    return rec;
  }

  received(operation?: string): ReceivedRecord[] {
    return operation ? this.records.filter((r) => r.operation === operation) : [...this.records];
  }

  clear(): void {
    this.records.length = 0;
  }

  currentFault(): FaultMode {
    if (this.fault.mode !== 'none' && Date.now() >= this.fault.untilMs) this.fault = { mode: 'none' };
    return this.fault;
  }

  setFault(request: FaultRequest): FaultMode {
    const untilMs = Date.now() + (request.durationMs ?? 30_000);
    switch (request.mode) {
      case 'none':
        this.fault = { mode: 'none' };
        this.reopen();
        break;
      case 'fail':
        this.fault = { mode: 'fail', status: request.status ?? 503, untilMs };
        break;
      case 'slow':
        this.fault = { mode: 'slow', delayMs: request.delayMs ?? 5000, untilMs };
        break;
      case 'refuse':
        this.fault = { mode: 'refuse', untilMs };
        this.refuse(request.durationMs ?? 30_000);
        break;
      case 'lose-answer':
        this.fault = { mode: 'lose-answer', untilMs };
        break;
      case 'apply-late':
        this.fault = { mode: 'apply-late', delayMs: request.delayMs ?? 5000, untilMs };
        break;
    }
    return this.fault;
  }

  /** Carries out a call that changes state: now, or under 'apply-late' after its delay. */
  carryOut(change: () => void): void {
    const fault = this.currentFault();
    if (fault.mode !== 'apply-late') {
      change();
      return;
    }
    this.lateChanges++;
    setTimeout(() => {
      this.lateChanges--;
      change();
    }, fault.delayMs).unref();
  }

  /** Changes held back by 'apply-late' and not yet carried out. */
  pendingChanges(): number {
    return this.lateChanges;
  }

  /** Whether the simulator's socket takes connections (false while a 'refuse' fault holds it closed). */
  listening(): boolean {
    return this.server?.listening ?? false;
  }

  /** Lets the control close and reopen the listening socket for the 'refuse' fault. */
  attach(server: Server): void {
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    const address = server.address();
    if (address && typeof address === 'object') {
      this.port = address.port;
      this.host = address.address;
    }
  }

  /** Routes for /__sim/received and /__sim/fault; mount before the fault middleware. */
  router(): Router {
    const router = express.Router();
    router.get('/__sim/received', (req: Request, res: Response) => {
      const operation = typeof req.query.operation === 'string' ? req.query.operation : undefined;
      res.json({ received: this.received(operation) });
    });
    router.delete('/__sim/received', (_req: Request, res: Response) => {
      this.clear();
      res.status(204).end();
    });
    router.get('/__sim/fault', (_req: Request, res: Response) => {
      res.json(this.currentFault());
    });
    router.post('/__sim/fault', express.json(), (req: Request, res: Response) => {
      const body = (req.body ?? {}) as Partial<FaultRequest>;
      if (!body.mode || !FAULT_MODES.includes(body.mode)) {
        res.status(400).json({ code: 'SIM_BAD_FAULT', message: `mode must be one of ${FAULT_MODES.join(', ')}` });
        return;
      }
      res.json(this.setFault(body as FaultRequest));
    });
    return router;
  }

  /** Applies the current fault to every request that reaches it. */
  middleware() {
    return (_req: Request, res: Response, next: NextFunction): void => {
      const fault = this.currentFault();
      if (fault.mode === 'fail') {
        res.status(fault.status).json({ code: 'SIM_FAULT', message: 'simulated upstream failure' });
        return;
      }
      if (fault.mode === 'slow') {
        setTimeout(next, fault.delayMs).unref();
        return;
      }
      if (fault.mode === 'refuse') {
        res.socket?.destroy();
        return;
      }
      if (fault.mode === 'lose-answer') {
        // The handler runs and applies the call; whatever it answers never leaves this process.
        res.end = (() => {
          res.socket?.destroy();
          return res;
        }) as typeof res.end;
      }
      next();
    };
  }

  private refuse(durationMs: number): void {
    if (!this.server || this.port === 0) return;
    const server = this.server;
    // Answer the /__sim/fault call first, then stop listening so new connections are refused.
    setImmediate(() => {
      server.close();
      for (const socket of this.sockets) socket.destroy();
    });
    if (this.refuseTimer) clearTimeout(this.refuseTimer);
    this.refuseTimer = setTimeout(() => this.reopen(), durationMs);
    this.refuseTimer.unref();
  }

  private reopen(): void {
    if (this.refuseTimer) clearTimeout(this.refuseTimer);
    this.refuseTimer = null;
    if (this.server && !this.server.listening && this.port !== 0) this.server.listen(this.port, this.host);
  }
}

export function headersOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') out[k] = v;
  return out;
}

export interface ListeningSimulator {
  server: Server;
  url: string;
  port: number;
}

/** Starts a simulator's HTTP server and hands it to its control (for the 'refuse' fault); answers its base URL. */
export async function listenSimulator(
  app: express.Express,
  control: SimulatorControl,
  options: { port?: number; host?: string },
): Promise<ListeningSimulator> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  control.attach(server);
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('simulator is not listening on a TCP port');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${host}:${address.port}`, port: address.port };
}
