// Bench stand-in of a district QLVB push endpoint (src/upstreams/qlvb-push/protocol.ts): bearer token and
// Idempotency-Key checked, the body counted rather than kept or hashed, a receipt per key (a repeated key replays it).
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { QLVB_HEADERS, QLVB_PUSH_PATHS, type QlvbPushKind, type QlvbPushReceipt } from '../../src/upstreams/qlvb-push/protocol';
import { jsonAnswer, type PreparedAnswer } from './prepared-answer';

const KINDS = new Map<string, QlvbPushKind>(Object.entries(QLVB_PUSH_PATHS).map(([kind, path]) => [path, kind as QlvbPushKind]));

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export class QlvbPushStandIn {
  private readonly bearer: string;
  private readonly unauthorised = jsonAnswer(401, { code: 'QLVB_UNAUTHORIZED', message: 'missing or wrong bearer token' });
  private readonly noKey = jsonAnswer(400, { code: 'QLVB_IDEMPOTENCY_KEY_REQUIRED', message: 'the Idempotency-Key header is required' });
  private readonly empty = jsonAnswer(400, { code: 'QLVB_EMPTY_PACKAGE', message: 'the package is empty' });
  private readonly notFound = jsonAnswer(404, { code: 'QLVB_NOT_FOUND', message: 'no such path' });
  private readonly receipts = new Map<string, QlvbPushReceipt>();

  constructor(token: string) {
    this.bearer = `Bearer ${token}`;
  }

  /** Packages and status packets applied (one per Idempotency-Key). */
  get appliedCount(): number {
    return this.receipts.size;
  }

  /**
   * One push of `bytes` body bytes. The receipt carries the sender's declared SHA-256: the stand-in does not hash
   * the package (the bus's client computed it; hashing here would only add the stand-in's own cost).
   */
  answer(path: string, headers: IncomingHttpHeaders, bytes: number): { kind: string; answer: PreparedAnswer } {
    const kind = KINDS.get(path);
    if (kind === undefined) return { kind: 'unknown', answer: this.notFound };
    if (single(headers, 'authorization') !== this.bearer) return { kind, answer: this.unauthorised };
    const key = single(headers, QLVB_HEADERS.idempotencyKey);
    if (!key) return { kind, answer: this.noKey };
    if (bytes === 0) return { kind, answer: this.empty };
    const earlier = this.receipts.get(key);
    if (earlier) return { kind, answer: jsonAnswer(200, { ...earlier, duplicate: true }) };
    const receipt: QlvbPushReceipt = {
      receiptId: randomUUID(),
      kind,
      idempotencyKey: key,
      bytes,
      sha256: single(headers, QLVB_HEADERS.sha256) ?? '',
      duplicate: false,
      receivedAt: new Date().toISOString(),
    };
    this.receipts.set(key, receipt);
    return { kind, answer: jsonAnswer(200, receipt) };
  }
}
