// Delivers a message by HTTP POST to a configured endpoint, with the message id as Idempotency-Key so the receiver
// can apply a redelivered message once.
import type { Envelope } from '../../core/envelope';
import { UpstreamPool, UpstreamTransportError } from '../../upstreams/http-kit/upstream-pool';
import { UpstreamError, type DeliveryAdapter } from './adapter';
import { isTransientStatus } from '../../upstreams/http-kit/upstream-error';

export interface HttpPushAdapterOptions {
  name: string;
  url: string;
  token?: string;
}

export interface PushedMessage {
  id: string;
  type: string;
  source: string;
  destination: string | null;
  subject: string | null;
  correlationId: string;
  payload: Envelope['payload'];
}

/** Answers up to this size are read (and dropped): the adapter needs only the status. */
const MAX_ANSWER_BYTES = 64 * 1024;

export function createHttpPushAdapter(options: HttpPushAdapterOptions): DeliveryAdapter {
  const target = new URL(options.url);
  // No own timeout: the route's and the breaker's signal end a call. No redirects: the token goes to this host only.
  const pool = new UpstreamPool({
    baseUrl: target.origin,
    upstream: options.name,
    maxAnswerBytes: MAX_ANSWER_BYTES,
    headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
  });
  const path = target.pathname + target.search;
  return {
    name: options.name,
    async deliver(envelope: Envelope, signal: AbortSignal): Promise<void> {
      const body: PushedMessage = {
        id: envelope.id,
        type: envelope.type,
        source: envelope.source,
        destination: envelope.destination,
        subject: envelope.subject,
        correlationId: envelope.correlationId,
        payload: envelope.payload,
      };
      let status: number;
      try {
        const answer = await pool.post(path, JSON.stringify(body), {
          signal,
          headers: { 'Idempotency-Key': envelope.id, 'X-Correlation-Id': envelope.correlationId, 'Content-Type': 'application/json' },
        });
        status = answer.status;
      } catch (error) {
        if (error instanceof UpstreamTransportError && error.kind === 'aborted') {
          throw new UpstreamError({ kind: 'aborted', code: 'UPSTREAM_TIMEOUT', message: `${options.name}: no answer before the call was cancelled` });
        }
        const socketCode = error instanceof UpstreamTransportError ? error.socketCode : 'NETWORK_ERROR';
        const kind = error instanceof UpstreamTransportError && error.kind === 'unreachable' ? 'unreachable' : 'network';
        throw new UpstreamError({ kind, code: 'UPSTREAM_UNREACHABLE', message: `${options.name}: ${socketCode}` });
      }
      if (status >= 200 && status < 300) return;
      throw new UpstreamError({
        kind: 'http-status',
        code: isTransientStatus(status) ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_REJECTED',
        message: `${options.name} answered HTTP ${status}`,
        status,
      });
    },
  };
}
