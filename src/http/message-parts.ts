// The parts of a fanned-out message as the status answers show them: each part's status with the delivery its route
// hands it to (for an e-document: the recipient's mailbox, push endpoint or the national axis), so a sender reads each
// recipient's state, code and reason beside the parent's.
import type { components } from '../../contracts/generated/bus-api';
import type { ResolvedRoute } from '../config/load-config';
import { pipelineNameOf } from '../messaging/generic-pipeline';
import type { MessageStatusStore } from '../stores/message-status';
import { merged } from '../core/merged';

export type MessagePart = components['schemas']['MessageStatus'];

export async function messageParts(messages: Pick<MessageStatusStore, 'children'>, routes: readonly ResolvedRoute[], messageId: string): Promise<MessagePart[]> {
  const deliveries = new Map(routes.map((route) => [route.name, pipelineNameOf(route)]));
  const parts = await messages.children(messageId);
  return parts.map((part) => {
    const delivery = deliveries.get(part.route);
    return delivery === undefined ? part : merged(part, { delivery });
  });
}
