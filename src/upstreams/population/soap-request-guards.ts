// Express middleware that stands in front of a `soap` server: caps and buffers the body, refuses compression and DOCTYPEs.
import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { hasDtdDeclaration } from './dtd-declaration';

/** A SOAP 1.1 Fault envelope; faultstring must never carry personal data. */
export function soapFaultEnvelope(faultCode: 'Client' | 'Server' | string, faultString: string): string {
  const escaped = faultString.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
    `<faultcode>soap:${faultCode}</faultcode><faultstring>${escaped}</faultstring>` +
    '</soap:Fault></soap:Body></soap:Envelope>'
  );
}

function sendFault(res: Response, status: number, faultCode: string, faultString: string): void {
  res.status(status).type('text/xml; charset=utf-8').send(soapFaultEnvelope(faultCode, faultString));
}

export interface SoapRequestGuardOptions {
  /** Largest accepted request body in bytes; default 256 KiB. */
  maxBodyBytes?: number;
}

/**
 * Returns the middleware chain to mount on the SOAP path before `soap.listen`: the `soap` server reads
 * whole bodies and gunzips without a cap, but uses `req.body` when it is already a Buffer.
 */
export function soapRequestGuards(options: SoapRequestGuardOptions = {}): RequestHandler[] {
  const limit = options.maxBodyBytes ?? 256 * 1024;
  const onlyPostBodies: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') return sendFault(res, 415, 'Client', 'Content-Encoding is not accepted');
    next();
  };
  const bufferBody = express.raw({ type: () => true, limit, inflate: false });
  const inspectBody: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) return sendFault(res, 400, 'Client', 'Empty request body');
    if (hasDtdDeclaration(body.toString('utf8'))) return sendFault(res, 400, 'Client', 'DOCTYPE is not allowed in SOAP messages');
    next();
  };
  return [onlyPostBodies, bufferBody, inspectBody];
}

/** Turns body-parser errors (413, 400…) into SOAP faults instead of express's HTML page with a stack. */
export const soapGuardErrorHandler: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
  if (status === 413) return sendFault(res, 413, 'Client', 'Request body too large');
  if (status >= 400 && status < 500) return sendFault(res, status, 'Client', 'Request could not be read');
  return sendFault(res, 500, 'Server', 'Internal error');
};
