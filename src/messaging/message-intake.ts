// Accepting a message: sequence it (ordered routes), record its status, publish it durably; the one way every
// intake (REST, SOAP, fan-out) hands a message to the transport.
import type { ResolvedRoute } from '../config/load-config';
import { createEnvelope, type Envelope, type JsonValue } from '../core/envelope';
import { currentTraceCarrier, failSpan, TRACE_ATTR } from '../observability/tracing';
import { inAcceptSpan } from './message-tracing';
import type { Logger } from '../observability/logger';
import type { BusMetrics } from '../observability/metrics';
import type { AuditLog } from '../audit';
import type { RouteTable } from './route-table';
import { pipelineNameOf } from './generic-pipeline';
import { NOT_ACCEPTED_CODES, type MessageLedger } from './ledger';
import type { PipelineRegistry } from './pipeline';
import type { FieldProblem } from '../core/field-problems';
import type { Stores } from '../stores/stores';
import { isStoreUnavailable, persist } from '../stores/store-unavailable';
import type { Transport } from '../transport/transport';
import { GENERIC_ORIGIN, type IntakeOrigin, type MessageTypeOwnership, type OwnershipRefusal } from './message-types';
import { merged } from '../core/merged';

export interface IntakeRequest {
  route: ResolvedRoute;
  type: string;
  source: string;
  destination: string | null;
  subject: string | null;
  payload: JsonValue;
  correlationId?: string;
  causationId?: string | null;
  /** A fixed id (fan-out parts); default a fresh UUIDv7. Accepting the same id twice records it once. */
  messageId?: string;
  /**
   * The client's Idempotency-Key: the same key with the same payload, sent again (after a lost answer), is answered
   * as the first was and is not a second message.
   */
  idempotencyKey?: string;
  /**
   * What a request sent again under the same Idempotency-Key is compared by; default the payload's digest. A face whose
   * payload the bus builds with a time in it (a status packet) passes the digest of what the client sent.
   */
  idempotencyDigest?: string;
  /** Facts the flow found at intake (an e-document's signature check), written into the `received` audit record's details. */
  auditDetails?: { [key: string]: JsonValue };
}

export type IntakeResult =
  | { ok: true; envelope: Envelope; route: string; /** The key's message, accepted earlier; nothing new was sent. */ replayed?: boolean }
  | {
      ok: false;
      code: 'TRANSPORT_UNAVAILABLE' | 'STORE_UNAVAILABLE' | 'AUDIT_UNAVAILABLE' | 'IDEMPOTENCY_KEY_REUSED' | 'IDEMPOTENCY_KEY_IN_USE';
      message: string;
    };

/** A message to route by its facts (content-based router) before it is accepted. */
export type DispatchRequest = Omit<IntakeRequest, 'route'>;
export type DispatchResult =
  | IntakeResult
  | OwnershipRefusal
  | { ok: false; code: 'NO_ROUTE' | 'ROUTE_FORBIDDEN'; message: string }
  | { ok: false; code: 'VALIDATION_FAILED'; message: string; problems: FieldProblem[] };
/** A refusal: its code is in the error table (core/errors.ts), which says how each face answers it. */
export type DispatchRefusal = Extract<DispatchResult, { ok: false }>;

/** The intake as one flow holds it: it may hand over the flow's own message types (and unowned ones). */
export interface FlowIntake {
  dispatch(request: DispatchRequest): Promise<DispatchResult>;
}

/**
 * A claimed Idempotency-Key is renewed every KEY_RENEW_MS while its intake runs; one neither made nor renewed for
 * KEY_ABANDONED_MS belongs to an intake that died, and a resend takes it over under the same message id. A takeover
 * while the first intake is in fact still alive (its loop stalled) publishes a second copy of the same message id,
 * which its one effect absorbs: the lease can be short.
 */
const KEY_RENEW_MS = 2000;
const KEY_ABANDONED_MS = 6000;

type KeyClaim =
  | { kind: 'fresh' | 'taken-over'; envelope: Envelope; claimedAtMs: number }
  | { kind: 'replay'; envelope: Envelope }
  | { kind: 'refused'; result: Extract<IntakeResult, { ok: false }> };

export class MessageIntake {
  constructor(
    private readonly deps: {
      transport: Transport;
      stores: Stores;
      routes: RouteTable;
      pipelines: PipelineRegistry;
      audit: AuditLog;
      metrics: BusMetrics;
      logger: Logger;
      ownership: MessageTypeOwnership;
      ledger: MessageLedger;
    },
  ) {}

