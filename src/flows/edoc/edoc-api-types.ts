// The JSON shapes of the edoc REST contract (generated from contracts/openapi/bus-edocs.yaml) and their mapping from
// flow results and mailbox entries, shared by the REST and SOAP faces.
import type { components } from '../../../contracts/generated/bus-edocs';
import type { AcceptedDocument, AcceptedStatus } from './package-intake';
import type { MailboxEntry } from './stores/edoc-store';

export type EdocAccepted = components['schemas']['EdocAccepted'];
export type StatusAccepted = components['schemas']['StatusAccepted'];
export type InboxEntryBody = components['schemas']['InboxEntry'];
export type StatusUpdateBody = components['schemas']['StatusUpdate'];
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
  };
}
