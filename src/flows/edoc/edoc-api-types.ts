// The JSON shapes of the edoc REST contract (generated from contracts/openapi/bus-edocs.yaml) and their mapping from
// flow results and mailbox entries, shared by the REST and SOAP faces.
import type { components } from '../../../contracts/generated/bus-edocs';
import type { AcceptedDocument, AcceptedStatus } from './package-intake';
import type { JsonValue } from '../../core/envelope';
import type { MailboxEntry } from './stores/edoc-store';

export type EdocAccepted = components['schemas']['EdocAccepted'];
export type StatusAccepted = components['schemas']['StatusAccepted'];
export type InboxEntryBody = components['schemas']['InboxEntry'];
export type StatusUpdateBody = components['schemas']['StatusUpdate'];
export type SignatureCheckBody = components['schemas']['SignatureCheck'];
export type EdocStatusCode = components['schemas']['StatusCode'];

export const EDOC_CONTRACT = 'bus-edocs';

const statusUrl = (messageId: string) => `/api/v1/messages/${messageId}`;

export function acceptedBody(result: AcceptedDocument | AcceptedStatus): EdocAccepted | StatusAccepted {
  if (result.kind === 'edoc') {
    return {
      kind: 'edoc',
      messageId: result.messageId,
      correlationId: result.correlationId,
      documentId: result.documentId,
      sha256: result.sha256,
      bytes: result.bytes,
      recipients: result.recipients,
      status: 'accepted',
      statusUrl: statusUrl(result.messageId),
    };
  }
  return statusAcceptedBody(result);
}

export function statusAcceptedBody(result: Omit<AcceptedStatus, 'ok' | 'kind'>): StatusAccepted {
  return {
    kind: 'status',
    messageId: result.messageId,
    correlationId: result.correlationId,
    documentId: result.documentId,
    statusCode: result.statusCode as EdocStatusCode,
    toOrgan: result.toOrgan,
    status: 'accepted',
    statusUrl: statusUrl(result.messageId),
  };
}

/** Keys in the order of the XSD's InboxItem sequence: the SOAP face writes them in this order. */
export function inboxEntryBody(entry: MailboxEntry): InboxEntryBody {
  return {
    id: entry.entryId,
    kind: entry.kind,
    organId: entry.organId,
    documentId: entry.documentId,
    fromOrgan: entry.fromOrgan,
    sha256: entry.blob.sha256,
    bytes: entry.blob.bytes,
    ...(entry.businessDocType !== null ? { businessDocType: entry.businessDocType as InboxEntryBody['businessDocType'] } : {}),
    ...(entry.statusCode !== null ? { statusCode: entry.statusCode as EdocStatusCode } : {}),
    ...(entry.reportedStatus !== null ? { reportedStatus: entry.reportedStatus as EdocStatusCode } : {}),
    receivedAt: entry.receivedAt,
    ...(entry.signature !== null ? { signature: signatureBody(entry.signature) } : {}),
  };
}

/** The stored check in the contract's shape and element order (the SOAP face writes the keys in this order). */
function signatureBody(stored: { [key: string]: JsonValue }): SignatureCheckBody {
  const text = (from: { [key: string]: JsonValue }, key: string): string | undefined => (typeof from[key] === 'string' ? from[key] : undefined);
  const reason = text(stored, 'reason');
  const algorithm = text(stored, 'algorithm');
  const signer = stored.signer;
  const signerRecord = signer !== null && typeof signer === 'object' && !Array.isArray(signer) ? signer : null;
  const field = (key: string): string => (signerRecord ? (text(signerRecord, key) ?? '') : '');
  return {
    policy: text(stored, 'policy') as SignatureCheckBody['policy'],
    outcome: text(stored, 'outcome') as SignatureCheckBody['outcome'],
    ...(reason !== undefined ? { reason } : {}),
    ...(algorithm !== undefined ? { algorithm } : {}),
    checkedAt: text(stored, 'checkedAt') ?? '',
    ...(signerRecord ? { signer: { subject: field('subject'), serial: field('serial'), issuer: field('issuer'), notBefore: field('notBefore'), notAfter: field('notAfter') } } : {}),
  };
}
