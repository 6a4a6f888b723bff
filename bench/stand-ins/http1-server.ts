// The stand-ins' HTTP/1.1 server, on node:net: requests parsed per RFC 9112 (request line, header fields, a body by
// Content-Length or chunked transfer coding, pipelined requests answered in order), answered with prepared bytes in
// one write. node:http's own per-request work (IncomingMessage and ServerResponse streams, header objects, a socket
// timer per request) cost more than the stand-ins' answers themselves; here a call costs a parse of its head and one
// write. Connections stay open (`Keep-Alive: timeout=600`) so that the bus's pools never reconnect during a run.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { PreparedAnswer } from './prepared-answer';

export interface Http1Request {
  method: string;
  /** The request target as sent (origin form, e.g. `/integration`). */
  target: string;
  /** Header fields by lower-case name; a repeated field's values joined with ", " (RFC 9110 §5.3). */
  headers: Record<string, string>;
  /** The body's bytes (de-chunked) in the pieces they arrived in; read only by the handlers that need them. */
  body: Buffer[];
  bodyLength: number;
}

export type Http1Handler = (request: Http1Request) => PreparedAnswer;

/** The body as one Buffer (the arrived piece itself when it came in one). */
export function bodyBytes(request: Http1Request): Buffer {
  return request.body.length === 1 ? request.body[0]! : Buffer.concat(request.body, request.bodyLength);
}

/** An idle connection is closed after this long (up to a minute more); the Keep-Alive header tells clients so (undici keeps it 1 s less). */
const KEEP_ALIVE_S = 600;
/** Larger heads, and chunk-size lines, are refused (node:http's default head limit is 16 KiB). */
const MAX_HEAD_BYTES = 16 * 1024;
const MAX_CHUNK_LINE_BYTES = 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_TEXT: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed', 411: 'Length Required', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 501: 'Not Implemented' };

const isOptionalWhitespace = (code: number) => code === 32 || code === 9;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.([01])$/;
const DIGITS = /^\d+$/;
const HEX = /^[0-9A-Fa-f]+$/;

/**
 * The bytes of an answer: status line, Content-Type, Content-Length, Date, Keep-Alive (or Connection: close) and the
 * body, written with one write. An origin server with a clock sends Date (RFC 9110 §6.6.1), so the bytes of a prepared
 * answer are built again when the second changes.
 */
const wireCache = new WeakMap<PreparedAnswer, { second: number; bytes: Buffer }>();
function wireBytes(answer: PreparedAnswer, extraHeaders = ''): Buffer {
  const second = Math.floor(Date.now() / 1000);
  const cached = extraHeaders === '' ? wireCache.get(answer) : undefined;
  if (cached !== undefined && cached.second === second) return cached.bytes;
  const head =
    `HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? 'Unknown'}\r\n` +
    `Content-Type: ${answer.contentType}\r\nContent-Length: ${answer.body.length}\r\n` +
    `Date: ${new Date(second * 1000).toUTCString()}\r\n${extraHeaders === '' ? `Keep-Alive: timeout=${KEEP_ALIVE_S}\r\n` : extraHeaders}\r\n`;
  const bytes = Buffer.concat([Buffer.from(head, 'latin1'), answer.body]);
  if (extraHeaders === '') wireCache.set(answer, { second, bytes });
  return bytes;
}

const plainAnswer = (status: number, text: string): PreparedAnswer => ({ status, contentType: 'text/plain; charset=utf-8', body: Buffer.from(text) });
const NOT_POST = plainAnswer(405, 'the service takes POST only');

/** The reading of one connection: a head, then a body by length or in chunks, then the next request. */
type Reading = { at: 'head' } | { at: 'body'; remaining: number } | { at: 'chunk-size' } | { at: 'chunk-data'; remaining: number } | { at: 'chunk-end' } | { at: 'trailers' };

