// The edoc-push step: POSTs a document or status packet to the recipient organ's own QLVB endpoint (one client and one
// breaker per organ, Idempotency-Key = message id); a final refusal of a document is reported to its sender as status 02.
import { QlvbPushClient } from '../../../upstreams/qlvb-push/index';
import type { Envelope } from '../../../core/envelope';
import type { UpstreamBreaker } from '../../../messaging/breaker';
import { MessageRejectedError, UpstreamError, type DeliveryAdapter } from '../../../messaging/delivery/adapter';
import type { OrganDirectory } from '../organ-directory';
import { isEdocDeliverPayload, isEdocStatusPayload } from '../payloads';
import type { BusSecrets } from '../../../config/secrets';
import { EDOC_ADAPTERS, edocPushTokenPath, type EdocBreakerSettings } from '../settings';
import type { StatusReporter } from '../status-reporter';
import type { EdocBlobStore } from '../stores/edoc-store';
import { guardedCall, isFinalRefusal } from './guarded-call';
import { reportRefusal } from './refusal-report';

interface PushEndpoint {
  client: QlvbPushClient;
  breaker: UpstreamBreaker;
}

export interface PushAdapterDeps {
  directory: OrganDirectory;
  blobs: EdocBlobStore;
  reporter: StatusReporter;
  breakerSettings: EdocBreakerSettings;
  breaker(upstream: string, settings: EdocBreakerSettings, upstreamUrl: string, displayName?: string): UpstreamBreaker;
  /** The secrets resolved at start; each push organ's token is there by its config path (a missing one stopped the start). */
  secrets: BusSecrets;
}

export function createPushAdapter(deps: PushAdapterDeps): DeliveryAdapter {
  const endpoints = new Map<string, PushEndpoint>();
  for (const [organId, organ] of deps.directory.pushOrgans()) {
    endpoints.set(organId, {
      client: new QlvbPushClient({
        endpoint: organ.pushUrl ?? '',
        token: deps.secrets.get(edocPushTokenPath(organId)),
        timeoutMs: deps.breakerSettings.timeoutMs,
      }),
      breaker: deps.breaker(`${EDOC_ADAPTERS.push}:${organId}`, deps.breakerSettings, organ.pushUrl ?? '', `QLVB ${organ.name}`),
    });
  }
  return {
    name: EDOC_ADAPTERS.push,
    async deliver(envelope: Envelope, signal: AbortSignal): Promise<void> {
      const payload = envelope.payload;
      const isDocument = isEdocDeliverPayload(payload);
      if (!isDocument && !isEdocStatusPayload(payload)) throw new MessageRejectedError('EDOC_BAD_PAYLOAD', `${envelope.type} payload is not valid`);
      const endpoint = endpoints.get(payload.toOrgan);
      if (!endpoint) throw new MessageRejectedError('EDOC_NO_PUSH_ENDPOINT', `organ ${payload.toOrgan} has no push endpoint`);
      // Streamed from the store for each call (a window of it in memory, not the package); checked whole first.
      if (!(await deps.blobs.has(payload.blob))) throw new UpstreamError({ kind: 'internal', code: 'EDOC_BLOB_MISSING', message: 'the stored package is missing' });
      const content = () => ({ stream: deps.blobs.stream(payload.blob), sha256Hex: payload.blob.sha256, size: payload.blob.bytes });
      const routing = {
        fromOrgan: payload.fromOrgan,
        toOrgan: payload.toOrgan,
        documentId: payload.blob.documentId,
        statusCode: isDocument ? undefined : payload.statusCode,
      };
      try {
        await guardedCall(endpoint.breaker, signal, (callSignal) =>
          isDocument
            ? endpoint.client.pushEdoc({ idempotencyKey: envelope.id, content: content(), routing }, { signal: callSignal })
            : endpoint.client.pushStatus({ idempotencyKey: envelope.id, content: content(), routing }, { signal: callSignal }),
        );
      } catch (error) {
        if (!isFinalRefusal(error)) throw error;
        if (isDocument) await reportRefusal(deps.reporter, envelope, payload, error);
        throw new MessageRejectedError(error.code, `the endpoint of ${payload.toOrgan} refused it: ${error.message}`);
      }
    },
  };
}
