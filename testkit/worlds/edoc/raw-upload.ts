// An HTTP upload over a raw socket, sent in parts: headers (and some of the body) now, the rest when the test says,
// so a test can hold a body in flight. Asks the bus to close the connection after its answer, which ends the upload.
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  /** The body as received (a chunked answer keeps its chunk framing). */
  body: string;
}

export interface RawUpload {
  /** Waits for an answer without sending more (a refusal at the door comes before the body). */
  answer(): Promise<RawAnswer>;
  /** Sends the rest of the body; resolves with the answer. */
  finish(): Promise<RawAnswer>;
  /** Drops the connection mid-upload, as a client that goes away. */
  abort(): void;
}

/**
 * Opens the upload: request line and headers with Content-Length (or chunked when `chunked`), then the first `sentNow`
 * bytes of the body, and holds it there. Once the test waits for the answer, none within `patienceMs` fails the upload
 * instead of hanging the test.
 */
export function rawUpload(
  baseUrl: string,
  pathname: string,
  headers: Record<string, string>,
  body: Buffer,
  options: { sentNow?: number; chunked?: boolean; patienceMs?: number } = {},
): RawUpload {
  const url = new URL(baseUrl);
  const sentNow = Math.min(options.sentNow ?? 0, body.length);
  const frame = (part: Buffer) => (options.chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]) : part);
  const socket = connect(Number(url.port), url.hostname);
  let received = '';
  let fail: (error: Error) => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      socket.destroy();
      fail(new Error(`no answer from ${pathname}: ${received.slice(0, 200)}`));
    }, options.patienceMs ?? 15_000);
  };
  const answered = new Promise<RawAnswer>((resolve, reject) => {
    fail = reject;
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    // The bus may close as it answers (a refusal at the door) while body bytes are still going out.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(received);
      if (!match) return reject(new Error(`no HTTP answer from ${pathname}: ${received.slice(0, 200)}`));
      const parsed: Record<string, string> = {};
      for (const line of match[2]!.split('\r\n')) {
        const colon = line.indexOf(':');
        parsed[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(match[1]), headers: parsed, body: match[3]! });
    });
  });
  // Seen as handled here: an upload the test drops has no answer, and whoever waits for one still gets the failure.
  answered.catch(() => undefined);
  // Written at once: the socket keeps them in order until it is connected.
  const head = [
    `POST ${pathname} HTTP/1.1`,
    `Host: ${url.host}`,
    'Connection: close',
    options.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(`${head.join('\r\n')}\r\n\r\n`);
  if (sentNow > 0) socket.write(frame(body.subarray(0, sentNow)));
  return {
    answer() {
      arm();
      return answered;
    },
    finish() {
      if (sentNow < body.length) socket.write(frame(body.subarray(sentNow)));
      if (options.chunked) socket.write('0\r\n\r\n');
      arm();
      return answered;
    },
    abort() {
      socket.destroy();
    },
  };
}
