// The one writer of a message's fate: its status row, its audit records, its subject's sequence settlement and the
// counters of what became of it, for every event in its life — accepted at intake (or not after all), each try, the
// outcome (delivered, rejected), and the transport's settlements (a retry, a dead letter, a replay). The states move as
// core/message-state.ts says; every path that ends a message writes all three facts here, so none is forgotten on one
// path and kept on another. A message that fanned out is settled here from its parts: by the last part to end, or by
// the fan-out itself when its parts all ended first.
import type { AuditEvent, AuditLog, AuditOutcome, AuditStep } from '../audit';
import type { ResolvedRoute } from '../config/load-config';
import type { Envelope, JsonValue } from '../core/envelope';
import { loggableText, messageLogFields } from '../observability/log-fields';
import type { Logger } from '../observability/logger';
import type { BusMetrics } from '../observability/metrics';
import type { MessageStatusStore, PartsSettlement } from '../stores/message-status';
import { isStoreUnavailable, persist } from '../stores/store-unavailable';
import type { DeadLetter, DeliveryFailure } from '../transport/transport';
import type { Resequencer } from './resequencer';
import type { SettlementRecorder } from './settlement-recorder';
import { traceDetails } from './message-tracing';

/** Why an intake that had begun recording a message did not accept it. */
export type NotAcceptedCode = 'TRANSPORT_UNAVAILABLE' | 'AUDIT_UNAVAILABLE' | 'STORE_UNAVAILABLE';

/** The codes an intake gives the status of a message it did not accept; any other rejection came from its route. */
export const NOT_ACCEPTED_CODES: ReadonlySet<string> = new Set<NotAcceptedCode>(['TRANSPORT_UNAVAILABLE', 'AUDIT_UNAVAILABLE', 'STORE_UNAVAILABLE']);

export interface MessageLedgerDeps {
  messages: MessageStatusStore;
  /** Where intake and deliveries write their records (settlements go through the recorder). */
  audit: Pick<AuditLog, 'append'>;
  /** Writes settlement records in order, keeping them while the audit store is away. */
  recorder: Pick<SettlementRecorder, 'record'>;
  resequencer: Resequencer;
  orderedRoutes: ReadonlySet<string>;
  metrics: BusMetrics;
  logger: Logger;
  /** How long a dead letter's sequence number is tried again while the store is away; default 120 s. */
  settleWaitMs?: number;
}

export class MessageLedger {
  constructor(private readonly deps: MessageLedgerDeps) {}

  // ---- intake ----

  /** The status row, before the publish, so a fast consumer's "delivered" is never overwritten by "accepted". */
  async recordAccepting(envelope: Envelope, route: ResolvedRoute): Promise<void> {
    await this.deps.messages.accepted({
      messageId: envelope.id,
      correlationId: envelope.correlationId,
      causationId: envelope.causationId,
      type: envelope.type,
      source: envelope.source,
      subject: envelope.subject,
      destination: envelope.destination,
      route: route.name,
      acceptedAt: envelope.createdAt,
    });
  }

  /** The `received` record: without it the bus does not carry the message (X-Road's message log rule). */
  async received(envelope: Envelope, route: ResolvedRoute, facts: { [key: string]: JsonValue } = {}): Promise<void> {
    await this.deps.audit.append({
      step: 'received',
      outcome: 'ok',
      messageId: envelope.id,
      correlationId: envelope.correlationId,
      subject: envelope.subject,
      client: envelope.source,
      route: route.name,
      requestBytes: Buffer.byteLength(JSON.stringify(envelope.payload)),
      payloadDigest: envelope.payloadDigest,
      payload: envelope.payload,
      details: { ...facts, type: envelope.type, destination: envelope.destination, causationId: envelope.causationId, sequence: envelope.sequence, ...traceDetails(envelope) },
    });
  }

  /** Accepted: the 202 is on its way. */
  accepted(envelope: Envelope, route: ResolvedRoute): void {
    this.deps.metrics.accepted.inc({ route: route.name, type: envelope.type });
    this.deps.logger.info(messageLogFields(envelope, route.name, { type: envelope.type, source: envelope.source }), 'accepted');
  }

