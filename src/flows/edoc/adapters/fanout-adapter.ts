// The edoc-fanout step: turns one accepted package (edoc.send) into one edoc.deliver message per recipient, each
// tracked, retried and reported on its own; a redelivery only creates the children still missing.
import type { Envelope } from '../../../envelope/envelope';
import type { MessageStatusStore } from '../../../stores/message-status';
import { MessageRejectedError, UpstreamError, type DeliveryAdapter } from '../../../routing/adapter';
import type { MessageIntake } from '../../../intake/message-intake';
import { EDOC_MESSAGE_TYPES, isEdocSendPayload, type EdocDeliverPayload } from '../payloads';
import { EDOC_ADAPTERS } from '../settings';

export function createFanoutAdapter(deps: { messageIntake: MessageIntake; messages: MessageStatusStore }): DeliveryAdapter {
  return {
    name: EDOC_ADAPTERS.fanout,
    async deliver(envelope: Envelope): Promise<void> {
      const payload = envelope.payload;
      if (!isEdocSendPayload(payload)) throw new MessageRejectedError('EDOC_BAD_PAYLOAD', 'edoc.send payload is not valid');
      const existing = await deps.messages.children(envelope.id);
      const done = new Set(existing.filter((c) => c.type === EDOC_MESSAGE_TYPES.deliver).map((c) => c.destination));
      for (const recipient of payload.recipients) {
        if (done.has(recipient.organId)) continue;
        const child: EdocDeliverPayload = {
          blob: payload.blob,
          fromOrgan: payload.fromOrgan,
          toOrgan: recipient.organId,
          delivery: recipient.delivery,
          businessDocType: payload.businessDocType,
        };
        const accepted = await deps.messageIntake.dispatch({
          type: EDOC_MESSAGE_TYPES.deliver,
          source: envelope.source,
          destination: recipient.organId,
          subject: envelope.subject,
          payload: child,
          correlationId: envelope.correlationId,
          causationId: envelope.id,
        });
        if (!accepted.ok) {
          if (accepted.code === 'NO_ROUTE' || accepted.code === 'ROUTE_FORBIDDEN') throw new MessageRejectedError(accepted.code, accepted.message);
          throw new UpstreamError(accepted.message, accepted.code, true);
        }
      }
    },
  };
}
