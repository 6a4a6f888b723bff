// Client for the national document axis (VXP-style): sendEdoc, getReceivedEdocList, getEdoc, updateStatus, getSentEdocList.
import type { Readable } from 'node:stream';
import type { components } from '../../../contracts/generated/document-axis';
import { jsonOrText } from '../http-kit/answer-body';
import { prefixedNoAnswerCodes, noAnswerFailure } from '../http-kit/transport-failure';
import { httpStatusError } from '../http-kit/upstream-error';
import { UpstreamPool, type UpstreamAnswer } from '../http-kit/upstream-pool';
import { DocumentAxisError, readAxisErrorBody } from './errors';
import { fileHashHex, sha256, signAxisRequest, type SignatureKeyOrder, type SignedPair } from './signing';

export type AxisResult = components['schemas']['AxisResult'];
export type SendEdocResponse = components['schemas']['SendEdocResponse'];
export type ReceivedEdocListResponse = components['schemas']['ReceivedEdocListResponse'];
export type ReceivedEdocItem = components['schemas']['ReceivedEdocItem'];
export type GetEdocResponse = components['schemas']['GetEdocResponse'];
export type SentEdocListResponse = components['schemas']['SentEdocListResponse'];
export type SentEdocItem = components['schemas']['SentEdocItem'];
export type AxisServiceType = components['schemas']['ServiceType'];
export type AxisMessageType = components['schemas']['MessageType'];
export type AxisReceiveStatus = components['schemas']['ReceiveStatus'];

export interface DocumentAxisClientConfig {
  /** Base URL of the axis; operation paths are appended (…/sendEdoc). */
  endpoint: string;
  /** Mã trung tâm liên thông. */
  systemId: string;
  secret: string;
  /** Ceiling of one call, from the first byte sent to the last byte read; the bus breaker should still pass an AbortSignal. Default 60 s. */
  timeoutMs?: number;
  /** Largest answer accepted (getEdoc returns base64 JSON, about 4/3 of the file). Default 128 MiB. */
  maxResponseBytes?: number;
  /** Order of pairs in the signed JSON; default 'java-hashmap' as the SDK produces. */
  keyOrder?: SignatureKeyOrder;
  /** XroadVnpt-hash-file form: standard 'hex' (default) or the SDK's 'java-sdk' form without leading zeros. */
  hashFileForm?: 'hex' | 'java-sdk';
  /** Keep-alive connections kept to the axis; default 64. */
  connections?: number;
}

export interface CallOptions {
  /** Aborting it cancels the HTTP request at once (the breaker's timeout uses this). */
  signal?: AbortSignal;
}

/** A package already streaming from disk or elsewhere; its SHA-256 must be known before sending. */
export interface EdocStream {
  stream: Readable;
  /** Lower-case hex SHA-256 of the whole stream. */
  sha256Hex: string;
  /** Byte length, sent as Content-Length when known. */
  size?: number;
}

export interface SendEdocInput {
  /** Organ id of the sender. */
  from: string;
  /** Organ ids of the recipients. */
  to: readonly string[];
  /** The edXML package, opaque here; a string is sent as UTF-8. */
  content: Buffer | string | EdocStream;
  serviceType?: AxisServiceType;
  messageType?: AxisMessageType;
}

export interface ReceivedListFilter {
  serviceType?: AxisServiceType;
  messageType?: AxisMessageType;
}

export interface FetchedEdoc {
  docId: string;
  /** The decoded edXML bytes. */
  content: Buffer;
}

const JSON_TYPE = 'application/json';
const OCTET_TYPE = 'application/octet-stream';
const NO_ANSWER_CODES = prefixedNoAnswerCodes('AXIS');

export class DocumentAxisClient {
  private readonly http: UpstreamPool;

  constructor(private readonly config: DocumentAxisClientConfig) {
    // No redirects: the signed call goes to the configured host or fails.
    this.http = new UpstreamPool({
      baseUrl: config.endpoint,
      upstream: 'document-axis',
      timeoutMs: config.timeoutMs ?? 60_000,
      maxAnswerBytes: config.maxResponseBytes ?? 128 * 1024 * 1024,
      connections: config.connections,
    });
  }

  /** Closes the idle connections to the axis; calls still running finish first. */
  close(): Promise<void> {
    return this.http.close();
  }

  /** Sends one package to every organ in `to`; returns the axis doc id. */
  async sendEdoc(input: SendEdocInput, options: CallOptions = {}): Promise<string> {
    if (input.to.length === 0) throw this.usageError('sendEdoc needs at least one recipient');
    const { body, hashHex, size } = this.prepareBody(input.content);
    const params: SignedPair[] = [
      ['from', input.from],
      ['to', JSON.stringify(input.to)],
      ['servicetype', input.serviceType ?? 'eDoc'],
      ['messagetype', input.messageType ?? 'edoc'],
      ['hash-file', hashHex],
    ];
    const extra: Record<string, string> = size === undefined ? {} : { 'Content-Length': String(size) };
    const answer = await this.call<SendEdocResponse>('/sendEdoc', OCTET_TYPE, params, options, body, extra);
    if (typeof answer.DocId !== 'string' || answer.DocId === '') {
      throw new DocumentAxisError({ kind: 'protocol', code: 'AXIS_BAD_RESPONSE', message: 'sendEdoc answer has no DocId', status: 200 });
    }
    return answer.DocId;
  }

