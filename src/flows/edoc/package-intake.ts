// Accepts one edXML upload (document package or status packet) from a bus client: validates it, checks the client speaks
// for its From organ (and, for a status, that the organ received the document from the organ the status goes to),
// tells a resend from a second document, stores the bytes once exactly as received and hands a small message to the
// transport. Shared by the REST and SOAP endpoints.
import {
  checkAttachmentBase64,
  EdxmlError,
  parseEdxmlPackage,
  parseEdxmlStatus,
  type ParsedEdxmlPackage,
} from '../../upstreams/edxml';
import { EDOC_MESSAGE_TYPES, blobRefOf, type EdocRecipient, type EdocSendPayload, type EdocStatusPayload } from './payloads';
import type { ErrorCode } from '../../core/errors';
import type { FlowIntake } from '../../messaging/message-intake';
import { TurnBudget } from './event-loop-turns';
import type { OrganDirectory } from './organ-directory';
import type { ResendGuard } from './resend-guard';
import type { SignatureGate } from './signature-gate';
import type { StatusRoute } from './status-route';
import type { EdocBlobStore, EdocRecipientLedger } from './stores/edoc-store';

export interface AcceptedDocument {
  ok: true;
  kind: 'edoc';
  messageId: string;
  correlationId: string;
  /** The package's From organ (NFC). */
  fromOrgan: string;
  documentId: string;
  sha256: string;
  bytes: number;
  recipients: EdocRecipient[];
  /** The answer to an earlier upload of the same package (or Idempotency-Key); nothing new was sent. */
  replayed?: boolean;
}

export interface AcceptedStatus {
  ok: true;
  kind: 'status';
  messageId: string;
  correlationId: string;
  documentId: string;
  statusCode: string;
  toOrgan: string;
  /** The answer to an earlier upload with the same Idempotency-Key; nothing new was sent. */
  replayed?: boolean;
}

/** What the face read besides the body: the client's Idempotency-Key, if it sent one. */
export interface UploadOptions {
  idempotencyKey?: string;
}

/** Where a package fetched from the national axis goes: the organ of this province the axis held it for. */
export interface AxisDelivery {
  /** The axis's receiver-side doc id, recorded in the audit trail. */
  axisDocId: string;
  toOrgan: string;
}

/** The bus client recorded as the source of packages fetched from the national axis. */
export const AXIS_SOURCE = 'national-axis';

export interface RefusedUpload {
  ok: false;
  /** Its status on each face comes from the error table. */
  code: ErrorCode;
  message: string;
  field?: string;
}

export type UploadOutcome = AcceptedDocument | AcceptedStatus | RefusedUpload;

function refused(code: ErrorCode, message: string, field?: string): RefusedUpload {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };
}

function fromEdxmlError(error: EdxmlError): RefusedUpload {
  return refused(error.code, error.reason, error.field);
}

export class PackageIntake {
  constructor(
    private readonly deps: {
      directory: OrganDirectory;
      blobs: EdocBlobStore;
      recipients: EdocRecipientLedger;
      resends: ResendGuard;
      messageIntake: FlowIntake;
      signatures: SignatureGate;
      statusRoute: StatusRoute;
    },
  ) {}

  /** `body` is the received Buffer; it is stored as it is, not copied. */
  async accept(clientId: string, body: Buffer, options: UploadOptions = {}): Promise<UploadOutcome> {
    let pkg: ParsedEdxmlPackage;
    try {
      pkg = parseEdxmlPackage(body);
    } catch (error) {
      if (!(error instanceof EdxmlError)) throw error;
      // A status packet (SDK shape) or an upload without MessageHeader (wrapped shape) is read as a status packet.
      if (error.code === 'EDXML_STATUS_PACKET' || (error.code === 'EDXML_MISSING_FIELD' && error.field === 'MessageHeader')) return this.acceptStatus(clientId, body, options);
      return fromEdxmlError(error);
    }
    return this.acceptDocument(clientId, pkg, options);
  }

  /**
   * A package fetched from the national axis for one organ of this province: checked and stored as any upload (bytes
   * exact, signature under its sender's policy) and delivered to that organ alone, whatever else its To names (the
   * axis holds a copy per recipient). A re-fetch of the same copy is answered as the first: nothing is delivered twice.
   */
  async acceptFromAxis(body: Buffer, axis: AxisDelivery): Promise<AcceptedDocument | RefusedUpload> {
    let pkg: ParsedEdxmlPackage;
    try {
      pkg = parseEdxmlPackage(body);
    } catch (error) {
      if (!(error instanceof EdxmlError)) throw error;
      return fromEdxmlError(error);
    }
    const outcome = await this.acceptDocument(AXIS_SOURCE, pkg, {}, axis);
    return outcome.ok && outcome.kind === 'status' ? refused('EDXML_STATUS_PACKET', 'a status packet is not a document package') : outcome;
  }

