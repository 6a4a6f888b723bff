// Which flow owns which message type, and the rule every message of an owned type must pass on any path into a route.
//
// A type owned by a flow (dossier.submitted, edoc.deliver, …) is accepted only from that flow: its own endpoints and
// its own steps (fan-out, status reports). The generic endpoint and every other flow are refused, whatever rights
// the caller holds, because the flow's endpoint checks (who speaks for which organ, which stored package may be sent
// where, the citizen check) are what make such a message safe. The type's payload rule (the dossier schema and the
// citizen id check, the shape of an e-document part) runs in the intake itself, so no path can skip it.
import type { JsonValue } from '../core/envelope';
import type { FieldProblem } from '../core/field-problems';

/** Who hands a message to the intake. */
export type IntakeOrigin = { kind: 'generic' } | { kind: 'flow'; flow: string };

export const GENERIC_ORIGIN: IntakeOrigin = { kind: 'generic' };

export interface MessageTypeRule {
  /** Problems of the payload ([] when valid); runs on the NFC payload before a route is chosen. */
  validate(payload: JsonValue): FieldProblem[];
  /** The refusal's message, e.g. "the dossier is not valid". */
  invalidMessage: string;
}

export type OwnershipRefusal = { ok: false; code: 'MESSAGE_TYPE_RESERVED'; message: string };

export class MessageTypeOwnership {
  private readonly owners = new Map<string, string>();
  private readonly rules = new Map<string, MessageTypeRule>();

  /** Declares the types a flow owns (every flow the bus knows, enabled or not, so a disabled flow's types stay closed). */
  own(flow: string, types: readonly string[]): void {
    for (const type of types) {
      const owner = this.owners.get(type);
      if (owner !== undefined && owner !== flow) throw new Error(`message type ${type} is owned by flow ${owner} and ${flow}`);
      this.owners.set(type, flow);
    }
  }

  /** Sets the payload rule of an owned type; only its owner may. */
  setRule(flow: string, type: string, rule: MessageTypeRule): void {
    if (this.owners.get(type) !== flow) throw new Error(`flow ${flow} sets a rule for message type ${type}, which it does not own`);
    this.rules.set(type, rule);
  }

  ownerOf(type: string): string | undefined {
    return this.owners.get(type);
  }

  /** Owned types of the named flows that have no payload rule: a start-up error, so no owned type goes unchecked. */
  unruled(flows: readonly string[]): string[] {
    return [...this.owners].filter(([type, flow]) => flows.includes(flow) && !this.rules.has(type)).map(([type]) => type);
  }

  /** Null when a message of this type may come from this origin; the refusal otherwise. */
  admits(type: string, origin: IntakeOrigin): OwnershipRefusal | null {
    const owner = this.owners.get(type);
    if (owner === undefined || (origin.kind === 'flow' && origin.flow === owner)) return null;
    return { ok: false, code: 'MESSAGE_TYPE_RESERVED', message: `messages of type ${type} are accepted only from the ${owner} flow's own endpoints` };
  }

  rule(type: string): MessageTypeRule | undefined {
    return this.rules.get(type);
  }
}
