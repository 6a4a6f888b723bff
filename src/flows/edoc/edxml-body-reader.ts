// Reads an edXML request body (REST or SOAP) into one Buffer under a byte cap. Each piece is copied as it arrives into a
// buffer of the declared length, so no copy of the whole body is made at its end (express.raw joins the pieces: 50 MB
// in one copy held the event loop ~200 ms). A body of unknown length (chunked) is gathered and joined once, at most
// the cap. A large body (as the large-body gate counts them) goes to a spool file instead and is read back when a
// processing turn is free (body-spool.ts). Errors carry the status and type raw-body gives them, for the error
// handlers that answer them.
import type { Request, RequestHandler, Response } from 'express';
import type { BodySpool, SpoolFile } from './body-spool';
import type { LargeBodyGate } from './large-body-gate';
import type { Logger } from '../../observability/logger';

/** The error type of a large body the bus could not hold on its disk: answered 503 STORE_UNAVAILABLE, sent again later. */
export const SPOOL_UNAVAILABLE = 'spool.unavailable';

class BodyReadError extends Error {
  constructor(
    readonly status: 400 | 413 | 503,
    /** SPOOL_UNAVAILABLE: a large body could not be written to or read from its spool file (a full or broken disk). */
    readonly type: 'entity.too.large' | 'request.aborted' | typeof SPOOL_UNAVAILABLE,
    message: string,
    readonly limit?: number,
  ) {
    super(message);
  }
}

/** Large bodies (`gate.isLarge`) are spooled to disk when a spool is given; others are read into memory. */
export interface LargeBodySpooling {
  gate: LargeBodyGate;
  spool: BodySpool;
  /** Hears why a body could not be spooled (the sender is answered 503 STORE_UNAVAILABLE). */
  logger: Logger;
}

export function readEdxmlBody(maxBytes: number, spooling?: LargeBodySpooling): RequestHandler {
  return (req, res, next) => {
    const length = req.headers['content-length'];
    if (length === undefined && req.headers['transfer-encoding'] === undefined) {
      req.body = Buffer.alloc(0);
      return next();
    }
    const declared = length === undefined ? undefined : Number(length);
    if (declared !== undefined && declared > maxBytes) return next(new BodyReadError(413, 'entity.too.large', 'request entity too large', maxBytes));
    if (spooling?.gate.isLarge(declared)) {
      spooledBody(req, res, maxBytes, spooling.spool).then(
        (body) => {
          if (body === null) return;
          req.body = body;
          next();
        },
        (error: Error & { type?: string }) => {
          if (error.type === SPOOL_UNAVAILABLE) spooling.logger.error({ err: error.cause instanceof Error ? error.cause.message : String(error.cause) }, 'a large upload could not be spooled to disk');
          next(error);
        },
      );
      return;
    }
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

/**
 * Writes the body to a spool file as it arrives (the request paused while each piece is written, so a sender faster
 * than the disk waits instead of filling memory), then waits for a processing turn, held until the answer is finished
 * or the connection closes, and reads the body back whole. Null when the connection closed while it waited: nobody is
 * left to answer.
 */
async function spooledBody(req: Request, res: Response, maxBytes: number, spool: BodySpool): Promise<Buffer | null> {
  let file: SpoolFile;
  try {
    file = await spool.open();
  } catch (error) {
    // The rest of the body is read and dropped, so the sender gets its answer instead of a reset connection.
    req.resume();
    throw spoolUnavailable(error);
  }
  try {
    await receiveInto(req, file, maxBytes).catch((error: Error) => {
      throw error instanceof BodyReadError ? error : spoolUnavailable(error);
    });
    const turn = await spool.turn();
    if (res.destroyed || res.writableEnded) {
      turn.release();
      return null;
    }
    res.once('finish', turn.release).once('close', turn.release);
    return await file.readWhole((bytes) => turn.bodyBuffer(bytes)).catch((error: Error) => {
      throw spoolUnavailable(error);
    });
  } finally {
    await file.discard();
  }
}

function spoolUnavailable(cause: unknown): BodyReadError {
  const error = new BodyReadError(503, SPOOL_UNAVAILABLE, 'the bus cannot hold a large upload on its disk now; send it again later');
  error.cause = cause;
  return error;
}

function receiveInto(req: Request, file: SpoolFile, maxBytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = 0;
    let settled = false;
    let writing: Promise<void> = Promise.resolve();
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      if (error) {
        // The rest of the body is read and dropped, so the sender gets its answer instead of a reset connection.
        req.resume();
        return reject(error);
      }
      resolve();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) return settle(new BodyReadError(413, 'entity.too.large', 'request entity too large', maxBytes));
      req.pause();
      writing = file.append(chunk).then(
        () => {
          if (!settled) req.resume();
        },
        (error: Error) => settle(error),
      );
    };
    let ended = false;
    // 'end' comes only once every piece was handed over, and each was handed over only once the one before was written.
    const onEnd = () => {
      ended = true;
      void writing.then(() => settle());
    };
    // A request also closes after its end; only a close before it is an abort.
    const onClose = () => {
      if (!ended) settle(new BodyReadError(400, 'request.aborted', 'request aborted'));
    };
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
  });
}
