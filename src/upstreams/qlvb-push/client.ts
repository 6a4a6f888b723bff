// The bus side of QLVB push: POSTs an edXML package or status packet to a district endpoint with a bearer token and Idempotency-Key.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { jsonOrText } from '../http-kit/answer-body';
import { noAnswerFailure, prefixedNoAnswerCodes } from '../http-kit/transport-failure';
import { httpStatusError, UpstreamError } from '../http-kit/upstream-error';
import { UpstreamPool, type UpstreamAnswer } from '../http-kit/upstream-pool';
import { QLVB_HEADERS, QLVB_PUSH_PATHS, type QlvbPushKind, type QlvbPushReceipt, type QlvbPushRouting } from './protocol';

export class QlvbPushError extends UpstreamError {
  override name = 'QlvbPushError';
}

export interface QlvbPushClientConfig {
  /** Base URL of the district endpoint. */
  endpoint: string;
  /** Bearer token the district issued to the bus. */
  token: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Keep-alive connections kept to the endpoint; default 64. */
  connections?: number;
}

export interface QlvbPushInput {
  /** The bus message id; the endpoint applies a key at most once. */
  idempotencyKey: string;
  /** Opaque edXML bytes; a string is sent as UTF-8; a stream is sent as it reads (its hash and length known before). */
  content: Buffer | string | QlvbStreamedContent;
  routing?: QlvbPushRouting;
}

/** Package bytes streamed from where they are kept, so no copy of the whole package is held for the call. */
export interface QlvbStreamedContent {
  stream: Readable;
  /** Lower-case hex SHA-256 of the whole stream. */
  sha256Hex: string;
  /** Its length in bytes. */
  size: number;
}

export interface QlvbPushOptions {
  /** Aborting it cancels the HTTP request at once. */
  signal?: AbortSignal;
}

function readQlvbErrorBody(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  return {
    code: typeof record.code === 'string' ? record.code : undefined,
    message: typeof record.message === 'string' ? record.message : undefined,
  };
}

const NO_ANSWER_CODES = prefixedNoAnswerCodes('QLVB');

export class QlvbPushClient {
  private readonly http: UpstreamPool;

  constructor(config: QlvbPushClientConfig) {
    // No redirects: the bearer token goes to the configured host only.
    this.http = new UpstreamPool({
      baseUrl: config.endpoint,
      upstream: 'qlvb-push',
      timeoutMs: config.timeoutMs ?? 60_000,
      maxAnswerBytes: config.maxResponseBytes ?? 1024 * 1024,
      connections: config.connections,
      headers: { Authorization: `Bearer ${config.token}` },
    });
  }

  /** Closes the idle connections to the endpoint; calls still running finish first. */
  close(): Promise<void> {
    return this.http.close();
  }

  /** Pushes a document package to the district QLVB. */
  pushEdoc(input: QlvbPushInput, options: QlvbPushOptions = {}): Promise<QlvbPushReceipt> {
    return this.push('edoc', input, options);
  }

  /** Pushes a status packet (gói tin trạng thái) to the district QLVB. */
  pushStatus(input: QlvbPushInput, options: QlvbPushOptions = {}): Promise<QlvbPushReceipt> {
    return this.push('status', input, options);
  }

  private async push(kind: QlvbPushKind, input: QlvbPushInput, options: QlvbPushOptions): Promise<QlvbPushReceipt> {
    if (!input.idempotencyKey) {
      throw new QlvbPushError({ kind: 'refused', code: 'QLVB_BAD_REQUEST', message: 'idempotencyKey is required' });
    }
    const { body, size, sha256Hex } = bodyOf(input.content);
    const headers: Record<string, string> = {
      'Content-Type': 'application/xml',
      'Content-Length': String(size),
      [QLVB_HEADERS.idempotencyKey]: input.idempotencyKey,
      [QLVB_HEADERS.sha256]: sha256Hex,
    };
    const routing = input.routing ?? {};
    if (routing.fromOrgan) headers[QLVB_HEADERS.fromOrgan] = routing.fromOrgan;
    if (routing.toOrgan) headers[QLVB_HEADERS.toOrgan] = routing.toOrgan;
    if (routing.documentId) headers[QLVB_HEADERS.documentId] = encodeURIComponent(routing.documentId);
    if (routing.statusCode) headers[QLVB_HEADERS.statusCode] = routing.statusCode;
    let reply: UpstreamAnswer;
    try {
      reply = await this.http.post(QLVB_PUSH_PATHS[kind], body, { headers, signal: options.signal });
    } catch (error) {
      throw new QlvbPushError(noAnswerFailure(error, NO_ANSWER_CODES, `push ${kind}`));
    }
    if (reply.body === null) {
      throw new QlvbPushError({ kind: 'protocol', code: 'QLVB_BAD_RESPONSE', message: 'the endpoint answered more than the answer cap', status: reply.status });
    }
    const data = jsonOrText(reply.body);
    if (reply.status < 200 || reply.status >= 300) throw new QlvbPushError(httpStatusError(reply.status, 'QLVB', readQlvbErrorBody(data)));
    const receipt = data as QlvbPushReceipt | null;
    if (!receipt || typeof receipt !== 'object' || typeof receipt.receiptId !== 'string') {
      throw new QlvbPushError({ kind: 'protocol', code: 'QLVB_BAD_RESPONSE', message: 'the endpoint answered without a receipt', status: reply.status });
    }
    return receipt;
  }
}

function bodyOf(content: QlvbPushInput['content']): { body: Buffer | Readable; size: number; sha256Hex: string } {
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    return { body: bytes, size: bytes.length, sha256Hex: createHash('sha256').update(bytes).digest('hex') };
  }
  return { body: content.stream, size: content.size, sha256Hex: content.sha256Hex };
}
