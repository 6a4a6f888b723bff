// Takes in what other provinces and ministries send this province's organs through the national axis: asks the axis
// every interval for what it holds for the mailbox and push organs of the directory, fetches each package, hands it
// to the package intake as any document (bytes exact, signature under its sender's policy) and acknowledges it to the
// axis only once the intake is durable. A bus killed between intake and acknowledgement finds the package again: its
// register row (or, were that lost too, the resend register) makes the second intake answer as the first, so nothing
// is lost and nothing is delivered twice. A package it refuses is reported to the axis as failed; a report that does
// not land (the axis away) stays in the register as refused and is sent again at every poll, across restarts, until it
// does. Every hop (fetched, received, acknowledged, refused) is in the audit trail.
import { createHash } from 'node:crypto';
import type { AuditEvent, AuditRecordRef } from '../../audit';
import { ERRORS } from '../../core/errors';
import type { UpstreamBreaker } from '../../messaging/breaker';
import type { Logger } from '../../observability/logger';
import type { AxisMessageType, DocumentAxisClient, ReceivedEdocItem } from '../../upstreams/document-axis';
import { guardedCall } from './adapters/guarded-call';
import type { OrganDirectory } from './organ-directory';
import { AXIS_SOURCE, type PackageIntake } from './package-intake';
import type { EdocAxisInbound } from './stores/edoc-store';

/** The axis lists each message type on its own: new documents, revocations, updates and replacements. */
const INBOUND_MESSAGE_TYPES: readonly AxisMessageType[] = ['edoc', 'revocation', 'update', 'replacement'];

export interface AxisInboundDeps {
  client: DocumentAxisClient;
  breaker: UpstreamBreaker;
  intake: PackageIntake;
  register: EdocAxisInbound;
  directory: OrganDirectory;
  audit(event: AuditEvent): Promise<AuditRecordRef>;
  logger: Logger;
  pollIntervalMs: number;
}