  /** What waits in this system's inbox: documents (default) or, with serviceType 'status', status packets. */
  async getReceivedEdocList(filter: ReceivedListFilter = {}, options: CallOptions = {}): Promise<ReceivedEdocItem[]> {
    const serviceType = filter.serviceType ?? 'eDoc';
    const params: SignedPair[] = [
      ['servicetype', serviceType],
      ['messagetype', filter.messageType ?? (serviceType === 'status' ? 'status' : 'edoc')],
    ];
    const answer = await this.call<ReceivedEdocListResponse>('/getReceivedEdocList', JSON_TYPE, params, options);
    return Array.isArray(answer.data) ? answer.data : [];
  }

  /** Fetches one package and decodes its base64 `data`. */
  async getEdoc(docId: string, options: CallOptions = {}): Promise<FetchedEdoc> {
    const params: SignedPair[] = [['docId', docId]];
    const answer = await this.call<GetEdocResponse>('/getEdoc', JSON_TYPE, params, options);
    if (typeof answer.data !== 'string') {
      throw new DocumentAxisError({ kind: 'protocol', code: 'AXIS_BAD_RESPONSE', message: 'getEdoc answer has no data', status: 200 });
    }
    return { docId, content: Buffer.from(answer.data, 'base64') };
  }

  /** Reports this system's receive status for a package; the axis forwards it to the sender. */
  async updateStatus(docId: string, status: AxisReceiveStatus, options: CallOptions = {}): Promise<void> {
    const params: SignedPair[] = [['status', status], ['docId', docId]];
    await this.call<AxisResult>('/updateStatus', JSON_TYPE, params, options);
  }

  /** Status retrieval for the sender: one row per (sent package, recipient). */
  async getSentEdocList(filter: ReceivedListFilter = {}, options: CallOptions = {}): Promise<SentEdocItem[]> {
    const params: SignedPair[] = [
      ['servicetype', filter.serviceType ?? 'eDoc'],
      ['messagetype', filter.messageType ?? 'edoc'],
    ];
    const answer = await this.call<SentEdocListResponse>('/getSentEdocList', JSON_TYPE, params, options);
    return Array.isArray(answer.data) ? answer.data : [];
  }

  /**
   * For a sendEdoc whose answer never came: true when the axis's sent list shows this file (by its SHA-256) sent from
   * `from` to `to`. False when it does not, or when this axis does not list file hashes (then only sending again is
   * safe).
   */
  async hasSent(input: { from: string; to: string; sha256Hex: string; serviceType: AxisServiceType; messageType: AxisMessageType }, options: CallOptions = {}): Promise<boolean> {
    const rows = await this.getSentEdocList({ serviceType: input.serviceType, messageType: input.messageType }, options);
    return rows.some((row) => row.fromCode === input.from && row.toCode === input.to && row.fileHash === input.sha256Hex);
  }

  private prepareBody(content: SendEdocInput['content']): { body: Buffer | Readable; hashHex: string; size?: number } {
    const form = this.config.hashFileForm ?? 'hex';
    if (Buffer.isBuffer(content) || typeof content === 'string') {
      // A Buffer goes out as is (no copy); a string is encoded once.
      const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
      return { body: bytes, hashHex: fileHashHex(sha256(bytes), form), size: bytes.length };
    }
    const hashHex = form === 'hex' ? content.sha256Hex : fileHashHex(Buffer.from(content.sha256Hex, 'hex'), form);
    return { body: content.stream, hashHex, size: content.size };
  }

  private async call<T extends AxisResult>(
    path: string,
    contentType: string,
    params: SignedPair[],
    options: CallOptions,
    body?: Buffer | Readable,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    const headers = {
      ...signAxisRequest({
        systemId: this.config.systemId,
        secret: this.config.secret,
        contentType,
        params,
        options: { keyOrder: this.config.keyOrder },
      }),
      ...extraHeaders,
    };
    let reply: UpstreamAnswer;
    try {
      reply = await this.http.post(path, body ?? '', { signal: options.signal, headers });
    } catch (error) {
      throw new DocumentAxisError(noAnswerFailure(error, NO_ANSWER_CODES, path));
    }
    if (reply.body === null) {
      throw new DocumentAxisError({ kind: 'protocol', code: 'AXIS_BAD_RESPONSE', message: `${path} answered more than the answer cap`, status: reply.status });
    }
    const data = jsonOrText(reply.body);
    if (reply.status < 200 || reply.status >= 300) {
      throw new DocumentAxisError(httpStatusError(reply.status, 'AXIS', readAxisErrorBody(data)));
    }
    const answer = data as T | null;
    if (!answer || typeof answer !== 'object' || typeof answer.ErrorCode !== 'string') {
      throw new DocumentAxisError({ kind: 'protocol', code: 'AXIS_BAD_RESPONSE', message: `${path} answered without ErrorCode`, status: reply.status });
    }
    if (answer.ErrorCode !== '0') {
      throw new DocumentAxisError({
        kind: 'refused',
        code: `AXIS_ERROR_${answer.ErrorCode}`,
        message: answer.ErrorDesc || `${path} failed with ErrorCode ${answer.ErrorCode}`,
        status: reply.status,
      });
    }
    return answer;
  }

  private usageError(message: string): DocumentAxisError {
    return new DocumentAxisError({ kind: 'refused', code: 'AXIS_BAD_REQUEST', message });
  }
}
