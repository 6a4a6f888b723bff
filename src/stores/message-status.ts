// What a caller can learn about its message at GET /api/v1/messages/{id}: where it is, and why it stopped if it did.
import type { components } from '../../contracts/generated/bus-api';
import type { MessageState, PartsSettlement } from '../core/message-state';

export type { MessageState, PartsSettlement };
/** The contract's MessageStatus, without what the API adds: the fan-out parts and a part's delivery. */
export type MessageStatus = Omit<components['schemas']['MessageStatus'], 'parts' | 'delivery'>;

export interface MessageStatusUpdate {
  state: MessageState;
  code?: string | null;
  reason?: string | null;
  attempts?: number;
}

/** A message waiting for another try after a failure, and since when it has been failing (this life). */
export interface WaitingMessage extends MessageStatus {
  failingSince: string;
}

/** Which of a subject's messages a read wants: those on some routes (sent by one client when source is given), at most limit of them. */
export interface SubjectFilter {
  /** The client that sent them; every client's when absent (an administrator's read). */
  source?: string;
  routes: readonly string[];
  limit: number;
}

export interface MessageStatusStore {
  /** Records an accepted message; a message already known is left as it is. */
  accepted(status: Omit<MessageStatus, 'state' | 'code' | 'reason' | 'attempts' | 'updatedAt'>): Promise<void>;
  update(messageId: string, update: MessageStatusUpdate): Promise<void>;
  /** Puts a replayed message back to accepted if it is still the dead letter the replay began at `replayedAt` (reopensSql). */
  reopen(messageId: string, replayedAt: string): Promise<void>;
  get(messageId: string): Promise<MessageStatus | null>;
  /** Messages caused by this one (fan-out copies, status messages). */
  children(messageId: string): Promise<MessageStatus[]>;
  /** The messages about one subject (a MaHoSo, a DocumentId) on these routes, of one client or all, in acceptance order, at most limit. */
  bySubject(subject: string, filter: SubjectFilter): Promise<MessageStatus[]>;
  /** Messages waiting for a retry after a failure, the longest failing first. */
  waiting(filter: { route?: string; limit: number }): Promise<WaitingMessage[]>;
  /** The message has handed every part (its children) to the transport: from now on its state follows theirs. */
  fannedOut(messageId: string): Promise<void>;
  /**
   * Settles a message that fanned out from its parts (core/message-state.ts stateFromParts) once every part is final.
   * What it settled to, or null when the message did not fan out, a part is not final yet, or it holds that outcome
   * already. The parent is locked while its parts are read, so of two parts settling at once one sees the other final
   * and the parent is settled once.
   */
  settleFromParts(messageId: string): Promise<PartsSettlement | null>;
  /**
   * Per route, when its oldest message not yet in a final state was accepted (ISO time); a route with none is absent.
   * Read at every /metrics scrape: it looks at the unsettled rows only (the state index), not the whole table.
   */
  oldestUnsettled(): Promise<Record<string, string>>;
}

/**
 * Per-subject (MaHoSo) sequence numbers for the resequencer: the order of acceptance, and which have settled.
 *
 * A number is issued "pending" and confirmed once its message is durably in the transport. A process that dies in
 * between leaves a pending number that no message will ever settle; after a while a waiting successor may void it
 * (the caller never got its 202, so nothing accepted is dropped) instead of waiting for ever.
 */
export interface SubjectSequenceStore {
  /** The next sequence number for subject, starting at 1, pending until confirmed. */
  next(subject: string): Promise<number>;
  /**
   * The message holding that number is in the transport. False only when the number was voided meanwhile (not
   * accepted); a number a fast consumer has already settled is confirmed too (its message was in the transport).
   */
  confirm(subject: string, sequence: number): Promise<boolean>;
  /** True when that message has settled: delivered, rejected, dead-lettered, voided or never published. 0 is always settled. */
  isSettled(subject: string, sequence: number): Promise<boolean>;
  settle(subject: string, sequence: number): Promise<void>;
  /** Voids a number still pending after olderThanMs (its process died before publishing); true when it did. */
  voidAbandoned(subject: string, sequence: number, olderThanMs: number): Promise<boolean>;
  /** True when the number was voided: a late copy of its message must not be delivered. */
  isVoided(subject: string, sequence: number): Promise<boolean>;
}