  /**
   * A message that got some way into intake but was not accepted: its status says so; `settle` names the sequence
   * number to settle so the subject's later messages go on (none when the transport holds the message: its consumer
   * settles it); `audited` writes why to the audit trail (once the intake got as far as the publish). Best effort: the
   * caller is told "not accepted" whatever happens here.
   */
  async notAccepted(envelope: Envelope, route: ResolvedRoute, code: NotAcceptedCode, reason: string, how: { settle: number | null; audited: boolean }): Promise<void> {
    await this.deps.messages.update(envelope.id, { state: 'rejected', code, reason }).catch(() => undefined);
    if (envelope.subject !== null && how.settle !== null) await this.deps.resequencer.settle(envelope.subject, how.settle).catch(() => undefined);
    if (how.audited) {
      await this.deps.audit
        .append({ step: 'rejected', outcome: 'error', messageId: envelope.id, correlationId: envelope.correlationId, client: envelope.source, route: route.name, errorCode: code, reason, ...withTraceDetails(envelope) })
        .catch(() => undefined);
    }
  }

  // ---- a delivery ----

  /** The records of one delivery: each step noted as it ends, written with the delivery's last record. */
  delivery(route: ResolvedRoute, envelope: Envelope): DeliveryLedger {
    return new DeliveryLedger(this.deps, route, envelope);
  }

  // ---- the transport's settlements ----

  async retrying(route: string, envelope: Envelope, failure: DeliveryFailure): Promise<void> {
    this.deps.metrics.retried.inc({ route });
    this.deps.logger.info(messageLogFields(envelope, route, { code: failure.code, reason: loggableText(failure.reason), attempt: failure.attempt }), 'retry scheduled');
    await this.recordAll('retry', route, envelope, [
      () => this.settlementRecord(route, envelope, 'retried', failure.code, failure.reason),
      () => this.deps.messages.update(envelope.id, { state: 'in-progress', code: failure.code, reason: failure.reason, attempts: failure.attempt }),
    ]);
  }

  async deadLettered(route: string, envelope: Envelope, failure: DeliveryFailure, letter: DeadLetter): Promise<void> {
    this.deps.metrics.deadLettered.inc({ route, code: letter.code });
    this.deps.logger.warn(messageLogFields(envelope, route, { code: letter.code, reason: loggableText(letter.reason), attempt: failure.attempt }), 'message dead-lettered');
    await this.recordAll('dead letter', route, envelope, [
      () => this.settleDeadLetterSequence(route, envelope),
      () => this.settlementRecord(route, envelope, 'dead-lettered', letter.code, letter.reason),
      async () => {
        await this.deps.messages.update(envelope.id, { state: 'dead-lettered', code: letter.code, reason: letter.reason, attempts: failure.attempt });
        await settleParentOf(this.deps, envelope);
      },
    ]);
  }

  /** A dead letter back on its route; `replayedAt`: when its replay began (its status is reopened only if untouched since). */
  async replayed(route: string, envelope: Envelope, replayedAt: string): Promise<void> {
    this.deps.metrics.replayed.inc({ route });
    this.deps.logger.info(messageLogFields(envelope, route, { code: 'DEAD_LETTER_REPLAYED' }), 'dead letter replayed: back on its route');
    await this.recordAll('replay', route, envelope, [() => this.settlementRecord(route, envelope, 'replayed', null, null), () => this.deps.messages.reopen(envelope.id, replayedAt)]);
  }

  private settlementRecord(route: string, envelope: Envelope, step: 'retried' | 'dead-lettered' | 'replayed', code: string | null, reason: string | null): Promise<void> {
    return this.deps.recorder.record({
      step,
      outcome: step === 'dead-lettered' ? 'error' : 'ok',
      messageId: envelope.id,
      correlationId: envelope.correlationId,
      subject: envelope.subject,
      client: envelope.source,
      route,
      errorCode: code,
      reason,
      details: { attempt: envelope.attempt, ...traceDetails(envelope) },
    });
  }

