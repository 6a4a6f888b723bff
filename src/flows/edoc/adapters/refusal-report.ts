// Reports a recipient endpoint's final refusal of a document to the sender as status 02 (từ chối tiếp nhận), on the
// recipient's behalf, so the sender learns it the way the protocol tells it (not only in the bus's message status).
import type { Envelope } from '../../../core/envelope';
import { UpstreamError } from '../../../messaging/delivery/adapter';
import type { EdocDeliverPayload } from '../payloads';
import { BUS_SOURCE, type StatusReporter } from '../status-reporter';

export async function reportRefusal(reporter: StatusReporter, envelope: Envelope, payload: EdocDeliverPayload, refusal: UpstreamError): Promise<void> {
  const sent = await reporter.report({
    source: BUS_SOURCE,
    causationId: envelope.id,
    correlationId: envelope.correlationId,
    documentId: payload.blob.documentId,
    documentSender: payload.fromOrgan,
    reporter: payload.toOrgan,
    statusCode: '02',
    description: `LGSP: hệ thống nhận từ chối tiếp nhận (${refusal.code})`,
  });
  if (!sent.ok) throw new UpstreamError({ kind: 'unavailable', code: sent.code, message: `status 02 not sent: ${sent.message}` });
}
