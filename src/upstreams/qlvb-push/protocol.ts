// The wire contract between the bus and a district QLVB push endpoint: paths, headers and answer bodies.

/** Paths the QLVB endpoint exposes; both take the raw edXML bytes as the body. */
export const QLVB_PUSH_PATHS = { edoc: '/edoc', status: '/status' } as const;
export type QlvbPushKind = keyof typeof QLVB_PUSH_PATHS;

/** Routing facts the bus passes alongside the opaque package (the endpoint need not parse edXML to route). */
export const QLVB_HEADERS = {
  idempotencyKey: 'Idempotency-Key',
  fromOrgan: 'X-Lgsp-From-Organ',
  toOrgan: 'X-Lgsp-To-Organ',
  documentId: 'X-Lgsp-Document-Id',
  statusCode: 'X-Lgsp-Status-Code',
  sha256: 'X-Lgsp-Content-Sha256',
} as const;

export interface QlvbPushRouting {
  fromOrgan?: string;
  toOrgan?: string;
  /** edXML DocumentId; non-ASCII is sent percent-encoded (encodeURIComponent). */
  documentId?: string;
  /** For status packets: the QĐ 28 code, e.g. '03'. */
  statusCode?: string;
}

/** What the endpoint answers on success (200 for a first delivery and for a repeated Idempotency-Key). */
export interface QlvbPushReceipt {
  receiptId: string;
  kind: QlvbPushKind;
  idempotencyKey: string;
  bytes: number;
  sha256: string;
  /** True when this answer replays the result of an earlier request with the same key. */
  duplicate: boolean;
  receivedAt: string;
}

export interface QlvbPushErrorBody {
  code: string;
  message: string;
}
