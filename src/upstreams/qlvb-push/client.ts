// The bus side of QLVB push: POSTs an edXML package or status packet to a district endpoint with a bearer token and Idempotency-Key.
import axios, { type AxiosInstance } from 'axios';
import { createHash } from 'node:crypto';
import type { Agent as HttpAgent } from 'node:http';
import { HttpCallError, toHttpCallError, type BodyCodeReader } from '../http-kit/http-call-error';
import { QLVB_HEADERS, QLVB_PUSH_PATHS, type QlvbPushKind, type QlvbPushReceipt, type QlvbPushRouting } from './protocol';

export class QlvbPushError extends HttpCallError {
  override readonly name = 'QlvbPushError';
}

export interface QlvbPushClientConfig {
  /** Base URL of the district endpoint. */
  endpoint: string;
  /** Bearer token the district issued to the bus. */
  token: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  httpAgent?: HttpAgent;
}

export interface QlvbPushInput {
  /** The bus message id; the endpoint applies a key at most once. */
  idempotencyKey: string;
  /** Opaque edXML bytes; a string is sent as UTF-8. */
  content: Buffer | string;
  routing?: QlvbPushRouting;
}

export interface QlvbPushOptions {
  /** Aborting it cancels the HTTP request at once. */
  signal?: AbortSignal;
}

const readQlvbErrorBody: BodyCodeReader = (body) => {
  if (!body || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  return {
    code: typeof record.code === 'string' ? record.code : undefined,
    message: typeof record.message === 'string' ? record.message : undefined,
  };
};

export class QlvbPushClient {
  private readonly http: AxiosInstance;

  constructor(config: QlvbPushClientConfig) {
    this.http = axios.create({
      baseURL: config.endpoint.replace(/\/+$/, ''),
      timeout: config.timeoutMs ?? 60_000,
      maxRedirects: 0,
      maxBodyLength: Infinity,
      maxContentLength: config.maxResponseBytes ?? 1024 * 1024,
      responseType: 'json',
      httpAgent: config.httpAgent,
      headers: { Authorization: `Bearer ${config.token}` },
    });
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
      throw new QlvbPushError({ code: 'QLVB_BAD_REQUEST', message: 'idempotencyKey is required', status: null, transient: false });
    }
    const bytes = Buffer.isBuffer(input.content) ? input.content : Buffer.from(input.content, 'utf8');
    const headers: Record<string, string> = {
      'Content-Type': 'application/xml',
      'Content-Length': String(bytes.length),
      [QLVB_HEADERS.idempotencyKey]: input.idempotencyKey,
      [QLVB_HEADERS.sha256]: createHash('sha256').update(bytes).digest('hex'),
    };
    const routing = input.routing ?? {};
    if (routing.fromOrgan) headers[QLVB_HEADERS.fromOrgan] = routing.fromOrgan;
    if (routing.toOrgan) headers[QLVB_HEADERS.toOrgan] = routing.toOrgan;
    if (routing.documentId) headers[QLVB_HEADERS.documentId] = encodeURIComponent(routing.documentId);
    if (routing.statusCode) headers[QLVB_HEADERS.statusCode] = routing.statusCode;
    let receipt: QlvbPushReceipt;
    try {
      receipt = (await this.http.post<QlvbPushReceipt>(QLVB_PUSH_PATHS[kind], bytes, { headers, signal: options.signal })).data;
    } catch (error) {
      throw toHttpCallError(error, 'QLVB', readQlvbErrorBody, (init) => new QlvbPushError(init));
    }
    if (!receipt || typeof receipt !== 'object' || typeof receipt.receiptId !== 'string') {
      throw new QlvbPushError({ code: 'QLVB_BAD_RESPONSE', message: 'the endpoint answered without a receipt', status: 200, transient: false });
    }
    return receipt;
  }
}
