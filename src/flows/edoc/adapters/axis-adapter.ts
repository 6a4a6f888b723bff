// The edoc-axis step: sends a document or status packet to an organ outside the province through the national
// document axis (VXP-style, HMAC-signed), streaming the stored package. The axis is not the recipient, so its refusal
// sends no status 02 in the recipient's name: a refused sender or document rejects the part (its code and reason reach
// the sender through the message status), and a refusal of the bus's own credentials is a dead letter for the operator.
// A status about a document that came in from the axis is reported on that document (updateStatus), not sent anew.
import { DocumentAxisClient, type AxisMessageType, type AxisReceiveStatus } from '../../../upstreams/document-axis';
import type { Envelope } from '../../../core/envelope';
import type { UpstreamBreaker } from '../../../messaging/breaker';
import { MessageRejectedError, UpstreamError, type DeliveryAdapter } from '../../../messaging/delivery/adapter';
import { isEdocDeliverPayload, isEdocStatusPayload } from '../payloads';
import { EDOC_ADAPTERS } from '../settings';
import type { EdocAxisInbound, EdocBlobStore } from '../stores/edoc-store';
import { axisRefusalOf } from './axis-refusal';
import { guardedCall, isFinalRefusal } from './guarded-call';

/** BussinessDocType → the axis messageType: 0 new, 1 revoke, 2 update, 3 replace. */
export const AXIS_MESSAGE_TYPE_FOR_BUSINESS: Record<number, AxisMessageType> = { 0: 'edoc', 1: 'revocation', 2: 'update', 3: 'replacement' };

/** The code a part carries when the axis does not take documents from its sending organ. */
export const EDOC_SENDER_NOT_REGISTERED = 'EDOC_SENDER_NOT_REGISTERED';

/**
 * QĐ 28 status code → the axis's receive status of a document that came in from it. 01 (arrived) is what the bus's
 * acknowledgement said already; 04 (assigned) and 05 (in progress) are both `processing`; 06 (finished) is `done`.
 */
export const AXIS_RECEIVE_STATUS_FOR_CODE: Record<string, AxisReceiveStatus | null> = {
  '01': null,
  '02': 'rejection',
  '03': 'acceptance',
  '04': 'processing',
  '05': 'processing',
  '06': 'done',
};

export function createAxisAdapter(deps: { client: DocumentAxisClient; breaker: UpstreamBreaker; blobs: EdocBlobStore; systemId: string; axisInbound: EdocAxisInbound }): DeliveryAdapter {
  /** The axis doc id of the document a status is about, when that document came in from the axis. */
  const inboundDocOf = async (envelope: Envelope): Promise<string | null> => {
    const payload = envelope.payload;
    if (!isEdocStatusPayload(payload)) return null;
    return deps.axisInbound.find(envelope.subject ?? payload.blob.documentId, payload.toOrgan, payload.fromOrgan);
  };
  return {
    name: EDOC_ADAPTERS.axis,
    abandonedCallSettleMs: deps.breaker.abandonedCallSettleMs,
    async deliver(envelope: Envelope, signal: AbortSignal): Promise<void> {
      const { payload, send } = axisSendOf(envelope);
      const axisDocId = await inboundDocOf(envelope);
      if (axisDocId !== null && isEdocStatusPayload(payload)) {
        const status = AXIS_RECEIVE_STATUS_FOR_CODE[payload.statusCode] ?? null;
        if (status === null) return;
        try {
          await guardedCall(deps.breaker, signal, (callSignal) => deps.client.updateStatus(axisDocId, status, { signal: callSignal }));
        } catch (error) {
          if (!isFinalRefusal(error)) throw error;
          throw new MessageRejectedError(error.code, `the national axis refused status ${payload.statusCode} on document ${axisDocId}: ${error.message}`);
        }
        return;
      }
      try {
        await guardedCall(deps.breaker, signal, (callSignal) =>
          deps.client.sendEdoc(
            { from: send.from, to: [send.to], content: { stream: deps.blobs.stream(payload.blob), sha256Hex: send.sha256Hex, size: payload.blob.bytes }, serviceType: send.serviceType, messageType: send.messageType },
            { signal: callSignal },
          ),
        );
      } catch (error) {
        if (!isFinalRefusal(error)) throw error;
        switch (axisRefusalOf(error)) {
          case 'credentials':
            // Not the message's fault nor the sender's: dead-lettered, to be replayed once the operator has fixed it.
            throw new UpstreamError({
              kind: 'refused',
              code: error.code,
              message: `the national axis refused the bus's credentials (system ${deps.systemId}): ${error.message}; check flows.edoc.axis systemId and secret, then replay`,
              status: error.status,
            });
          case 'sender':
            throw new MessageRejectedError(
              EDOC_SENDER_NOT_REGISTERED,
              `the national axis does not take documents from ${payload.fromOrgan}: it is not registered to send through this province's system (${error.code}: ${error.message})`,
            );
          case 'document':
            throw new MessageRejectedError(error.code, `the national axis refused it for ${payload.toOrgan}: ${error.message}`);
        }
      }
    },
    // The axis takes no idempotency key: a package whose sendEdoc answer was lost is looked up in the sent list.
    // A receive status set again is the same status: only a sent package is looked up.
    alreadyApplied: async (envelope, signal) =>
      (await inboundDocOf(envelope)) === null && guardedCall(deps.breaker, signal, (callSignal) => deps.client.hasSent(axisSendOf(envelope).send, { signal: callSignal })),
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
