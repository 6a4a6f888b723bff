// The edoc-fanout step: turns one accepted package (edoc.send) into one edoc.deliver message per recipient, each
// tracked, retried and reported on its own; the package's own state follows its parts (core/message-state.ts). Each
// part's id is derived from the package's and the recipient's, so a redelivered package hands every part over again
// under the same ids: a part recorded but never published (the process died in between) is published now, and one
// already delivered is recognised by its effect record.
import type { Envelope } from '../../../core/envelope';
import { derivedUuidv7 } from '../../../core/uuid';
import { MessageRejectedError, UpstreamError, type DeliveryAdapter } from '../../../messaging/delivery/adapter';
import type { FlowIntake } from '../../../messaging/message-intake';
import { EDOC_MESSAGE_TYPES, isEdocSendPayload, isRecord, type EdocDeliverPayload } from '../payloads';
import { EDOC_ADAPTERS } from '../settings';

export function createFanoutAdapter(deps: { messageIntake: FlowIntake }): DeliveryAdapter {
  return {
    name: EDOC_ADAPTERS.fanout,
    // The package is delivered when its recipients have it: its state follows the parts made here.
    fansOut: true,
    async deliver(envelope: Envelope): Promise<void> {
      const payload = envelope.payload;
      if (!isEdocSendPayload(payload)) throw new MessageRejectedError('EDOC_BAD_PAYLOAD', 'edoc.send payload is not valid');
      for (const recipient of payload.recipients) {
        const child: EdocDeliverPayload = {
          blob: payload.blob,
          fromOrgan: payload.fromOrgan,
          toOrgan: recipient.organId,
          delivery: recipient.delivery,
          businessDocType: payload.businessDocType,
          signature: isRecord(payload.signature) ? payload.signature : null,
        };
        const accepted = await deps.messageIntake.dispatch({
          type: EDOC_MESSAGE_TYPES.deliver,
          source: envelope.source,
          destination: recipient.organId,
          subject: envelope.subject,
          payload: child,
          correlationId: envelope.correlationId,
          causationId: envelope.id,
          messageId: derivedUuidv7(envelope.id, `${EDOC_MESSAGE_TYPES.deliver} ${recipient.organId}`),
        });
        if (!accepted.ok) {
          if (accepted.code === 'NO_ROUTE' || accepted.code === 'ROUTE_FORBIDDEN') throw new MessageRejectedError(accepted.code, accepted.message);
          throw new UpstreamError({ kind: 'unavailable', code: accepted.code, message: accepted.message });
        }
      }
    },
  };
}
