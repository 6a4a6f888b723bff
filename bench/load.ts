// A light keep-alive HTTP load generator for the bench: closed loop (N connections, each sends its next request when
// the previous answered) for a duration, or open loop at a fixed rate. Latencies in ms from performance.now().
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface PostSpec {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** `timeoutMs`: a request with no answer by then fails (its socket is destroyed); none by default. */
export function createClient(baseUrl: string, connections: number, timeoutMs?: number) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const request = (method: string, path: string, headers: Record<string, string>, body?: Buffer) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, method, path, agent, headers: body ? { ...headers, 'content-length': String(body.length) } : headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (timeoutMs !== undefined) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer after ${timeoutMs} ms`)));
      req.end(body);
    });
  return {
    post: (spec: PostSpec) => request('POST', spec.path, spec.headers, spec.body),
    get: (path: string, headers: Record<string, string> = {}) => request('GET', path, headers),
    close: () => agent.destroy(),
  };
}

export interface LoadResult {
  durationS: number;
  sent: number;
  accepted: number;
  refused: Record<string, number>;
  errors: number;
  perSec: number;
  latenciesMs: number[];
  p50Ms: number;
  p99Ms: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summarise(durationS: number, sent: number, accepted: number, refused: Record<string, number>, errors: number, latencies: number[]): LoadResult {
  const sorted = latencies.sort((a, b) => a - b);
  return { durationS, sent, accepted, refused, errors, perSec: accepted / durationS, latenciesMs: sorted, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

/** N connections in a closed loop for durationMs; `next` makes request i; `onAccepted` sees each 2xx answer. */
export async function closedLoop(options: {
  baseUrl: string;
  connections: number;
  durationMs: number;
  next: (i: number) => PostSpec;
  onSent?: (i: number, at: number) => void;
  onAccepted?: (i: number, answer: HttpAnswer) => void;
}): Promise<LoadResult> {
  const client = createClient(options.baseUrl, options.connections);
  const latencies: number[] = [];
  const refused: Record<string, number> = {};
  let sent = 0;
  let accepted = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = sent++;
      const spec = options.next(i);
      const t0 = performance.now();
      options.onSent?.(i, t0);
      try {
        const answer = await client.post(spec);
        if (answer.status >= 200 && answer.status < 300) {
          accepted++;
          latencies.push(performance.now() - t0);
          options.onAccepted?.(i, answer);
        } else refused[answer.status] = (refused[answer.status] ?? 0) + 1;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const durationS = (performance.now() - started) / 1000;
  client.close();
  return summarise(durationS, sent, accepted, refused, errors, latencies);
}

/** Open loop: starts request i at started + i / ratePerSec regardless of answers, for durationMs. */
export async function openLoop(options: {
  baseUrl: string;
  ratePerSec: number;
  durationMs: number;
  next: (i: number) => PostSpec;
  onSent?: (i: number, at: number) => void;
  onAccepted?: (i: number, answer: HttpAnswer) => void;
}): Promise<LoadResult> {
  const client = createClient(options.baseUrl, 256);
  const latencies: number[] = [];
  const refused: Record<string, number> = {};
  let accepted = 0;
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.max(1, Math.floor((options.ratePerSec * options.durationMs) / 1000));
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / options.ratePerSec;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const spec = options.next(i);
    const t0 = performance.now();
    options.onSent?.(i, t0);
    inFlight.push(
      client.post(spec).then(
        (answer) => {
          if (answer.status >= 200 && answer.status < 300) {
            accepted++;
            latencies.push(performance.now() - t0);
            options.onAccepted?.(i, answer);
          } else refused[answer.status] = (refused[answer.status] ?? 0) + 1;
        },
        () => void errors++,
      ),
    );
  }
  await Promise.all(inFlight);
  const durationS = (performance.now() - started) / 1000;
  client.close();
  return summarise(durationS, total, accepted, refused, errors, latencies);
}
