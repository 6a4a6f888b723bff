// The edoc-axis step: sends a document or status packet to an organ outside the province through the national
// document axis (VXP-style, HMAC-signed), streaming the stored package; a final refusal of a document becomes status 02.
import { DocumentAxisClient, type AxisMessageType } from '../../../upstreams/document-axis';
import type { Envelope } from '../../../core/envelope';
import type { UpstreamBreaker } from '../../../messaging/breaker';
import { MessageRejectedError, type DeliveryAdapter } from '../../../messaging/delivery/adapter';
import { isEdocDeliverPayload, isEdocStatusPayload } from '../payloads';
import { EDOC_ADAPTERS } from '../settings';
import type { StatusReporter } from '../status-reporter';
import type { EdocBlobStore } from '../stores/edoc-store';
import { guardedCall, isFinalRefusal } from './guarded-call';
import { reportRefusal } from './refusal-report';

/** BussinessDocType → the axis messageType: 0 new, 1 revoke, 2 update, 3 replace. */
export const AXIS_MESSAGE_TYPE_FOR_BUSINESS: Record<number, AxisMessageType> = { 0: 'edoc', 1: 'revocation', 2: 'update', 3: 'replacement' };

export function createAxisAdapter(deps: { client: DocumentAxisClient; breaker: UpstreamBreaker; blobs: EdocBlobStore; reporter: StatusReporter }): DeliveryAdapter {
  return {
    name: EDOC_ADAPTERS.axis,
    abandonedCallSettleMs: deps.breaker.abandonedCallSettleMs,
    async deliver(envelope: Envelope, signal: AbortSignal): Promise<void> {
      const { payload, send } = axisSendOf(envelope);
      try {
        await guardedCall(deps.breaker, signal, (callSignal) =>
          deps.client.sendEdoc(
            { from: send.from, to: [send.to], content: { stream: deps.blobs.stream(payload.blob), sha256Hex: send.sha256Hex, size: payload.blob.bytes }, serviceType: send.serviceType, messageType: send.messageType },
            { signal: callSignal },
          ),
        );
      } catch (error) {
        if (!isFinalRefusal(error)) throw error;
        if (isEdocDeliverPayload(payload)) await reportRefusal(deps.reporter, envelope, payload, error);
        throw new MessageRejectedError(error.code, `the national axis refused it for ${payload.toOrgan}: ${error.message}`);
      }
    },
    // The axis takes no idempotency key: a package whose sendEdoc answer was lost is looked up in the sent list.
    alreadyApplied: (envelope, signal) => guardedCall(deps.breaker, signal, (callSignal) => deps.client.hasSent(axisSendOf(envelope).send, { signal: callSignal })),
  };
}

/** What the axis is sent for this part: a document (by its business type) or a status packet. */
function axisSendOf(envelope: Envelope) {
  const payload = envelope.payload;
  const isDocument = isEdocDeliverPayload(payload);
  if (!isDocument && !isEdocStatusPayload(payload)) throw new MessageRejectedError('EDOC_BAD_PAYLOAD', `${envelope.type} payload is not valid`);
  const send = {
    from: payload.fromOrgan,
    to: payload.toOrgan,
    sha256Hex: payload.blob.sha256,
    serviceType: isDocument ? ('eDoc' as const) : ('status' as const),
    messageType: isDocument ? (AXIS_MESSAGE_TYPE_FOR_BUSINESS[payload.businessDocType] ?? 'edoc') : ('status' as const),
  };
  return { payload, send };
}
