// The edoc-mailbox step: files a document or status packet in the recipient organ's mailbox in this bus, and for a
// document sends status 01 (đã đến) back to the sender, once.
import type { Envelope } from '../../../core/envelope';
import type { MessageStatusStore } from '../../../stores/message-status';
import { MessageRejectedError, UpstreamError, type DeliveryAdapter } from '../../../messaging/delivery/adapter';
import { EDOC_MESSAGE_TYPES, isEdocDeliverPayload, isEdocStatusPayload, isRecord } from '../payloads';
import { EDOC_ADAPTERS } from '../settings';
import { BUS_SOURCE, type StatusReporter } from '../status-reporter';
import type { EdocStores } from '../stores/edoc-store';

export const ARRIVED_DESCRIPTION = 'Đã đến - hộp thư văn bản LGSP đã nhận, văn thư chưa xử lý';

export function createMailboxAdapter(deps: { stores: EdocStores; reporter: StatusReporter; messages: MessageStatusStore }): DeliveryAdapter {
  return {
    name: EDOC_ADAPTERS.mailbox,
    async deliver(envelope: Envelope): Promise<void> {
      const payload = envelope.payload;
      const receivedAt = new Date().toISOString();
      if (isEdocDeliverPayload(payload)) {
        await deps.stores.mailbox.put({
          entryId: envelope.id,
          organId: payload.toOrgan,
          kind: 'edoc',
          documentId: payload.blob.documentId,
          fromOrgan: payload.fromOrgan,
          blob: payload.blob,
          businessDocType: payload.businessDocType,
          statusCode: null,
          receivedAt,
          signature: isRecord(payload.signature) ? payload.signature : null,
        });
        await sendArrivedOnce(envelope, payload.blob.documentId, payload.fromOrgan, payload.toOrgan, deps);
        return;
      }
      if (isEdocStatusPayload(payload)) {
        await deps.stores.mailbox.put({
          entryId: envelope.id,
          organId: payload.toOrgan,
          kind: 'status',
          documentId: payload.blob.documentId,
          fromOrgan: payload.fromOrgan,
          blob: payload.blob,
          businessDocType: null,
          statusCode: payload.statusCode,
          receivedAt,
          signature: null,
        });
        return;
      }
      throw new MessageRejectedError('EDOC_BAD_PAYLOAD', `${envelope.type} payload is not valid`);
    },
  };
}

async function sendArrivedOnce(
  envelope: Envelope,
  documentId: string,
  sender: string,
  recipient: string,
  deps: { reporter: StatusReporter; messages: MessageStatusStore },
): Promise<void> {
  const children = await deps.messages.children(envelope.id);
  if (children.some((c) => c.type === EDOC_MESSAGE_TYPES.status && c.source === BUS_SOURCE)) return;
  const sent = await deps.reporter.report({
    source: BUS_SOURCE,
    causationId: envelope.id,
    correlationId: envelope.correlationId,
    documentId,
    documentSender: sender,
    reporter: recipient,
    statusCode: '01',
    description: ARRIVED_DESCRIPTION,
  });
  if (!sent.ok) {
    // An unknown recipient or a missing route is final; anything else (the intake busy or down) may pass later.
    const final = sent.code === 'EDOC_UNKNOWN_RECIPIENT' || sent.code === 'NO_ROUTE';
    throw new UpstreamError({ kind: final ? 'refused' : 'unavailable', code: sent.code, message: `status 01 not sent: ${sent.message}` });
  }
}
