// Delivers a message by HTTP POST to a configured endpoint, with the message id as Idempotency-Key so the receiver
// can apply a redelivered message once.
import axios, { isAxiosError } from 'axios';
import type { Envelope } from '../../core/envelope';
import { UpstreamError, type DeliveryAdapter } from './adapter';

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

export function createHttpPushAdapter(options: HttpPushAdapterOptions): DeliveryAdapter {
  const client = axios.create({
    // Statuses are classified below; axios must not throw on them.
    validateStatus: () => true,
    maxRedirects: 0,
    headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
  });
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
        const response = await client.post(options.url, body, {
          signal,
          headers: { 'Idempotency-Key': envelope.id, 'X-Correlation-Id': envelope.correlationId, 'Content-Type': 'application/json' },
        });
        status = response.status;
      } catch (error) {
        const code = isAxiosError(error) ? (error.code ?? 'NETWORK_ERROR') : 'NETWORK_ERROR';
        throw new UpstreamError(`${options.name}: ${code}`, signal.aborted ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNREACHABLE', true);
      }
      if (status >= 200 && status < 300) return;
      const transient = status >= 500 || status === 408 || status === 429;
      throw new UpstreamError(`${options.name} answered HTTP ${status}`, transient ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_REJECTED', transient, status);
    },
  };
}