  /**
   * Each record of a settlement on its own, so one store being away does not stop the others: the transport has
   * already settled the message; a write that fails is logged (the audit record waits in the recorder's outbox).
   */
  private async recordAll(what: string, route: string, envelope: Envelope, records: (() => Promise<unknown>)[]): Promise<void> {
    const failed = (await Promise.allSettled(records.map((record) => record()))).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length === 0) return;
    const err = failed.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('; ');
    this.deps.logger.error({ route, messageId: envelope.id, code: 'SETTLEMENT_RECORD_FAILED', err }, `${what}: not every record of it was written`);
  }

  /**
   * A dead letter's number is settled here (a delivered or rejected message's by its delivery), trying again while the
   * store is away: a number never settled would hold the subject's later messages until it is replayed.
   */
  private async settleDeadLetterSequence(route: string, envelope: Envelope): Promise<void> {
    const { subject, sequence } = envelope;
    if (!this.deps.orderedRoutes.has(route) || subject === null || sequence === null) return;
    try {
      await persist(() => this.deps.resequencer.settle(subject, sequence), { maxWaitMs: this.deps.settleWaitMs, retryIf: isStoreUnavailable });
    } catch (error) {
      this.deps.logger.error({ route, messageId: envelope.id, code: 'SEQUENCE_NOT_SETTLED' }, "dead letter's sequence number not settled; the subject's later messages wait until it is replayed");
      throw error;
    }
  }
}

/**
 * The fate of one delivery of a message. A step's record is noted when the step ends (with that time) and written
 * with the delivery's last record, so the steps share one commit instead of waiting for one each; every outcome
 * writes them before the delivery settles, so an ack never runs ahead of its records.
 */
export class DeliveryLedger {
  private noted: AuditEvent[] = [];
  private readonly started: Promise<void>;

  constructor(
    private readonly deps: MessageLedgerDeps,
    private readonly route: ResolvedRoute,
    private readonly envelope: Envelope,
  ) {
    // Not waited for before the steps: the store never lets "in progress" overwrite a final state, so this write may
    // land after the delivery's last one. It is waited for before the delivery ends; losing it is harmless, as the
    // delivery's final state follows it.
    this.started = deps.messages.update(envelope.id, { state: 'in-progress', attempts: envelope.attempt }).catch(() => undefined);
  }

  note(step: AuditStep, outcome: AuditOutcome, durationMs: number, stage?: string): void {
    this.noted.push(this.event(step, outcome, durationMs, null, null, stage));
  }

  /** Delivered: the steps' records, the status and the subject's number settled, together. */
  async delivered(): Promise<void> {
    await Promise.all([this.started, this.flush(), this.deps.messages.update(this.envelope.id, { state: 'delivered', attempts: this.envelope.attempt }), this.settleNumber()]);
    this.deps.metrics.delivered.inc({ route: this.route.name });
    this.deps.logger.info(messageLogFields(this.envelope, this.route.name, { type: this.envelope.type, attempt: this.envelope.attempt }), 'delivered');
    await settleParentOf(this.deps, this.envelope);
  }

  /**
   * Handed on as parts: the steps' records and the subject's number as for a delivery, and the mark that the message
   * now follows its parts; it is in progress until they have all ended. Parts that ended before the mark found no
   * parent to settle, so it is settled here too.
   */
  async fannedOut(): Promise<void> {
    await Promise.all([this.started, this.flush(), this.deps.messages.fannedOut(this.envelope.id), this.settleNumber()]);
    this.deps.metrics.delivered.inc({ route: this.route.name });
    this.deps.logger.info(messageLogFields(this.envelope, this.route.name, { type: this.envelope.type, attempt: this.envelope.attempt }), 'handed on as parts');
    await settleFromParts(this.deps, this.envelope.id, this.envelope);
  }

  /** A final business answer: the record first (a rejection the audit log does not hold is not settled), then the status and the number. */
  async rejected(code: string, reason: string): Promise<void> {
    this.deps.logger.info(messageLogFields(this.envelope, this.route.name, { code, reason: loggableText(reason) }), 'message rejected');
    await Promise.all([this.started, this.write('rejected', 'rejected', code, reason)]);
    await this.deps.messages.update(this.envelope.id, { state: 'rejected', code, reason, attempts: this.envelope.attempt });
    await this.settleNumber();
    this.deps.metrics.rejected.inc({ route: this.route.name, code });
    await settleParentOf(this.deps, this.envelope);
  }

