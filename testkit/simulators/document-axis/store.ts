// In-memory state of the simulated document axis: stored packages, per-organ inbox entries and sent-document rows.
import { randomUUID } from 'node:crypto';
import type { components } from '../../../contracts/generated/document-axis';

type ReceiveStatus = components['schemas']['ReceiveStatus'];
type ReceivedEdocItem = components['schemas']['ReceivedEdocItem'];
type SentEdocItem = components['schemas']['SentEdocItem'];

/** One package as sent; shared by every recipient entry so a 20 MiB file is stored once. */
export interface StoredPackage {
  bytes: Buffer;
  sha256Hex: string;
}

export interface InboxEntry {
  /** The receiver-side doc id (what getReceivedEdocList / getEdoc / updateStatus use). */
  docId: string;
  /** The doc id the sender got from sendEdoc; for status packets, the doc id they are about. */
  senderDocId: string;
  serviceType: string;
  messageType: string;
  from: string;
  to: string;
  createdAt: string;
  updatedAt: string;
  status: ReceiveStatus;
  statusDesc: string;
  pkg: StoredPackage;
  /** Set on status packets made by updateStatus: the sender doc id the status refers to. */
  responseForDocId?: string;
}

export interface SentDocument {
  senderDocId: string;
  from: string;
  serviceType: string;
  messageType: string;
  sentAt: string;
  receiverDocIds: string[];
  sha256Hex: string;
}

export const RECEIVE_STATUS_DESC: Record<ReceiveStatus, string> = {
  inbox: 'Đã đến',
  acceptance: 'Đã tiếp nhận',
  rejection: 'Từ chối tiếp nhận',
  processing: 'Đang xử lý',
  done: 'Đã nhận thành công',
  fail: 'Nhận lỗi',
};

/** Entries with these statuses are still offered by getReceivedEdocList. */
const PENDING: ReadonlySet<ReceiveStatus> = new Set<ReceiveStatus>(['inbox', 'fail']);

export class AxisStore {
  private readonly entries = new Map<string, InboxEntry>();
  private readonly sent = new Map<string, SentDocument>();

  /** Stores one package for every recipient; returns the sender doc id. */
  deliver(input: { from: string; to: readonly string[]; serviceType: string; messageType: string; pkg: StoredPackage; responseForDocId?: string }): SentDocument {
    const now = new Date().toISOString();
    const senderDocId = randomUUID();
    const receiverDocIds: string[] = [];
    for (const organ of new Set(input.to)) {
      const docId = randomUUID();
      receiverDocIds.push(docId);
      this.entries.set(docId, {
        docId,
        senderDocId,
        serviceType: input.serviceType,
        messageType: input.messageType,
        from: input.from,
        to: organ,
        createdAt: now,
        updatedAt: now,
        status: 'inbox',
        statusDesc: RECEIVE_STATUS_DESC.inbox,
        pkg: input.pkg,
        responseForDocId: input.responseForDocId,
      });
    }
    const sent: SentDocument = {
      senderDocId,
      from: input.from,
      serviceType: input.serviceType,
      messageType: input.messageType,
      sentAt: now,
      receiverDocIds,
      sha256Hex: input.pkg.sha256Hex,
    };
    this.sent.set(senderDocId, sent);
    return sent;
  }

  entry(docId: string): InboxEntry | undefined {
    return this.entries.get(docId);
  }

  /** Pending entries addressed to any of the organs, oldest first. */
  pendingFor(organs: ReadonlySet<string>, serviceType: string, messageType: string | undefined): InboxEntry[] {
    return [...this.entries.values()].filter(
      (e) =>
        organs.has(e.to) &&
        PENDING.has(e.status) &&
        e.serviceType.toLowerCase() === serviceType.toLowerCase() &&
        (messageType === undefined || serviceType.toLowerCase() === 'status' || e.messageType === messageType),
    );
  }

  setStatus(docId: string, status: ReceiveStatus): InboxEntry | undefined {
    const entry = this.entries.get(docId);
    if (!entry) return undefined;
    entry.status = status;
    entry.statusDesc = RECEIVE_STATUS_DESC[status];
    entry.updatedAt = new Date().toISOString();
    return entry;
  }

  /** Sent-document rows (one per recipient) for packages sent by any of the organs. */
  sentBy(organs: ReadonlySet<string>, serviceType: string): SentEdocItem[] {
    const rows: SentEdocItem[] = [];
    for (const sent of this.sent.values()) {
      if (!organs.has(sent.from) || sent.serviceType.toLowerCase() !== serviceType.toLowerCase()) continue;
      for (const receiverDocId of sent.receiverDocIds) {
        const entry = this.entries.get(receiverDocId);
        if (!entry) continue;
        rows.push({
          serviceType: sent.serviceType,
          messageType: sent.messageType,
          senderDocId: sent.senderDocId,
          receiverDocId,
          fromCode: sent.from,
          toCode: entry.to,
          sendStatus: 'done',
          sendStatusDesc: 'Đã gửi',
          receiveStatus: entry.status,
          receiveStatusDesc: entry.statusDesc,
          sentTime: sent.sentAt,
          receivedTime: entry.updatedAt,
          fileHash: sent.sha256Hex,
        });
      }
    }
    return rows;
  }

  /** Every inbox entry addressed to one organ, whatever its status (for tests). */
  inboxOf(organ: string): InboxEntry[] {
    return [...this.entries.values()].filter((e) => e.to === organ);
  }
}

/** The list row getReceivedEdocList answers with. */
export function toReceivedItem(entry: InboxEntry): ReceivedEdocItem {
  const item: ReceivedEdocItem = {
    docId: entry.docId,
    serviceType: entry.serviceType,
    messageType: entry.messageType,
    created_time: entry.createdAt,
    updated_time: entry.updatedAt,
    from: entry.from,
    to: entry.to,
    status: entry.status,
    status_desc: entry.statusDesc,
  };
  if (entry.responseForDocId !== undefined) item.responseForDocId = entry.responseForDocId;
  return item;
}