class Http1Connection {
  /** Bytes received and not consumed yet (a partial head or chunk-size line, or what follows a request). */
  private input: Buffer | null = null;
  private reading: Reading = { at: 'head' };
  private request: Http1Request | null = null;
  private closeAfter = false;
  private ended = false;
  /** When a request last arrived (Date.now()): the idle sweep closes the connection KEEP_ALIVE_S after it. */
  lastActiveMs = Date.now();

  constructor(
    readonly socket: Socket,
    private readonly handler: Http1Handler,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => socket.destroy());
  }

  private receive(chunk: Buffer): void {
    this.lastActiveMs = Date.now();
    this.input = this.input === null ? chunk : Buffer.concat([this.input, chunk]);
    while (this.input !== null && !this.ended && this.step()) {
      /* each step consumes a part of the input */
    }
  }

  /** Consumes what it can of the input; false when it needs more bytes. */
  private step(): boolean {
    const input = this.input!;
    switch (this.reading.at) {
      case 'head': {
        const end = input.indexOf(HEAD_END);
        if (end < 0) {
          if (input.length > MAX_HEAD_BYTES) this.refuse(431, 'the request head is too large');
          return false;
        }
        if (end > MAX_HEAD_BYTES) return this.refuse(431, 'the request head is too large');
        this.consume(end + 4);
        return this.startRequest(input, end);
      }
      case 'body':
      case 'chunk-data': {
        const take = Math.min(this.reading.remaining, input.length);
        this.request!.body.push(take === input.length ? input : input.subarray(0, take));
        this.request!.bodyLength += take;
        this.reading.remaining -= take;
        this.consume(take);
        if (this.reading.remaining > 0) return true;
        if (this.reading.at === 'body') this.answer();
        else this.reading = { at: 'chunk-end' };
        return true;
      }
      case 'chunk-end': {
        if (input.length < 2) return false;
        if (input[0] !== 13 || input[1] !== 10) return this.refuse(400, 'a chunk does not end with CRLF');
        this.consume(2);
        this.reading = { at: 'chunk-size' };
        return true;
      }
      case 'chunk-size':
      case 'trailers': {
        const end = input.indexOf(CRLF);
        if (end < 0) {
          if (input.length > MAX_CHUNK_LINE_BYTES) this.refuse(400, 'a chunk-size or trailer line is too long');
          return false;
        }
        const line = input.toString('latin1', 0, end);
        this.consume(end + 2);
        if (this.reading.at === 'trailers') {
          if (line === '') this.answer();
          else if (line.indexOf(':') <= 0) return this.refuse(400, 'a trailer field without a name');
          return true;
        }
        // chunk-size [ chunk-ext ]: the extensions are ignored, as RFC 9112 §7.1.1 allows.
        const semicolon = line.indexOf(';');
        const size = (semicolon < 0 ? line : line.slice(0, semicolon)).trimEnd();
        if (!HEX.test(size) || size.length > 8) return this.refuse(400, 'a chunk size that is not a hexadecimal number');
        const remaining = parseInt(size, 16);
        this.reading = remaining === 0 ? { at: 'trailers' } : { at: 'chunk-data', remaining };
        return true;
      }
    }
  }

  /** Parses the head in `input` up to `end` (its final CRLF CRLF) and sets how its body is read. */
  private startRequest(input: Buffer, end: number): boolean {
    // A server ought to ignore at least one empty line received before the request line (RFC 9112 §2.2).
    let start = 0;
    while (input[start] === 13 && input[start + 1] === 10) start += 2;
    const head = input.toString('latin1', start, end);
    const requestLineEnd = head.indexOf('\r\n');
    const requestLine = REQUEST_LINE.exec(requestLineEnd < 0 ? head : head.slice(0, requestLineEnd));
    if (requestLine === null) return this.refuse(400, 'not an HTTP/1.x request line');
    const headers: Record<string, string> = {};
    for (let from = requestLineEnd < 0 ? head.length : requestLineEnd + 2; from < head.length; ) {
      let lineEnd = head.indexOf('\r\n', from);
      if (lineEnd < 0) lineEnd = head.length;
      const colon = head.indexOf(':', from);
      // obs-fold (a line starting with whitespace) and whitespace before the colon fail the token test (RFC 9112 §5.1, §5.2).
      if (colon <= from || colon > lineEnd || !TOKEN.test(head.slice(from, colon))) return this.refuse(400, 'a malformed header field');
      let valueStart = colon + 1;
      let valueEnd = lineEnd;
      while (valueStart < valueEnd && isOptionalWhitespace(head.charCodeAt(valueStart))) valueStart++;
      while (valueEnd > valueStart && isOptionalWhitespace(head.charCodeAt(valueEnd - 1))) valueEnd--;
      const name = head.slice(from, colon).toLowerCase();
      const value = head.slice(valueStart, valueEnd);
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      from = lineEnd + 2;
    }
    const minor = requestLine[3]!;
    if (minor === '1' && headers.host === undefined) return this.refuse(400, 'an HTTP/1.1 request without Host');
    const connection = (headers.connection ?? '').toLowerCase();
    this.closeAfter = minor === '0' ? !/(^|,)\s*keep-alive\s*(,|$)/.test(connection) : /(^|,)\s*close\s*(,|$)/.test(connection);
    this.request = { method: requestLine[1]!, target: requestLine[2]!, headers, body: [], bodyLength: 0 };
    const transferEncoding = headers['transfer-encoding'];
    const contentLength = headers['content-length'];
    if (transferEncoding !== undefined) {
      // Both framings at once is a smuggling attempt or a broken client: refused (RFC 9112 §6.1).
      if (contentLength !== undefined) return this.refuse(400, 'both Transfer-Encoding and Content-Length');
      if (transferEncoding.toLowerCase() !== 'chunked') return this.refuse(501, 'a transfer coding other than chunked');
      this.reading = { at: 'chunk-size' };
      return true;
    }
    if (contentLength !== undefined && !DIGITS.test(contentLength)) return this.refuse(400, 'a Content-Length that is not one number');
    const length = contentLength === undefined ? 0 : Number(contentLength);
    if (length === 0) this.answer();
    else this.reading = { at: 'body', remaining: length };
    return true;
  }

  private answer(): void {
    const request = this.request!;
    this.request = null;
    this.reading = { at: 'head' };
    let answer: PreparedAnswer;
    try {
      answer = request.method === 'POST' ? this.handler(request) : NOT_POST;
    } catch (error) {
      answer = plainAnswer(500, `the stand-in failed: ${(error as Error).message}`);
    }
    if (this.closeAfter) this.finish(wireBytes(answer, 'Connection: close\r\n'));
    else this.socket.write(wireBytes(answer));
  }

  /** Answers a request it cannot read with `status`, then closes: what follows it on the connection is unreadable. */
  private refuse(status: number, why: string): false {
    this.finish(wireBytes(plainAnswer(status, why), 'Connection: close\r\n'));
    return false;
  }

  private finish(bytes: Buffer): void {
    this.ended = true;
    this.input = null;
    this.socket.end(bytes);
  }

  private consume(bytes: number): void {
    const input = this.input!;
    this.input = bytes >= input.length ? null : input.subarray(bytes);
  }
}

export interface Http1Server {
  server: Server;
  origin: string;
  /** Closes the listener and every connection. */
  close(): void;
}

/** Listens on 127.0.0.1 on a free port. */
export async function listenHttp1(handler: Http1Handler): Promise<Http1Server> {
  const connections = new Set<Http1Connection>();
  const server = createServer((socket) => {
    const connection = new Http1Connection(socket, handler);
    connections.add(connection);
    socket.once('close', () => connections.delete(connection));
  });
  // Idle connections are closed by a sweep once a minute rather than by a timer per socket, which node:net would move
  // on every read and write.
  const sweep = setInterval(() => {
    const idleSince = Date.now() - KEEP_ALIVE_S * 1000;
    for (const connection of connections) if (connection.lastActiveMs < idleSince) connection.socket.destroy();
  }, 60_000).unref();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      clearInterval(sweep);
      server.close();
      for (const connection of connections) connection.socket.destroy();
    },
  };
}