  /** A late copy of a message whose intake died before confirming it: a successor voided its number; not delivered. */
  async voided(): Promise<void> {
    const reason = 'never accepted: its intake stopped before confirming it';
    await this.write('rejected', 'rejected', 'SEQUENCE_VOIDED', reason);
    await this.deps.messages.update(this.envelope.id, { state: 'rejected', code: 'SEQUENCE_VOIDED', reason, attempts: this.envelope.attempt });
    await settleParentOf(this.deps, this.envelope);
  }

  /** This try failed; the transport settles what comes next (a retry or a dead letter, recorded by the ledger then). */
  async failed(code: string, reason: string): Promise<void> {
    await Promise.all([this.started, this.write('failed', 'error', code, reason)]);
  }

  /** The delivery ends another way (its store is away, the process goes down): what was noted is written if it can be. */
  async abandoned(): Promise<void> {
    await Promise.all([this.started, this.flush().catch(() => undefined)]);
  }

  private async write(step: AuditStep, outcome: AuditOutcome, code: string, reason: string): Promise<void> {
    this.noted.push(this.event(step, outcome, 0, code, reason));
    await this.flush();
  }

  private async flush(): Promise<void> {
    const events = this.noted;
    this.noted = [];
    await Promise.all(events.map((event) => this.deps.audit.append(event)));
  }

  /** The subject's next message waits for this one's number: settling it is part of finishing the delivery. */
  private async settleNumber(): Promise<void> {
    const { subject, sequence } = this.envelope;
    if (this.route.ordered && subject !== null && sequence !== null) await this.deps.resequencer.settle(subject, sequence);
  }

  private event(step: AuditStep, outcome: AuditOutcome, durationMs: number, code: string | null, reason: string | null, stage?: string): AuditEvent {
    const envelope = this.envelope;
    return {
      step,
      outcome,
      at: new Date().toISOString(),
      messageId: envelope.id,
      correlationId: envelope.correlationId,
      subject: envelope.subject,
      client: envelope.source,
      route: this.route.name,
      errorCode: code,
      reason,
      durationMs,
      payloadDigest: envelope.payloadDigest,
      details: stage === undefined ? { attempt: envelope.attempt, ...traceDetails(envelope) } : { attempt: envelope.attempt, stage, ...traceDetails(envelope) },
    };
  }
}

/** A message that has ended may be the last part of a fan-out to end: its parent (its cause) is settled if so. */
function settleParentOf(deps: MessageLedgerDeps, part: Envelope): Promise<void> {
  return part.causationId === null ? Promise.resolve() : settleFromParts(deps, part.causationId, part);
}

/**
 * Settles a parent from its parts when they have all ended, and records it once: the store settles a parent only when
 * its outcome changes, so of two parts ending at once only one writes the record, through the settlement recorder (kept
 * while the audit store is away, as the parent's state is already written). A status store away makes the part's
 * delivery fail and come again (its effect recorded), settling the parent then.
 */
async function settleFromParts(deps: MessageLedgerDeps, parentId: string, from: Envelope): Promise<void> {
  const settled = await deps.messages.settleFromParts(parentId);
  if (settled === null) return;
  deps.logger.info({ messageId: parentId, correlationId: from.correlationId, state: settled.state, code: settled.code }, 'message settled from its parts');
  await deps.recorder.record({
    step: 'settled',
    outcome: SETTLED_OUTCOME[settled.state],
    messageId: parentId,
    correlationId: from.correlationId,
    subject: from.subject,
    client: from.source,
    errorCode: settled.code,
    reason: settled.reason,
    details: { state: settled.state },
  });
}

const SETTLED_OUTCOME: Record<PartsSettlement['state'], AuditOutcome> = {
  delivered: 'ok',
  'partially-delivered': 'rejected',
  rejected: 'rejected',
  'dead-lettered': 'error',
};
/** Details holding the message's trace id, or none (a record without details stays as it was). */
function withTraceDetails(envelope: Envelope): { details?: { [key: string]: JsonValue } } {
  const trace = traceDetails(envelope);
  return Object.keys(trace).length > 0 ? { details: trace } : {};
}
