// Reference receiver for HTTP push delivery: applies each Idempotency-Key once, and keeps both the raw requests
// and the applied effects so tests and chaos runs can count duplicates.
import express from 'express';
import { headersOf, listenSimulator, SimulatorControl, type JsonValue } from '../kit/simulator-control';

export interface ReceiverSimulator {
  url: string;
  port: number;
  control: SimulatorControl;
  /** Effects applied, in order, one per distinct Idempotency-Key. */
  applied(): { key: string; body: JsonValue }[];
  /** Requests received per Idempotency-Key, duplicates included. */
  requestCount(key: string): number;
  totalRequests(): number;
  close(): Promise<void>;
}

export async function startReceiverSimulator(options: { port?: number; host?: string; token?: string } = {}): Promise<ReceiverSimulator> {
  const control = new SimulatorControl();
  const appliedEffects: { key: string; body: JsonValue }[] = [];
  const appliedKeys = new Set<string>();
  const requests = new Map<string, number>();
  let total = 0;
  const app = express();
  app.use(control.router());
  app.get('/__sim/effects', (_req, res) => {
    res.json({ applied: appliedEffects.length, requests: total, duplicates: total - appliedEffects.length });
  });
  app.use(control.middleware());
  app.post('/inbox', express.json({ limit: '25mb' }), (req, res) => {
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
      res.status(401).json({ code: 'UNAUTHORIZED' });
      return;
    }
    // body-parser skips a request whose connection is already gone (its sender was killed mid-call) and leaves no
    // body: such a request was never received whole, so it applies nothing.
    if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
      res.status(400).json({ code: 'BODY_REQUIRED' });
      return;
    }
    const key = req.header('idempotency-key');
    if (!key) {
      res.status(400).json({ code: 'IDEMPOTENCY_KEY_REQUIRED' });
      return;
    }
    total++;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    control.record('push', { key }, headersOf(req));
    if (!appliedKeys.has(key)) {
      appliedKeys.add(key);
      appliedEffects.push({ key, body: req.body as JsonValue });
    }
    res.status(200).json({ applied: true });
  });
  const { server, url, port } = await listenSimulator(app, control, options);
  return {
    url,
    port,
    control,
    applied: () => [...appliedEffects],
    requestCount: (key) => requests.get(key) ?? 0,
    totalRequests: () => total,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
