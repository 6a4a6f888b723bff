// Narrow persistence contracts shared by the transports and the route runner: the idempotency log and the dead-letter store.
import type { DeadLetter, DeadLetterFilter } from '../transport/transport';
import type { MessageStatusStore, SubjectSequenceStore } from './message-status';

/** Idempotent-consumer log: which upstream effects are done, keyed by step and message (or business) key. */
export interface EffectLog {
  isDone(key: string): Promise<boolean>;
  /** Records the effect; recording the same key twice is harmless. */
  markDone(key: string, messageId: string): Promise<void>;
}

/** Dead-letter channel storage: searchable, replayable, never deleted by the bus. */
export interface DeadLetterStore {
  /** Stores a letter; a letter with the same id already stored is left as it is. */
  put(letter: DeadLetter): Promise<void>;
  list(filter: DeadLetterFilter): Promise<DeadLetter[]>;
  markReplayed(ids: string[], at: string): Promise<void>;
  countPending(): Promise<number>;
}

export interface Stores {
  readonly kind: 'sqlite' | 'postgres';
  readonly effects: EffectLog;
  readonly deadLetters: DeadLetterStore;
  readonly messages: MessageStatusStore;
  readonly sequences: SubjectSequenceStore;
  ping(): Promise<void>;
  close(): Promise<void>;
}
