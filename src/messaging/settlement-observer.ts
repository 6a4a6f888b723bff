// What the bus writes down when the transport settles a message another way than an ack: a retry, a dead letter, a
// replay. Each record (audit, status, the subject's sequence number) is written on its own, so one store being away
// does not stop the others. The audit record goes through the settlement recorder, which keeps it while the audit
// store is away and writes it, in order, once it is back. The transport has already settled the message; other failures are logged.
import type { Envelope } from '../core/envelope';
import type { Logger } from '../observability/logger';
import type { BusMetrics } from '../observability/metrics';
import type { MessageStatusStore } from '../stores/message-status';
import { isStoreUnavailable, persist } from '../stores/store-unavailable';
import type { TransportObserver } from '../transport/transport';
import type { Resequencer } from './resequencer';
import type { SettlementRecorder } from './settlement-recorder';

export interface SettlementObserverDeps {
  recorder: Pick<SettlementRecorder, 'record'>;
  messages: MessageStatusStore;
  resequencer: Resequencer;
  orderedRoutes: ReadonlySet<string>;
  metrics: BusMetrics;
  logger: Logger;
  /** How long a dead letter's sequence number is tried again while the store is away; default 120 s. */
  settleWaitMs?: number;
}

export function createSettlementObserver(deps: SettlementObserverDeps): TransportObserver {
  const { recorder, messages, metrics, logger } = deps;

  const auditSettlement = (route: string, envelope: Envelope, step: 'retried' | 'dead-lettered' | 'replayed', code: string | null, reason: string | null) =>
    recorder.record({
      step,
      outcome: step === 'dead-lettered' ? 'error' : 'ok',
      messageId: envelope.id,
      correlationId: envelope.correlationId,
      subject: envelope.subject,
      client: envelope.source,
      route,
      errorCode: code,
      reason,
      details: { attempt: envelope.attempt },
    });

  const recordAll = async (what: string, route: string, envelope: Envelope, records: (() => Promise<unknown>)[]) => {
    const failed = (await Promise.allSettled(records.map((record) => record()))).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length === 0) return;
    const err = failed.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('; ');
    logger.error({ route, messageId: envelope.id, code: 'SETTLEMENT_RECORD_FAILED', err }, `${what}: not every record of it was written`);
  };

  /**
   * A dead letter's number is settled here (a delivered or rejected message's by its route handler), trying again
   * while the store is away: a number never settled would hold the subject's later messages until it is replayed.
   */
  const settleDeadLetterSequence = async (route: string, envelope: Envelope) => {
    const { subject, sequence } = envelope;
    if (!deps.orderedRoutes.has(route) || subject === null || sequence === null) return;
    try {
      await persist(() => deps.resequencer.settle(subject, sequence), { maxWaitMs: deps.settleWaitMs, retryIf: isStoreUnavailable });
    } catch (error) {
      logger.error({ route, messageId: envelope.id, code: 'SEQUENCE_NOT_SETTLED' }, "dead letter's sequence number not settled; the subject's later messages wait until it is replayed");
      throw error;
    }
  };

  return {
    onRetry: async (route, d, failure, delayMs) => {
      metrics.retried.inc({ route });
      logger.debug({ route, messageId: d.envelope.id, code: failure.code, delayMs }, 'retry scheduled');
      await recordAll('retry', route, d.envelope, [
        () => auditSettlement(route, d.envelope, 'retried', failure.code, failure.reason),
        () => messages.update(d.envelope.id, { state: 'in-progress', code: failure.code, reason: failure.reason, attempts: failure.attempt }),
      ]);
    },
    onDeadLetter: async (route, d, failure, letter) => {
      metrics.deadLettered.inc({ route, code: letter.code });
      logger.warn({ route, messageId: d.envelope.id, correlationId: d.envelope.correlationId, code: letter.code }, 'message dead-lettered');
      await recordAll('dead letter', route, d.envelope, [
        () => settleDeadLetterSequence(route, d.envelope),
        () => auditSettlement(route, d.envelope, 'dead-lettered', letter.code, letter.reason),
        () => messages.update(d.envelope.id, { state: 'dead-lettered', code: letter.code, reason: letter.reason, attempts: failure.attempt }),
      ]);
    },
    onReplay: async (route, envelope) => {
      metrics.replayed.inc({ route });
      await recordAll('replay', route, envelope, [() => auditSettlement(route, envelope, 'replayed', null, null), () => messages.reopen(envelope.id)]);
    },
  };
}
