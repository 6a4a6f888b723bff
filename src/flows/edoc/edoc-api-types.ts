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

export function inboxEntryBody(entry: MailboxEntry): InboxEntryBody {
  const body: InboxEntryBody = {
    id: entry.entryId,
    kind: entry.kind,
    organId: entry.organId,
    documentId: entry.documentId,
    fromOrgan: entry.fromOrgan,
    sha256: entry.blob.sha256,
    bytes: entry.blob.bytes,
    receivedAt: entry.receivedAt,
  };
  if (entry.businessDocType !== null) body.businessDocType = entry.businessDocType as InboxEntryBody['businessDocType'];
  if (entry.statusCode !== null) body.statusCode = entry.statusCode as EdocStatusCode;
  if (entry.reportedStatus !== null) body.reportedStatus = entry.reportedStatus as EdocStatusCode;
  return body;
}