  private async acceptDocument(clientId: string, pkg: ParsedEdxmlPackage, options: UploadOptions, axis?: AxisDelivery): Promise<UploadOutcome> {
    const { directory, blobs, messageIntake } = this.deps;
    const fromOrgan = pkg.header.from.organId.normalize('NFC');
    const documentId = pkg.header.documentId.normalize('NFC');
    const recipients: EdocRecipient[] = [];
    if (axis) {
      // The axis vouches for the sender (it signs every call); the bus only delivers to organs it serves itself.
      const organ = directory.organ(axis.toOrgan);
      if (!organ || organ.delivery === 'axis') return refused('EDOC_UNKNOWN_RECIPIENT', `organ ${axis.toOrgan} does not receive through this bus`, 'MessageHeader/To/OrganId');
      recipients.push({ organId: axis.toOrgan, delivery: organ.delivery });
    } else {
      if (!directory.speaksFor(clientId, fromOrgan)) {
        return refused('EDOC_FROM_FORBIDDEN', `this client does not speak for organ ${fromOrgan}`, 'MessageHeader/From/OrganId');
      }
      const unknown: string[] = [];
      for (const organId of new Set(pkg.header.to.map((to) => to.organId.normalize('NFC')))) {
        const decision = directory.deliveryFor(organId);
        if (decision.ok) recipients.push({ organId, delivery: decision.delivery });
        else unknown.push(organId);
      }
      if (unknown.length > 0) return refused('EDOC_UNKNOWN_RECIPIENT', `no such organ in this province: ${unknown.join(', ')}`, 'MessageHeader/To/OrganId');
    }
    const badAttachment = await firstUndecodableAttachment(pkg);
    if (badAttachment) return badAttachment;
    const signature = await this.deps.signatures.check(fromOrgan, pkg.source);
    if (!signature.ok) return refused(signature.code, signature.message, 'Signature');

    // Byte-exact: the sender's signature covers everything but itself, so a TraceHeader added here would break it. The
    // bus's own pass is recorded in its audit trail and travels as transport metadata (message id, routing headers).
    const put = await fromStore(() => blobs.put(documentId, [pkg.source]));
    if (!put.ok) return put;
    const blob = put.value;
    const businessDocType = pkg.traceHeaderList.bussiness?.bussinessDocType ?? 0;
    const claim = await fromStore(() => this.deps.resends.claim({ fromOrgan, documentId, sha256: blob.sha256, businessDocType, ...(axis ? { recipient: axis.toOrgan } : {}) }));
    if (!claim.ok) return claim;
    const accepted = (ids: { messageId: string; correlationId: string }, replayed: boolean): AcceptedDocument => ({
      ok: true,
      kind: 'edoc',
      messageId: ids.messageId,
      correlationId: ids.correlationId,
      fromOrgan,
      documentId,
      sha256: blob.sha256,
      bytes: blob.bytes,
      recipients,
      ...(replayed ? { replayed } : {}),
    });
    if (claim.value.kind === 'refused') return refused(claim.value.code, claim.value.message, claim.value.field);
    if (claim.value.kind === 'replay') return accepted(claim.value, true);
    const sending = claim.value;
    // Recorded before the document can reach anyone, so a recipient's status can never arrive before its right to send it.
    const recorded = await fromStore(() => this.deps.recipients.record(documentId, fromOrgan, recipients.map((r) => r.organId)));
    if (!recorded.ok) {
      await this.deps.resends.fail(sending, null).catch(() => undefined);
      return recorded;
    }
    const payload: EdocSendPayload = {
      blob: blobRefOf(blob),
      fromOrgan,
      businessDocType,
      recipients: recipients.map((r) => ({ organId: r.organId, delivery: r.delivery })),
      signature: signature.record,
    };
    const dispatched = await messageIntake.dispatch({
      type: EDOC_MESSAGE_TYPES.send,
      source: clientId,
      destination: null,
      subject: documentId,
      payload,
      messageId: sending.messageId,
      correlationId: sending.correlationId,
      idempotencyKey: options.idempotencyKey,
      ...(signature.record || axis
        ? { auditDetails: { ...(signature.record ? { signature: signature.record } : {}), ...(axis ? { via: AXIS_SOURCE, axisDocId: axis.axisDocId } : {}) } }
        : {}),
    });
    if (!dispatched.ok) {
      // A claim left behind is taken over by a resend after its abandon time.
      await this.deps.resends.fail(sending, dispatched.code).catch(() => undefined);
      return refused(dispatched.code, dispatched.message);
    }
    const ids = { messageId: dispatched.envelope.id, correlationId: dispatched.envelope.correlationId };
    // Accepted whatever this write does: a claim left pending is taken over by a resend under the same message id.
    await this.deps.resends.settle(sending, ids).catch(() => undefined);
    return accepted(ids, dispatched.replayed === true);
  }

