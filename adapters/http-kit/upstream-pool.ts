// One keep-alive connection pool to an upstream's origin, on undici. The bus's hot upstream calls (DVCQG, the
// population database) go through it: measured here, a JSON POST round trip costs about half the CPU it costs
// through axios. Answers are read whole, up to a cap, and never follow redirects.
import { Pool } from 'undici';

export interface UpstreamPoolOptions {
  /** Origin plus an optional path prefix, e.g. https://adapter.example/lgsp; request paths are appended. */
  baseUrl: string;
  /** Sent with every request. */
  headers: Record<string, string>;
  /** Ceiling of one call, from the first byte sent to the last byte of the answer read. */
  timeoutMs: number;
  /** Largest answer body read; a larger one fails the call (ANSWER_TOO_LARGE). Default 16 MiB. */
  maxAnswerBytes?: number;
  /** Connections kept to the origin; default 64. */
  connections?: number;
}

export interface UpstreamAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/** Why no answer arrived: our timeout, the caller's signal, or the network (with its code). */
export class UpstreamTransportError extends Error {
  override readonly name = 'UpstreamTransportError';
  constructor(
    readonly reason: 'timeout' | 'aborted' | 'network' | 'answer-too-large',
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason} (${code})`, options);
  }
}

export class UpstreamPool {
  private readonly pool: Pool;
  private readonly pathPrefix: string;
  private readonly maxAnswerBytes: number;

  constructor(private readonly options: UpstreamPoolOptions) {
    const url = new URL(options.baseUrl);
    this.pool = new Pool(url.origin, { connections: options.connections ?? 64 });
    this.pathPrefix = url.pathname.replace(/\/+$/, '');
    this.maxAnswerBytes = options.maxAnswerBytes ?? 16 * 1024 * 1024;
  }

  /** POSTs `body`; resolves with any HTTP answer, rejects with UpstreamTransportError only when none arrived. */
  async post(path: string, body: string | Buffer, signal?: AbortSignal, headers?: Record<string, string>): Promise<UpstreamAnswer> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const answer = await this.pool.request({
        method: 'POST',
        path: this.pathPrefix + path,
        headers: headers ? { ...this.options.headers, ...headers } : this.options.headers,
        body,
        signal: combined,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > this.maxAnswerBytes) {
          answer.body.destroy();
          throw new UpstreamTransportError('answer-too-large', 'ANSWER_TOO_LARGE');
        }
        chunks.push(chunk);
      }
      const contentType = answer.headers['content-type'];
      return { status: answer.statusCode, contentType: typeof contentType === 'string' ? contentType : '', body: Buffer.concat(chunks, size) };
    } catch (error) {
      if (error instanceof UpstreamTransportError) throw error;
      if (signal?.aborted) throw new UpstreamTransportError('aborted', 'ABORTED', { cause: error });
      if (timeout.aborted) throw new UpstreamTransportError('timeout', 'TIMEOUT', { cause: error });
      const code = (error as { code?: unknown }).code;
      throw new UpstreamTransportError('network', typeof code === 'string' ? code : 'NETWORK_ERROR', { cause: error });
    }
  }

  /** Closes the idle connections; calls still running finish first. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
