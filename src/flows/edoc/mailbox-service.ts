// What a recipient organ does with its mailbox in this bus, whatever the face (REST or SOAP): list, fetch, report a status
// (only about a document the recipient ledger says it was sent by the organ the status goes to).
import type { EdxmlStatusCode } from '../../upstreams/edxml';
import { payloadDigest } from '../../core/envelope';
import type { OrganDirectory } from './organ-directory';
import { notRecipient } from './package-intake';
import type { ErrorCode } from '../../core/errors';
import type { StatusReporter } from './status-reporter';
import type { EdocStores, MailboxEntry, MailboxFilter } from './stores/edoc-store';

export type StatusUpdateOutcome =
  | { ok: true; messageId: string; correlationId: string; documentId: string; statusCode: string; toOrgan: string; replayed?: boolean }
  | { ok: false; code: ErrorCode; message: string };

export class MailboxService {
  constructor(private readonly deps: { stores: EdocStores; directory: OrganDirectory; reporter: StatusReporter }) {}

  list(clientId: string, filter: MailboxFilter): Promise<MailboxEntry[]> {
    return this.deps.stores.mailbox.list(this.deps.directory.organsOf(clientId), filter);
  }

  /** The entry if it is in the mailbox of an organ the client speaks for; another organ's entry is as unknown as none. */
  async entry(clientId: string, entryId: string): Promise<MailboxEntry | null> {
    const entry = await this.deps.stores.mailbox.get(entryId);
    return entry && this.deps.directory.speaksFor(clientId, entry.organId) ? entry : null;
  }

  async reportStatus(
    clientId: string,
    entryId: string,
    update: { statusCode: EdxmlStatusCode; description?: string; department?: string; staff?: string },
    options: { idempotencyKey?: string } = {},
  ): Promise<StatusUpdateOutcome> {
    const entry = await this.entry(clientId, entryId);
    if (!entry) return { ok: false, code: 'EDOC_NOT_FOUND', message: 'no such document in your mailbox' };
    if (entry.kind !== 'edoc') return { ok: false, code: 'EDOC_NOT_A_DOCUMENT', message: 'statuses are reported about documents, not about status packets' };
    if (!(await this.deps.stores.recipients.wasSentTo(entry.documentId, entry.fromOrgan, entry.organId))) return notRecipient(entry.organId, entry.fromOrgan);
    const staff = update.department !== undefined || update.staff !== undefined ? { department: update.department, staff: update.staff } : undefined;
    const sent = await this.deps.reporter.report({
      source: clientId,
      causationId: entry.entryId,
      documentId: entry.documentId,
      documentSender: entry.fromOrgan,
      reporter: entry.organId,
      statusCode: update.statusCode,
      description: update.description,
      staff,
      idempotency:
        options.idempotencyKey === undefined
          ? undefined
          : {
              key: options.idempotencyKey,
              digest: payloadDigest({
                entryId,
                statusCode: update.statusCode,
                description: update.description ?? null,
                department: update.department ?? null,
                staff: update.staff ?? null,
              }),
            },
    });
    if (!sent.ok) return { ok: false, code: sent.code, message: sent.message };
    await this.deps.stores.mailbox.setReportedStatus(entry.entryId, update.statusCode);
    return {
      ok: true,
      messageId: sent.envelope.id,
      correlationId: sent.envelope.correlationId,
      documentId: entry.documentId,
      statusCode: update.statusCode,
      toOrgan: entry.fromOrgan,
      ...(sent.replayed ? { replayed: true } : {}),
    };
  }
}
