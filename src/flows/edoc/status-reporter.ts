// Writes a status packet (gói tin trạng thái) about a document, stores it and routes it back to the document's sender:
// used for the bus's own 01 (mailbox took it) and 02 (recipient endpoint refused it) and for statuses reported over the API.
import { buildEdxmlStatus, formatEdxmlTimestamp, type EdxmlStatusCode } from '../../upstreams/edxml';
import { EDOC_MESSAGE_TYPES, blobRefOf, type EdocStatusPayload } from './payloads';
import type { DispatchResult, FlowIntake } from '../../messaging/message-intake';
import type { OrganDirectory } from './organ-directory';
import type { StatusRoute } from './status-route';
import type { EdocBlobStore } from './stores/edoc-store';

export interface StatusReport {
  /** The bus client the status message is recorded under (BUS_SOURCE for the bus's own). */
  source: string;
  causationId: string | null;
  correlationId?: string;
  documentId: string;
  /** The document's sender, who receives the status. */
  documentSender: string;
  /** The organ reporting the status. */
  reporter: string;
  statusCode: EdxmlStatusCode;
  description?: string;
  staff?: { department?: string; staff?: string };
  /** The client's Idempotency-Key, and the digest of what it sent (the packet built here carries a time). */
  idempotency?: { key: string; digest: string };
}

/** Source recorded on the status messages the bus writes itself. */
export const BUS_SOURCE = 'lgsp-bus';

export type StatusReportResult = DispatchResult | { ok: false; code: 'EDOC_UNKNOWN_RECIPIENT'; message: string };

export class StatusReporter {
  constructor(
    private readonly blobs: EdocBlobStore,
    private readonly messageIntake: FlowIntake,
    private readonly directory: OrganDirectory,
    private readonly route: StatusRoute,
  ) {}

  async report(report: StatusReport): Promise<StatusReportResult> {
    const route = await this.route.deliveryFor(report.documentId, report.documentSender, report.reporter);
    if (!route.ok) return { ok: false, code: 'EDOC_UNKNOWN_RECIPIENT', message: `no route to organ ${report.documentSender}` };
    const packet = buildEdxmlStatus({
      responseFor: { organId: report.documentSender, documentId: report.documentId },
      from: { organId: report.reporter, organName: this.directory.organ(report.reporter)?.name },
      statusCode: report.statusCode,
      description: report.description,
      timestamp: formatEdxmlTimestamp(),
      staffInfo: report.staff,
    });
    const blob = await this.blobs.put(report.documentId, [packet]);
    const payload: EdocStatusPayload = {
      blob: blobRefOf(blob),
      fromOrgan: report.reporter,
      toOrgan: report.documentSender,
      delivery: route.delivery,
      statusCode: report.statusCode,
    };
    return this.messageIntake.dispatch({
      type: EDOC_MESSAGE_TYPES.status,
      source: report.source,
      destination: report.documentSender,
      subject: report.documentId,
      payload,
      correlationId: report.correlationId,
      causationId: report.causationId,
      idempotencyKey: report.idempotency?.key,
      idempotencyDigest: report.idempotency?.digest,
    });
  }
}
