// The states of a message and the one rule of how its status moves: accepted → in progress (any number of tries) →
// delivered, rejected or dead-lettered. A final state is written over anything (a delivery that finishes after the
// intake wrote "not accepted" for it is delivered after all); nothing but a final state is written over a final one;
// only a replay (an operator's act) moves a final message back to accepted.
import type { components } from '../../contracts/generated/bus-api';

export type MessageState = components['schemas']['MessageState'];

export const FINAL_STATES = ['delivered', 'rejected', 'dead-lettered'] as const satisfies readonly MessageState[];

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
