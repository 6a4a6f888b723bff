// A dossier seen whole (GET /api/v1/dossiers/{MaHoSo}): its messages in acceptance order, what DVCQG last acknowledged, what is pending.
import type { components } from '../../../contracts/generated/bus-api';
import { isFinalState } from '../../core/message-state';
import type { RouteConfig } from '../../config/schema';
import type { MessageStatus } from '../../stores/message-status';

export type DossierWhole = components['schemas']['DossierWhole'];
type DossierMessage = components['schemas']['DossierMessage'];

/** The message types of a dossier and the kind each is shown as. */
export const DOSSIER_KINDS: Readonly<Record<string, DossierMessage['kind']>> = { 'dossier.submitted': 'submission', 'dossier.progress': 'progress' };

/** The routes that carry a dossier's messages (its submission and progress types). */
export function dossierRoutes(routes: readonly Pick<RouteConfig, 'name' | 'types'>[]): string[] {
  const types = Object.keys(DOSSIER_KINDS);
  return routes.filter((route) => route.types.some((type) => types.includes(type))).map((route) => route.name);
}

/**
 * The dossier from its messages, given in acceptance order (the order DVCQG receives them in). A message of another
 * type (none is expected on the dossier routes) is left out rather than shown under a kind it is not.
 */
export function dossierWhole(maHoSo: string, statuses: readonly MessageStatus[]): DossierWhole {
  const messages: DossierMessage[] = [];
  for (const status of statuses) {
    const kind = DOSSIER_KINDS[status.type];
    if (kind === undefined) continue;
    messages.push({ messageId: status.messageId, kind, state: status.state, code: status.code, reason: status.reason, acceptedAt: status.acceptedAt, updatedAt: status.updatedAt });
  }
  // DVCQG acknowledges a message by answering it: the last delivered one in acceptance order is what it holds now.
  const acknowledged = messages.filter((m) => m.state === 'delivered').at(-1);
  return {
    maHoSo,
    messages,
    lastAcknowledged: acknowledged ? { messageId: acknowledged.messageId, at: acknowledged.updatedAt } : null,
    pending: messages.filter((m) => !isFinalState(m.state)),
  };
}
