// The states of a message and the rules of how its status moves: accepted → in progress (any number of tries) →
// delivered, rejected or dead-lettered. A final state is written over anything (a delivery that finishes after the
// intake wrote "not accepted" for it is delivered after all); nothing but a final state is written over a final one;
// only a replay (an operator's act) moves a final message back to accepted, and only the dead letter it began with
// (reopensSql). A message that fanned out into parts (an e-document to several recipients) takes its final state from
// its parts (stateFromParts), never from the fan-out.
import type { components } from '../../contracts/generated/bus-api';

export type MessageState = components['schemas']['MessageState'];

export const FINAL_STATES = ['delivered', 'partially-delivered', 'rejected', 'dead-lettered'] as const satisfies readonly MessageState[];

export type FinalState = (typeof FINAL_STATES)[number];

export function isFinalState(state: MessageState): state is FinalState {
  return (FINAL_STATES as readonly MessageState[]).includes(state);
}

/** The final states as an SQL list, for the stores' guard that only a final state is written over a final one. */
export const FINAL_STATES_SQL = FINAL_STATES.map((state) => `'${state}'`).join(', ');

/** The states of a message not yet settled (waiting for its first or next try), as an SQL list. */
export const UNSETTLED_STATES_SQL = (['accepted', 'in-progress'] as const satisfies readonly MessageState[]).map((state) => `'${state}'`).join(', ');

/** Whether a status write of `next` over a message now `current` takes effect (the stores apply the same rule in SQL). */
export function statusMoves(current: MessageState, next: MessageState): boolean {
  return isFinalState(next) || !isFinalState(current);
}

/** What a parent needs to know of one part: where it went and how it ended (or that it has not yet). */
export interface PartOutcome {
  destination: string | null;
  state: MessageState;
  code: string | null;
  reason: string | null;
}

export interface PartsSettlement {
  state: FinalState;
  code: string | null;
  reason: string | null;
}

/** The code of a parent some of whose parts were not delivered, when they did not all fail for one reason. */
export const PARTS_NOT_DELIVERED = 'PARTS_NOT_DELIVERED';

/**
 * The final state of a message that fanned out, from its parts; null while any part is not final (or there is none).
 * Delivered only when every part was; partially-delivered when some were; when none was, rejected, or dead-lettered
 * if a part waits in the dead letters (an operator may still replay it). A parent not wholly delivered carries the
 * parts' code when they all failed for the same one (with the reason, when there is one part or one reason), otherwise
 * PARTS_NOT_DELIVERED; its reason names each recipient not delivered and why.
 */
export function stateFromParts(parts: readonly PartOutcome[]): PartsSettlement | null {
  if (parts.length === 0 || !parts.every((part) => isFinalState(part.state))) return null;
  const missed = parts.filter((part) => part.state !== 'delivered');
  if (missed.length === 0) return { state: 'delivered', code: null, reason: null };
  const state: FinalState = missed.length < parts.length ? 'partially-delivered' : missed.some((part) => part.state === 'dead-lettered') ? 'dead-lettered' : 'rejected';
  const codes = new Set(missed.map((part) => part.code ?? ''));
  const reasons = new Set(missed.map((part) => part.reason ?? ''));
  const sameCode = codes.size === 1 && !codes.has('') ? missed[0]!.code : null;
  const perPart = missed.map((part) => `${part.destination ?? '?'}: ${part.state}${part.code ? ` (${part.code})` : ''}`).join('; ');
  const summary = `${missed.length} of ${parts.length} recipient(s) not delivered: ${perPart}`;
  const reason = sameCode !== null && reasons.size === 1 && missed[0]!.reason ? `${summary}. ${missed[0]!.reason}` : summary;
  return { state, code: sameCode ?? PARTS_NOT_DELIVERED, reason };
}
