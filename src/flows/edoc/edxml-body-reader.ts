// Reads an edXML request body (REST or SOAP) into one Buffer under a byte cap. Each piece is copied as it arrives into a
// buffer of the declared length, so no copy of the whole body is made at its end (express.raw joins the pieces: 50 MB
// in one copy held the event loop ~200 ms). A body of unknown length (chunked) is gathered and joined once, at most
// the cap. Errors carry the status and type raw-body gives them, for the error handlers that answer them.
import type { RequestHandler } from 'express';

class BodyReadError extends Error {
  constructor(
    readonly status: 400 | 413,
    readonly type: 'entity.too.large' | 'request.aborted',
    message: string,
    readonly limit?: number,
  ) {
    super(message);
  }
}

export function readEdxmlBody(maxBytes: number): RequestHandler {
  return (req, _res, next) => {
    const length = req.headers['content-length'];
    if (length === undefined && req.headers['transfer-encoding'] === undefined) {
      req.body = Buffer.alloc(0);
      return next();
    }
    const declared = length === undefined ? undefined : Number(length);
    if (declared !== undefined && declared > maxBytes) return next(new BodyReadError(413, 'entity.too.large', 'request entity too large', maxBytes));
    // Not filled (nor resident) until the bytes arrive; the large-body caps bound how many are open.
    const whole = declared === undefined ? undefined : Buffer.allocUnsafe(declared);
    const pieces: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (error?: BodyReadError) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      if (error) return next(error);
      req.body = whole ?? Buffer.concat(pieces, received);
      next();
    };
    const onData = (chunk: Buffer) => {
      if (whole) {
        received += chunk.copy(whole, received);
        return;
      }
      received += chunk.length;
      if (received > maxBytes) return settle(new BodyReadError(413, 'entity.too.large', 'request entity too large', maxBytes));
      pieces.push(chunk);
    };
    // The HTTP parser ends a body at its Content-Length; a connection closed before that ends nothing.
    const onEnd = () => settle();
    const onClose = () => settle(new BodyReadError(400, 'request.aborted', 'request aborted'));
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
  };
}
