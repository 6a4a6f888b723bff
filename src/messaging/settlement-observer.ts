// The transport's settlements other than an ack (a retry, a dead letter, a replay), handed to the ledger, which writes
// what each means for the message: its status, its audit record (kept in order while the audit store is away) and, for
// a dead letter, its subject's sequence number.
import type { Logger } from '../observability/logger';
import type { TransportObserver } from '../transport/transport';
import type { MessageLedger } from './ledger';

export function createSettlementObserver(ledger: Pick<MessageLedger, 'retrying' | 'deadLettered' | 'replayed'>, logger: Logger): TransportObserver {
  return {
    onRetry: async (route, delivery, failure, delayMs) => {
      logger.debug({ route, messageId: delivery.envelope.id, code: failure.code, delayMs }, 'retry scheduled');
      await ledger.retrying(route, delivery.envelope, failure);
    },
    onDeadLetter: (route, delivery, failure, letter) => ledger.deadLettered(route, delivery.envelope, failure, letter),
    onReplay: (route, envelope, replayedAt) => ledger.replayed(route, envelope, replayedAt),
  };
}
