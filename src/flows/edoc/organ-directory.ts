// The organ directory of the flow: how each organ receives (mailbox, push, axis) and which bus clients speak for it.
import type { EdocOrganSettings, EdocSettings } from './settings';

export type DeliveryMode = EdocOrganSettings['delivery'];

export type RecipientDecision = { ok: true; delivery: DeliveryMode } | { ok: false };

export class OrganDirectory {
  private readonly organsByClient = new Map<string, string[]>();

  constructor(private readonly settings: Pick<EdocSettings, 'organs' | 'unknownOrgans'>) {
    for (const [organId, organ] of Object.entries(settings.organs)) {
      for (const client of organ.clientIds) this.organsByClient.set(client, [...(this.organsByClient.get(client) ?? []), organId]);
    }
  }

  organ(organId: string): EdocOrganSettings | undefined {
    return Object.prototype.hasOwnProperty.call(this.settings.organs, organId) ? this.settings.organs[organId] : undefined;
  }

  /** How a document or status for organId travels; unknown organs go to the axis or are refused, as configured. */
  deliveryFor(organId: string): RecipientDecision {
    const organ = this.organ(organId);
    if (organ) return { ok: true, delivery: organ.delivery };
    return this.settings.unknownOrgans === 'axis' ? { ok: true, delivery: 'axis' } : { ok: false };
  }

  /** Organs a client speaks for (may send From, read the mailbox of). */
  organsOf(clientId: string): readonly string[] {
    return this.organsByClient.get(clientId) ?? [];
  }

  speaksFor(clientId: string, organId: string): boolean {
    return this.organsOf(clientId).includes(organId);
  }

  /** Organs with a push endpoint, for building one client and breaker each. */
  pushOrgans(): [string, EdocOrganSettings][] {
    return Object.entries(this.settings.organs).filter(([, organ]) => organ.delivery === 'push');
  }
}