  /** The intake of one flow: its own types pass, another flow's are refused (MESSAGE_TYPE_RESERVED). */
  forFlow(flow: string): FlowIntake {
    const origin: IntakeOrigin = { kind: 'flow', flow };
    return { dispatch: (request) => this.dispatch(request, origin) };
  }

  /**
   * Checks that the origin may send the type and that the payload passes its type's rule, picks the message's route
   * from its type, client and content, checks the payload against the route's validate steps (bad input is refused
   * before it is accepted, not dead-lettered after), then accepts it on that route.
   */
  async dispatch(request: DispatchRequest, origin: IntakeOrigin = GENERIC_ORIGIN): Promise<DispatchResult> {
    const { ownership } = this.deps;
    const reserved = ownership.admits(request.type, origin);
    if (reserved) return reserved;
    const rule = ownership.rule(request.type);
    if (rule) {
      const problems = rule.validate(request.payload);
      if (problems.length > 0) return { ok: false, code: 'VALIDATION_FAILED', message: rule.invalidMessage, problems };
    }
    const decision = this.deps.routes.resolve({
      type: request.type,
      source: request.source,
      destination: request.destination,
      subject: request.subject,
      payload: request.payload,
    });
    if (!decision.ok) return decision;
    const problems = this.deps.pipelines.get(pipelineNameOf(decision.route))?.intakeProblems?.(request.payload) ?? [];
    if (problems.length > 0) return { ok: false, code: 'VALIDATION_FAILED', message: 'the payload is not valid for its route', problems };
    return this.accept(merged(request, { route: decision.route }));
  }

  accept(request: IntakeRequest): Promise<IntakeResult> {
    const facts = { route: request.route.name, type: request.type, subject: request.subject, messageId: request.messageId };
    return inAcceptSpan(facts, async (span) => {
      if (!span) return this.acceptTraced(request);
      const result = await this.acceptTraced(request);
      if (result.ok) span?.setAttributes({ [TRACE_ATTR.messageId]: result.envelope.id, [TRACE_ATTR.outcome]: result.replayed ? 'replayed' : 'accepted' });
      else {
        span?.setAttribute(TRACE_ATTR.outcome, 'refused');
        failSpan(span, new Error(result.message), result.code);
      }
      return result;
    });
  }

  private async acceptTraced(request: IntakeRequest): Promise<IntakeResult> {
    const { audit, metrics, logger } = this.deps;
    const route = request.route;
    // Fail closed: without a durable audit record the bus does not carry the message (X-Road's message log rule).
    if (!audit.isHealthy()) return AUDIT_DOWN;
    let envelope = createEnvelope({
      type: request.type,
      source: request.source,
      destination: request.destination,
      subject: request.subject,
      correlationId: request.correlationId,
      causationId: request.causationId ?? null,
      payload: request.payload,
      ...(request.messageId ? { id: request.messageId } : {}),
      traceContext: currentTraceCarrier(),
    });
    const key = request.idempotencyKey;
    if (key !== undefined) {
      const claim = await this.claimKey(request.source, key, envelope, request.idempotencyDigest ?? envelope.payloadDigest);
      if (claim.kind === 'refused') return claim.result;
      if (claim.kind === 'replay') {
        metrics.idempotentReplays.inc({ route: route.name });
        logger.info({ messageId: claim.envelope.id, route: route.name, source: request.source }, 'request sent again with its Idempotency-Key; answered as before');
        return { ok: true, envelope: claim.envelope, route: route.name, replayed: true };
      }
      envelope = claim.envelope;
      const claimed = claim;
      const renewal = setInterval(() => {
        void this.deps.stores.idempotency.renew(request.source, key, claimed.envelope.id, claimed.claimedAtMs, Date.now()).catch(() => undefined);
      }, KEY_RENEW_MS);
      const { result, mayBeInTransport } = await this.acceptEnvelope(route, envelope, key, request.auditDetails).finally(() => clearInterval(renewal));
      if (!result.ok) {
        if (!mayBeInTransport) await this.releaseKey(request.source, key, envelope.id, claim.claimedAtMs);
        // Else the key stays pending: the transport may hold the message, so a resend is answered as accepted once a
        // consumer has it, or takes it over after KEY_ABANDONED_MS under the same message id.
        else logger.warn({ messageId: envelope.id, code: 'IDEMPOTENCY_KEY_KEPT' }, 'message refused after its publish was tried; its Idempotency-Key stays with it');
      }
      return result;
    }
    return (await this.acceptEnvelope(route, envelope, undefined, request.auditDetails)).result;
  }

