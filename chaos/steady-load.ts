// A steady open-loop load: client journeys (a dossier and its progress updates, an e-document) started at fixed rates
// over one keep-alive client, recording every request's key and answer. A request with an Idempotency-Key (dossiers,
// progress) is sent again, as a careful client would, while its answer is lost or says "not now" (connection error, no
// answer, 503, 409), for up to resendForMs; a resend the bus took as a second message would show as a duplicate. What
// is still not answered 202 in the end (and every refused e-document) is sent but not accepted: the client was never
// told 202, so the message is not the bus's to keep.
import { performance } from 'node:perf_hooks';
import { createClient } from '../bench/load';
import type { SendRequest, TrafficKind, TrafficRequest } from './traffic';

export interface SentRequest {
  kind: TrafficKind;
  key: string;
  /** HTTP status; 0 for a connection error or no answer within the timeout. */
  status: number;
  /** The bus's message id, when it answered 202. */
  messageId: string | null;
  /** Times it was sent (more than 1: sent again under its Idempotency-Key). */
  attempts: number;
}

export interface Journey {
  name: string;
  perSec: number;
  run(send: SendRequest): Promise<void>;
}

export interface SteadyLoadOptions {
  baseUrl: string;
  journeys: Journey[];
  requestTimeoutMs: number;
  /** Journeys in flight at most; while the bus hangs, the load pauses rather than piling up sockets. */
  maxInFlight?: number;
  /** How long a request with an Idempotency-Key is sent again while its answer is lost or "not now". */
  resendForMs: number;
}

const RESEND_STATUSES = new Set([0, 409, 503]);

const TICK_MS = 20;

export class SteadyLoad {
  private readonly sent: SentRequest[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private loop: Promise<void> | null = null;
  /** Journeys not started because maxInFlight were still running. */
  skipped = 0;

  constructor(private readonly options: SteadyLoadOptions) {}

  start(): void {
    this.loop = this.run();
  }

  /** Stops starting journeys, waits for those running, and returns every request with its outcome. */
  async stop(): Promise<SentRequest[]> {
    this.stopped = true;
    await this.loop;
    return [...this.sent];
  }

  private async run(): Promise<void> {
    const maxInFlight = this.options.maxInFlight ?? 256;
    const client = createClient(this.options.baseUrl, 64, this.options.requestTimeoutMs);
    const send: SendRequest = (request) => this.send(client, request);
    const started = performance.now();
    const begun = this.options.journeys.map(() => 0);
    try {
      while (!this.stopped) {
        const elapsedS = (performance.now() - started) / 1000;
        this.options.journeys.forEach((journey, i) => {
          const target = Math.floor(elapsedS * journey.perSec);
          while (begun[i]! < target) {
            begun[i]!++;
            if (this.inFlight.size >= maxInFlight) {
              this.skipped++;
              continue;
            }
            const running: Promise<void> = journey
              .run(send)
              .catch(() => undefined)
              .finally(() => this.inFlight.delete(running));
            this.inFlight.add(running);
          }
        });
        await new Promise((r) => setTimeout(r, TICK_MS));
      }
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    } finally {
      client.close();
    }
  }

  private async send(client: ReturnType<typeof createClient>, request: TrafficRequest): Promise<SentRequest> {
    const record: SentRequest = { kind: request.kind, key: request.key, status: 0, messageId: null, attempts: 0 };
    this.sent.push(record);
    if (request.sendElsewhere) {
      record.attempts = 1;
      record.status = await request.sendElsewhere().catch(() => 0);
      return record;
    }
    const resendUntil = performance.now() + (request.headers['idempotency-key'] ? this.options.resendForMs : 0);
    for (let pauseMs = 250; ; pauseMs = Math.min(pauseMs * 2, 2000)) {
      record.attempts++;
      try {
        const answer = await client.post({ path: request.path, headers: request.headers, body: request.body });
        record.status = answer.status;
        if (answer.status === 202) record.messageId = messageIdOf(answer.body);
      } catch {
        record.status = 0;
      }
      if (!RESEND_STATUSES.has(record.status) || performance.now() + pauseMs > resendUntil) return record;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
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
