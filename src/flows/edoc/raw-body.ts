// Reads an XML request body into one Buffer with its own size cap (only on the edXML endpoints), refusing compressed
// bodies (an inflated size has no cap) and non-XML media types before a byte is buffered.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError } from '../../http/errors';
import { readEdxmlBody, SPOOL_UNAVAILABLE, type LargeBodySpooling } from './edxml-body-reader';

const XML_TYPES = ['application/xml', 'text/xml', 'application/soap+xml'];

/** `beforeRead` runs once the headers passed and before a byte is read (the large-body admission). */
export function rawXmlBody(maxBytes: number, beforeRead: RequestHandler, spooling: LargeBodySpooling): RequestHandler[] {
  const checkHeaders = (req: Request, res: Response, next: NextFunction): void => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') return sendError(res, 'UNSUPPORTED_CONTENT_ENCODING', 'send the body uncompressed (Content-Encoding is refused)');
    if (!req.is(XML_TYPES)) return sendError(res, 'UNSUPPORTED_MEDIA_TYPE', 'send application/xml (or text/xml for SOAP)');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      res.setHeader('Connection', 'close');
      return sendError(res, 'PAYLOAD_TOO_LARGE', `edXML bodies are limited to ${maxBytes} bytes`);
    }
    next();
  };
  const read = readEdxmlBody(maxBytes, spooling);
  const tooLarge = (error: Error & { type?: string }, _req: Request, res: Response, next: NextFunction): void => {
    if (error.type === SPOOL_UNAVAILABLE) return sendError(res, 'STORE_UNAVAILABLE', error.message);
    if (error.type !== 'entity.too.large') return next(error);
    res.setHeader('Connection', 'close');
    sendError(res, 'PAYLOAD_TOO_LARGE', `edXML bodies are limited to ${maxBytes} bytes`);
  };
  return [checkHeaders, beforeRead, read, tooLarge as unknown as RequestHandler];
}