  /**
   * Frees the key of a message that was not accepted, so the client's next try is a fresh one. When the store is
   * away (the reason the message was refused, often), the release goes on in the background until it is back:
   * otherwise the key would answer 409 IDEMPOTENCY_KEY_IN_USE until its takeover time.
   */
  private async releaseKey(client: string, key: string, messageId: string, claimedAtMs: number): Promise<void> {
    const release = () => this.deps.stores.idempotency.release(client, key, messageId, claimedAtMs);
    try {
      await release();
    } catch (error) {
      if (!isStoreUnavailable(error)) {
        this.deps.logger.error({ messageId, err: (error as Error).message }, 'Idempotency-Key of a refused message not released');
        return;
      }
      this.deps.logger.warn({ messageId, code: 'IDEMPOTENCY_KEY_RELEASE_PENDING' }, 'store unavailable; the Idempotency-Key of a refused message is released once it is back');
      void persist(release, { maxWaitMs: KEY_ABANDONED_MS * 4, retryIf: isStoreUnavailable }).catch((late: Error) =>
        this.deps.logger.error({ messageId, err: late.message }, 'Idempotency-Key of a refused message not released; it is taken over after its abandon time'),
      );
    }
  }

  /**
   * The message the key stands for: a fresh claim, the same message again when its first intake died (its id is
   * kept, so the copy already published, if any, is recognised), or the earlier answer when it was accepted.
   */
  private async claimKey(client: string, key: string, envelope: Envelope, payloadDigest: string): Promise<KeyClaim> {
    const idempotency = this.deps.stores.idempotency;
    const claimedAtMs = Date.now();
    let existing;
    try {
      existing = await idempotency.claim(client, key, { messageId: envelope.id, correlationId: envelope.correlationId, payloadDigest, claimedAtMs });
    } catch (error) {
      this.deps.logger.error({ err: (error as Error).message }, 'store unavailable at intake (Idempotency-Key); message not accepted');
      return { kind: 'refused', result: STORE_DOWN };
    }
    if (existing === null) return { kind: 'fresh', envelope, claimedAtMs };
    if (existing.payloadDigest !== payloadDigest) {
      return { kind: 'refused', result: { ok: false, code: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used for a different message' } };
    }
    const same = merged(envelope, { id: existing.messageId, correlationId: existing.correlationId });
    if (existing.state === 'accepted') return { kind: 'replay', envelope: same };
    // Pending: its intake is under way, or died after the publish. A consumer that has handled the message proves it
    // is in the transport: the key is settled and the resend answered as accepted, not made to wait for the takeover.
    if (await this.reachedTransport(existing.messageId)) {
      await idempotency.accepted(client, key).catch(() => undefined);
      return { kind: 'replay', envelope: same };
    }
    const takenOverAtMs = Date.now();
    const takenOver = await idempotency.takeOver(client, key, existing.messageId, KEY_ABANDONED_MS, takenOverAtMs).catch(() => false);
    if (takenOver) return { kind: 'taken-over', envelope: same, claimedAtMs: takenOverAtMs };
    return { kind: 'refused', result: { ok: false, code: 'IDEMPOTENCY_KEY_IN_USE', message: 'a request with this Idempotency-Key is being accepted; send it again shortly' } };
  }

  /** True when a consumer has handled the message (its status moved on from accepted, other than by a refused intake). */
  private async reachedTransport(messageId: string): Promise<boolean> {
    const status = await this.deps.stores.messages.get(messageId).catch(() => null);
    if (!status) return false;
    if (status.state === 'rejected') return status.code === null || !NOT_ACCEPTED_CODES.has(status.code);
    return status.state !== 'accepted';
  }

  /** The outcome, and whether the message may be in the transport (its publish was tried), accepted or not. */
  private async acceptEnvelope(
    route: ResolvedRoute,
    accepted: Envelope,
    key: string | undefined,
    facts: { [key: string]: JsonValue } | undefined,
  ): Promise<{ result: IntakeResult; mayBeInTransport: boolean }> {
    const { transport, stores, ledger, logger } = this.deps;
    let envelope = accepted;
    const ordered = route.ordered && envelope.subject !== null;
    // The subject's sequence number and the "accepted" status are independent writes: sent together, they share a
    // round trip and a commit (the PostgreSQL stores group statements). The status goes in before the publish, so a
    // fast consumer's "delivered" is never overwritten by "accepted".
    const [issued, recorded] = await Promise.allSettled([ordered ? stores.sequences.next(envelope.subject!) : Promise.resolve(null), ledger.recordAccepting(envelope, route)]);
    const sequence = issued.status === 'fulfilled' ? issued.value : null;
    if (issued.status === 'rejected' || recorded.status === 'rejected') {
      const error = (issued.status === 'rejected' ? issued.reason : (recorded as PromiseRejectedResult).reason) as Error;
      logger.error({ route: route.name, err: error.message }, 'store unavailable at intake; message not accepted');
      await ledger.notAccepted(envelope, route, 'STORE_UNAVAILABLE', NOT_STORED, { settle: sequence, audited: false });
      return { result: STORE_DOWN, mayBeInTransport: false };
    }
    envelope = merged(envelope, { sequence });
    try {
      await ledger.received(envelope, route, facts);
    } catch (error) {
      logger.error({ messageId: envelope.id, route: route.name, err: (error as Error).message }, 'audit log unavailable at intake; message not accepted');
      await ledger.notAccepted(envelope, route, 'AUDIT_UNAVAILABLE', NOT_STORED, { settle: sequence, audited: false });
      return { result: AUDIT_DOWN, mayBeInTransport: false };
    }
    try {
      await transport.publish(route.name, envelope);
    } catch (error) {
      logger.error({ messageId: envelope.id, route: route.name, err: (error as Error).message }, 'publish failed; message not accepted');
      await ledger.notAccepted(envelope, route, 'TRANSPORT_UNAVAILABLE', 'not accepted: the transport could not store it', { settle: sequence, audited: true });
      // A publish whose confirm never came may still have reached the queue.
      return { result: { ok: false, code: 'TRANSPORT_UNAVAILABLE', message: 'the message could not be stored durably; it was not accepted' }, mayBeInTransport: true };
    }
    // The sequence number and the key are confirmed together (one round trip, one commit on PostgreSQL): a key left
    // pending over a confirmed number would let a late resend take the key over and send the message again.
    const confirmed = await this.withRetries('confirm after publish', () =>
      Promise.all([
        envelope.subject !== null && sequence !== null ? stores.sequences.confirm(envelope.subject, sequence) : true,
        key !== undefined ? stores.idempotency.accepted(envelope.source, key) : undefined,
      ]),
    );
    if (!confirmed || !confirmed[0]) {
      logger.error({ messageId: envelope.id, route: route.name }, 'sequence number not confirmed; message not accepted');
      // The transport holds it: its consumer settles its number.
      await ledger.notAccepted(envelope, route, 'STORE_UNAVAILABLE', 'not accepted: its sequence number could not be confirmed', { settle: null, audited: true });
      return { result: STORE_DOWN, mayBeInTransport: true };
    }
    ledger.accepted(envelope, route);
    return { result: { ok: true, envelope, route: route.name }, mayBeInTransport: true };
  }

  /**
   * Runs a write that must follow the publish, trying again for a few seconds while the store is away; null when it
   * still fails. An unconfirmed sequence number could be voided by a successor, so without it the message is not
   * accepted; confirm also answers false when a successor already voided it (the publish took longer than the abandon
   * time), and the consumer then drops the copy.
   */
  private async withRetries<T>(what: string, work: () => Promise<T>): Promise<T | null> {
    for (let delay = 100; ; delay *= 2) {
      try {
        return await work();
      } catch (error) {
        if (delay > 1600) {
          this.deps.logger.error({ err: (error as Error).message }, `${what} failed`);
          return null;
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

/** The status reason of a message refused before the transport had it. */
const NOT_STORED = 'not accepted: the bus could not store it durably';

const STORE_DOWN: Extract<IntakeResult, { ok: false }> = {
  ok: false,
  code: 'STORE_UNAVAILABLE',
  message: 'the bus cannot record the message now; it was not accepted',
};

const AUDIT_DOWN: IntakeResult = {
  ok: false,
  code: 'AUDIT_UNAVAILABLE',
  message: 'the audit log cannot be written now, so the bus accepts nothing; send again later',
};
