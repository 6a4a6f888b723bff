// Accepts one edXML upload (document package or status packet) from a bus client: validates it, checks the client speaks
// for its From organ (and, for a status, that the organ received the document from the organ the status goes to),
// appends the bus's TraceHeader, stores the bytes once and hands a small message to the transport. Shared by the REST
// and SOAP endpoints.
import {
  EdxmlError,
  formatEdxmlTimestamp,
  openAttachmentStream,
  parseEdxmlPackage,
  parseEdxmlStatus,
  spliceTraceHeader,
  type ParsedEdxmlPackage,
} from '../../upstreams/edxml';
import { EDOC_MESSAGE_TYPES, blobRefOf, type EdocRecipient, type EdocSendPayload, type EdocStatusPayload } from './payloads';
import type { ErrorCode } from '../../core/errors';
import type { FlowIntake } from '../../messaging/message-intake';
import { TurnBudget } from './event-loop-turns';
import type { OrganDirectory } from './organ-directory';
import type { SignatureGate } from './signature-gate';
import type { EdocBlobStore, EdocRecipientLedger } from './stores/edoc-store';

export interface AcceptedDocument {
  ok: true;
  kind: 'edoc';
  messageId: string;
  correlationId: string;
  documentId: string;
  sha256: string;
  bytes: number;
  recipients: EdocRecipient[];
}

export interface AcceptedStatus {
  ok: true;
  kind: 'status';
  messageId: string;
  correlationId: string;
  documentId: string;
  statusCode: string;
  toOrgan: string;
}

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
  return refused(error.code, error.message, error.field);
}

export class PackageIntake {
  constructor(
    private readonly deps: {
      busOrganId: string;
      directory: OrganDirectory;
      blobs: EdocBlobStore;
      recipients: EdocRecipientLedger;
      messageIntake: FlowIntake;
      signatures: SignatureGate;
    },
  ) {}

  /** `body` is the received Buffer; it is not copied (the stored package is spliced from views of it). */
  async accept(clientId: string, body: Buffer): Promise<UploadOutcome> {
    let pkg: ParsedEdxmlPackage;
    try {
      pkg = parseEdxmlPackage(body);
    } catch (error) {
      if (!(error instanceof EdxmlError)) throw error;
      // A package without MessageHeader may be a status packet; anything else is a bad package.
      if (error.code === 'EDXML_MISSING_FIELD' && error.field === 'MessageHeader') return this.acceptStatus(clientId, body);
      return fromEdxmlError(error);
    }
    return this.acceptDocument(clientId, pkg);
  }

  private async acceptDocument(clientId: string, pkg: ParsedEdxmlPackage): Promise<UploadOutcome> {
    const { directory, blobs, messageIntake } = this.deps;
    const fromOrgan = pkg.header.from.organId.normalize('NFC');
    const documentId = pkg.header.documentId.normalize('NFC');
    if (!directory.speaksFor(clientId, fromOrgan)) {
      return refused('EDOC_FROM_FORBIDDEN', `this client does not speak for organ ${fromOrgan}`, 'MessageHeader/From/OrganId');
    }
    const recipients: EdocRecipient[] = [];
    const unknown: string[] = [];
    for (const organId of new Set(pkg.header.to.map((to) => to.organId.normalize('NFC')))) {
      const decision = directory.deliveryFor(organId);
      if (decision.ok) recipients.push({ organId, delivery: decision.delivery });
      else unknown.push(organId);
    }
    if (unknown.length > 0) return refused('EDOC_UNKNOWN_RECIPIENT', `no such organ in this province: ${unknown.join(', ')}`, 'MessageHeader/To/OrganId');
    const badAttachment = await firstUndecodableAttachment(pkg);
    if (badAttachment) return badAttachment;
    const signature = await this.deps.signatures.check(fromOrgan, pkg.source);
    if (!signature.ok) return refused(signature.code, signature.message, 'Signature');

    const stored = spliceTraceHeader(pkg, { organId: this.deps.busOrganId, timestamp: formatEdxmlTimestamp() });
    const put = await fromStore(() => blobs.put(documentId, stored));
    if (!put.ok) return put;
    const blob = put.value;
    // Recorded before the document can reach anyone, so a recipient's status can never arrive before its right to send it.
    const recorded = await fromStore(() => this.deps.recipients.record(documentId, fromOrgan, recipients.map((r) => r.organId)));
    if (!recorded.ok) return recorded;
    const payload: EdocSendPayload = {
      blob: blobRefOf(blob),
      fromOrgan,
      businessDocType: pkg.traceHeaderList.bussiness?.bussinessDocType ?? 0,
      recipients: recipients.map((r) => ({ organId: r.organId, delivery: r.delivery })),
      signature: signature.record,
    };
    const auditDetails = signature.record ? { signature: signature.record } : undefined;
    const accepted = await messageIntake.dispatch({ type: EDOC_MESSAGE_TYPES.send, source: clientId, destination: null, subject: documentId, payload, auditDetails });
    if (!accepted.ok) return refused(accepted.code, accepted.message);
    return {
      ok: true,
      kind: 'edoc',
      messageId: accepted.envelope.id,
      correlationId: accepted.envelope.correlationId,
      documentId,
      sha256: blob.sha256,
      bytes: blob.bytes,
      recipients,
    };
  }

  private async acceptStatus(clientId: string, body: Buffer): Promise<UploadOutcome> {
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
    const decision = directory.deliveryFor(toOrgan);
    if (!decision.ok) return refused('EDOC_UNKNOWN_RECIPIENT', `no such organ in this province: ${toOrgan}`, 'Status/ResponseFor/OrganId');
    const received = await fromStore(() => this.deps.recipients.wasSentTo(documentId, toOrgan, fromOrgan));
    if (!received.ok) return received;
    if (!received.value) return notRecipient(fromOrgan, toOrgan, 'Status/ResponseFor/DocumentId');
    const put = await fromStore(() => blobs.put(documentId, [body]));
    if (!put.ok) return put;
    const payload: EdocStatusPayload = { blob: blobRefOf(put.value), fromOrgan, toOrgan, delivery: decision.delivery, statusCode: status.statusCode };
    const accepted = await messageIntake.dispatch({ type: EDOC_MESSAGE_TYPES.status, source: clientId, destination: toOrgan, subject: documentId, payload });
    if (!accepted.ok) return refused(accepted.code, accepted.message);
    return {
      ok: true,
      kind: 'status',
      messageId: accepted.envelope.id,
      correlationId: accepted.envelope.correlationId,
      documentId,
      statusCode: status.statusCode,
      toOrgan,
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
 * Decodes every attachment as a stream (bounded memory) so a broken base64 body is refused at intake, not at delivery;
 * in steps, with the event loop let run between them.
 */
async function firstUndecodableAttachment(pkg: ParsedEdxmlPackage): Promise<RefusedUpload | null> {
  const budget = new TurnBudget();
  for (const [i, attachment] of pkg.attachments.entries()) {
    try {
      for await (const chunk of openAttachmentStream(attachment.body)) await budget.spend((chunk as Buffer).length);
    } catch (error) {
      if (error instanceof EdxmlError) return refused(error.code, error.message, `AttachmentEncoded/Attachment[${i + 1}]/ContentTransferEncoded`);
      throw error;
    }
  }
  return null;
}
