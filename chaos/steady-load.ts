// A steady open-loop load of dossiers and e-documents at fixed rates over one keep-alive client, recording every
// request's key and answer. A refused request (503, connection error, no answer) is sent but not accepted: the client
// was never told 202, so the message is not the bus's to keep; it is never retried under the same key.
import { performance } from 'node:perf_hooks';
import { createClient } from '../bench/load';
import type { TrafficKind, TrafficRequest } from './traffic';

export interface SentRequest {
  kind: TrafficKind;
  key: string;
  /** HTTP status; 0 for a connection error or no answer within the timeout. */
  status: number;
  /** The bus's message id, when it answered 202. */
  messageId: string | null;
}

export interface SteadyLoadOptions {
  baseUrl: string;
  dossiersPerSec: number;
  edocsPerSec: number;
  requestTimeoutMs: number;
  next: (kind: TrafficKind) => TrafficRequest;
  /** Requests in flight at most; while the bus hangs, the load pauses rather than piling up sockets. */
  maxInFlight?: number;
}

const TICK_MS = 20;

export class SteadyLoad {
  private readonly sent: SentRequest[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private loop: Promise<void> | null = null;
  /** Sends skipped because maxInFlight requests were waiting for an answer. */
  skipped = 0;

  constructor(private readonly options: SteadyLoadOptions) {}

  start(): void {
    this.loop = this.run();
  }

  /** Stops sending, waits for the answers still due, and returns every request with its outcome. */
  async stop(): Promise<SentRequest[]> {
    this.stopped = true;
    await this.loop;
    await Promise.all([...this.inFlight]);
    return [...this.sent];
  }

  private async run(): Promise<void> {
    const maxInFlight = this.options.maxInFlight ?? 256;
    const client = createClient(this.options.baseUrl, 64, this.options.requestTimeoutMs);
    const started = performance.now();
    const due = { dossier: 0, edoc: 0 };
    const rates: Record<TrafficKind, number> = { dossier: this.options.dossiersPerSec, edoc: this.options.edocsPerSec };
    try {
      while (!this.stopped) {
        const elapsedS = (performance.now() - started) / 1000;
        for (const kind of ['dossier', 'edoc'] as const) {
          const target = Math.floor(elapsedS * rates[kind]);
          while (due[kind] < target) {
            due[kind]++;
            if (this.inFlight.size >= maxInFlight) {
              this.skipped++;
              continue;
            }
            this.send(client, this.options.next(kind));
          }
        }
        await new Promise((r) => setTimeout(r, TICK_MS));
      }
      await Promise.all([...this.inFlight]);
    } finally {
      client.close();
    }
  }

  private send(client: ReturnType<typeof createClient>, request: TrafficRequest): void {
    const record: SentRequest = { kind: request.kind, key: request.key, status: 0, messageId: null };
    this.sent.push(record);
    const done = client
      .post({ path: request.path, headers: request.headers, body: request.body })
      .then(
        (answer) => {
          record.status = answer.status;
          if (answer.status === 202) record.messageId = messageIdOf(answer.body);
        },
        () => undefined,
      )
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }
}

function messageIdOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { messageId?: unknown };
    return typeof parsed.messageId === 'string' ? parsed.messageId : null;
  } catch {
    return null;
  }
}