  private async acceptStatus(clientId: string, body: Buffer, options: UploadOptions): Promise<UploadOutcome> {
    const { directory, blobs, messageIntake } = this.deps;
    let status;
    try {
      status = parseEdxmlStatus(body);
    } catch (error) {
      if (!(error instanceof EdxmlError)) throw error;
      // Neither a package nor a status packet: report it as the package it most likely meant to be.
      if (error.code === 'EDXML_NOT_EDXML') return refused('EDXML_MISSING_FIELD', 'no MessageHeader (package) or StatusCode (status packet)', 'MessageHeader');
      return fromEdxmlError(error);
    }
    const fromOrgan = status.from.organId.normalize('NFC');
    const toOrgan = status.responseFor.organId.normalize('NFC');
    const documentId = (status.responseFor.documentId ?? '').normalize('NFC');
    if (!directory.speaksFor(clientId, fromOrgan)) {
      return refused('EDOC_FROM_FORBIDDEN', `this client does not speak for organ ${fromOrgan}`, 'Status/From/OrganId');
    }
    const decision = await fromStore(() => this.deps.statusRoute.deliveryFor(documentId, toOrgan, fromOrgan));
    if (!decision.ok) return decision;
    if (!decision.value.ok) return refused('EDOC_UNKNOWN_RECIPIENT', `no such organ in this province: ${toOrgan}`, 'Status/ResponseFor/OrganId');
    const received = await fromStore(() => this.deps.recipients.wasSentTo(documentId, toOrgan, fromOrgan));
    if (!received.ok) return received;
    if (!received.value) return notRecipient(fromOrgan, toOrgan, 'Status/ResponseFor/DocumentId');
    const put = await fromStore(() => blobs.put(documentId, [body]));
    if (!put.ok) return put;
    const payload: EdocStatusPayload = { blob: blobRefOf(put.value), fromOrgan, toOrgan, delivery: decision.value.delivery, statusCode: status.statusCode };
    const accepted = await messageIntake.dispatch({
      type: EDOC_MESSAGE_TYPES.status,
      source: clientId,
      destination: toOrgan,
      subject: documentId,
      payload,
      idempotencyKey: options.idempotencyKey,
    });
    if (!accepted.ok) return refused(accepted.code, accepted.message);
    return {
      ok: true,
      kind: 'status',
      messageId: accepted.envelope.id,
      correlationId: accepted.envelope.correlationId,
      documentId,
      statusCode: status.statusCode,
      toOrgan,
      ...(accepted.replayed ? { replayed: true } : {}),
    };
  }
}

/** A status about a document from an organ that did not receive it from the status's addressee through this bus. */
export function notRecipient(reporter: string, addressee: string, field?: string): RefusedUpload {
  return refused('EDOC_STATUS_NOT_RECIPIENT', `organ ${reporter} was not sent this document by organ ${addressee} through this bus`, field);
}

/**
 * Runs a store call; a store that cannot be reached (PostgreSQL down) refuses the upload with 503 STORE_UNAVAILABLE, as
 * the message intake does, instead of failing the request with a 500.
 */
async function fromStore<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | RefusedUpload> {
  try {
    return { ok: true, value: await call() };
  } catch {
    return refused('STORE_UNAVAILABLE', 'the bus cannot reach its store now; the upload was not accepted');
  }
}

/**
 * Checks that every attachment decodes (a broken base64 body is refused at intake, not at delivery) without decoding
 * it, in steps, with the event loop let run between them.
 */
async function firstUndecodableAttachment(pkg: ParsedEdxmlPackage): Promise<RefusedUpload | null> {
  const budget = new TurnBudget();
  for (const [i, attachment] of pkg.attachments.entries()) {
    try {
      await checkAttachmentBase64(attachment.body, (bytes) => budget.spend(bytes));
    } catch (error) {
      if (error instanceof EdxmlError) return refused(error.code, error.reason, `AttachmentEncoded/Attachment[${i + 1}]/ContentTransferEncoded`);
      throw error;
    }
  }
  return null;
}