export class AxisInboundPoller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly stopping = new AbortController();

  constructor(private readonly deps: AxisInboundDeps) {}

  start(): void {
    this.schedule();
  }

  /** Stops polling; a poll under way ends at its next call. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.stopping.abort();
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pollOnce()
        .catch((error: unknown) => this.deps.logger.warn({ err: (error as Error).message }, 'national axis inbound poll failed; polling again later'))
        .finally(() => {
          this.running = null;
          this.schedule();
        });
    }, this.deps.pollIntervalMs);
    this.timer.unref();
  }

  /** One pass over what the axis holds for this province's organs, after the failures it has not been told yet. */
  async pollOnce(): Promise<void> {
    await this.reportRefusals();
    for (const messageType of INBOUND_MESSAGE_TYPES) {
      const items = await this.call((signal) => this.deps.client.getReceivedEdocList({ serviceType: 'eDoc', messageType }, { signal }));
      for (const item of items) {
        if (this.stopped) return;
        if (!this.serves(item.to)) continue;
        try {
          await this.take(item);
        } catch (error) {
          // Left at the axis: the next poll takes it again, and the registers keep that from delivering it twice.
          this.deps.logger.warn({ axisDocId: item.docId, organId: item.to, err: (error as Error).message }, 'national axis document not taken this time');
        }
      }
    }
  }

  /** Organs this bus delivers to itself; documents for others are not its to take. */
  private serves(organId: string): boolean {
    const organ = this.deps.directory.organ(organId.normalize('NFC'));
    return organ !== undefined && organ.delivery !== 'axis';
  }

  private async take(item: ReceivedEdocItem): Promise<void> {
    const { register, intake } = this.deps;
    const organId = item.to.normalize('NFC');
    const known = await register.get(item.docId);
    // Refused before: taking it again would refuse it again (its failure report is sent by reportRefusals).
    if (known?.state === 'refused' || known?.state === 'refusal-reported') return;
    if (known) {
      await this.acknowledge(item.docId, organId, known.documentId, known.messageId);
      return;
    }
    const startedAt = new Date();
    const fetched = await this.call((signal) => this.deps.client.getEdoc(item.docId, { signal }));
    const durationMs = Date.now() - startedAt.getTime();
    const sha256 = createHash('sha256').update(fetched.content).digest('hex');
    const outcome = await intake.acceptFromAxis(fetched.content, { axisDocId: item.docId, toOrgan: organId });
    // Written once the intake answered: the message id is the intake's to give (a re-fetch is answered with the first
    // one), and the record belongs on that message's timeline. Its startedAt and duration are the fetch's own.
    const messageId = outcome.ok ? outcome.messageId : null;
    await this.deps.audit({
      step: 'fetched',
      outcome: 'ok',
      client: AXIS_SOURCE,
      messageId,
      correlationId: outcome.ok ? outcome.correlationId : null,
      subject: outcome.ok ? outcome.documentId : null,
      startedAt: startedAt.toISOString(),
      durationMs,
      responseBytes: fetched.content.length,
      details: { axisDocId: item.docId, organId, fromOrgan: item.from, messageType: item.messageType, sha256 },
    });
    if (!outcome.ok) {
      // The bus could not take it now (store, audit or transport away): the axis keeps offering it.
      if (ERRORS[outcome.code].retryable) {
        this.deps.logger.warn({ axisDocId: item.docId, code: outcome.code }, 'national axis document not accepted now; taken again at the next poll');
        return;
      }
      await register.record({ axisDocId: item.docId, organId, fromOrgan: item.from, documentId: null, messageId: null, state: 'refused', code: outcome.code });
      await this.deps.audit({
        step: 'rejected',
        outcome: 'rejected',
        client: AXIS_SOURCE,
        errorCode: outcome.code,
        reason: outcome.message,
        details: { axisDocId: item.docId, organId, fromOrgan: item.from, sha256 },
      });
      this.deps.logger.warn({ axisDocId: item.docId, organId, code: outcome.code }, 'national axis document refused; reporting it to the axis as failed');
      await this.reportRefusal(item.docId);
      return;
    }
    // Durable now (the message is in the transport): recorded before the axis is told, so a restart only acknowledges.
    await register.record({
      axisDocId: item.docId,
      organId,
      fromOrgan: outcome.fromOrgan,
      documentId: outcome.documentId,
      messageId: outcome.messageId,
      state: 'accepted',
      code: null,
    });
    await this.acknowledge(item.docId, organId, outcome.documentId, outcome.messageId);
  }

  /** Tells the axis of every refusal it has not heard of yet; one that fails now is tried again at the next poll. */
  private async reportRefusals(): Promise<void> {
    for (const refused of await this.deps.register.unreportedRefusals()) {
      if (this.stopped) return;
      try {
        await this.reportRefusal(refused.axisDocId);
      } catch (error) {
        this.deps.logger.warn({ axisDocId: refused.axisDocId, err: (error as Error).message }, 'national axis failure report not delivered; sent again at the next poll');
        return;
      }
    }
  }

  private async reportRefusal(axisDocId: string): Promise<void> {
    await this.call((signal) => this.deps.client.updateStatus(axisDocId, 'fail', { signal }));
    await this.deps.register.acknowledged(axisDocId);
  }

  private async acknowledge(axisDocId: string, organId: string, documentId: string | null, messageId: string | null): Promise<void> {
    await this.call((signal) => this.deps.client.updateStatus(axisDocId, 'done', { signal }));
    await this.deps.register.acknowledged(axisDocId);
    await this.deps.audit({
      step: 'acknowledged',
      outcome: 'ok',
      client: AXIS_SOURCE,
      messageId,
      correlationId: messageId,
      subject: documentId,
      details: { axisDocId, organId },
    });
  }

  private call<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return guardedCall(this.deps.breaker, this.stopping.signal, work);
  }
}
