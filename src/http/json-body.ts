// Reads a JSON request body under a byte cap, and names every way a body can be refused before it is parsed (wrong
// media type or charset, any Content-Encoding (an inflated size would escape the cap: a gzip bomb), a declared or
// streamed size over the cap, bytes that are not UTF-8 (body-parser would quietly turn them into U+FFFD), bad JSON)
// and right after: nesting deeper than MAX_JSON_DEPTH, text the text policy refuses (src/validation/text-policy.ts).
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { isUtf8 } from 'node:buffer';
import { jsonPointer, walkJson } from '../core/json-walk';
import type { FieldProblem } from '../core/field-problems';
import { printable, textViolation } from '../core/text-policy';
import type { ErrorCode } from '../core/errors';
import { sendError } from './errors';

export interface BodyRefusal {
  code: ErrorCode;
  message: string;
  details?: FieldProblem[];
}

/**
 * How deep a JSON body may nest arrays and objects (the outermost one is level 1). Dossiers nest fewer than 10
 * levels; 64 leaves generic payloads room, and bounds the work of every later walk over the body (NFC, digests,
 * masking, audit records, the transports' JSON.stringify, which does recurse).
 */
export const MAX_JSON_DEPTH = 64;

/** Bad strings named in one answer; a body with more gets the first ones. */
const MAX_NAMED_TEXT_PROBLEMS = 20;

/** Thrown by the parser's verify hook; body-parser keeps an error's own status and type. */
class BodyVerifyError extends Error {
  constructor(
    readonly status: 400 | 415,
    readonly type: 'entity.invalid.utf8' | 'charset.unsupported',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The content-type check and the capped parser for one JSON endpoint. Errors of the parser go on to the gateway's
 * error handler, which answers them with {@link bodyRefusalOf}.
 */
export function jsonBody(limitBytes: number): RequestHandler[] {
  const requireJson = (req: Request, res: Response, next: NextFunction): void => {
    if (!req.is('application/json')) return sendError(res, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');
    // body-parser would read (and drop) a declared oversize body to its end before answering.
    if (Number(req.headers['content-length'] ?? 0) > limitBytes) {
      res.setHeader('Connection', 'close');
      return sendError(res, 'PAYLOAD_TOO_LARGE', `bodies are limited to ${limitBytes} bytes here`);
    }
    next();
  };
  const parse = jsonParser(limitBytes);
  const inspect = (req: Request, res: Response, next: NextFunction): void => {
    const refusal = parsedBodyRefusal(req.body);
    if (!refusal) return next();
    sendError(res, refusal.code, refusal.message, refusal.details);
  };
  return [requireJson, parse, inspect];
}

/**
 * The capped JSON parser alone (UTF-8 only, no Content-Encoding), for a face that answers refusals in a format of its
 * own: its errors go to the next error handler, which reads them with {@link bodyRefusalOf}.
 */
export function jsonParser(limitBytes: number): RequestHandler {
  return express.json({
    limit: limitBytes,
    strict: true,
    inflate: false,
    type: () => true,
    verify: (_req, _res, body, encoding) => {
      if (encoding.toLowerCase() !== 'utf-8') throw new BodyVerifyError(415, 'charset.unsupported', 'JSON bodies are UTF-8');
      if (!isUtf8(body)) throw new BodyVerifyError(400, 'entity.invalid.utf8', 'the body is not valid UTF-8');
    },
  });
}

/** The refusal of a parsed body that nests too deep or holds text the policy refuses (any kind); null when neither. */
export function parsedBodyRefusal(body: unknown): BodyRefusal | null {
  let tooDeep = false;
  const problems: FieldProblem[] = [];
  walkJson(body, {
    container: (depth) => !(tooDeep = depth > MAX_JSON_DEPTH),
    string: (text, place, key) => {
      const violation = problems.length < MAX_NAMED_TEXT_PROBLEMS ? textViolation(text, 'text') : null;
      if (violation) problems.push({ field: printable(jsonPointer(place)), message: key ? `its property name ${violation}` : violation });
      return true;
    },
  });
  if (tooDeep) return { code: 'JSON_TOO_DEEP', message: `JSON bodies may nest arrays and objects at most ${MAX_JSON_DEPTH} levels deep` };
  return problems.length > 0 ? { code: 'VALIDATION_FAILED', message: 'the body holds characters the bus refuses', details: problems } : null;
}

/** The refusal for an error raised while reading or parsing a body; null when the error is not about the body. */
export function bodyRefusalOf(error: { type?: unknown; limit?: unknown }): BodyRefusal | null {
  switch (error.type) {
    case 'entity.too.large':
      // raw-body names the cap it enforced (JSON endpoints differ: 1 MiB intake, 64 KiB admin and status).
      return { code: 'PAYLOAD_TOO_LARGE', message: typeof error.limit === 'number' ? `bodies are limited to ${error.limit} bytes here` : 'the body is too large' };
    case 'entity.parse.failed':
      return { code: 'MALFORMED_JSON', message: 'the body is not valid JSON' };
    case 'entity.invalid.utf8':
      return { code: 'INVALID_UTF8', message: 'the body is not valid UTF-8' };
    case 'encoding.unsupported':
      return { code: 'UNSUPPORTED_CONTENT_ENCODING', message: 'send the body uncompressed (Content-Encoding is refused)' };
    case 'charset.unsupported':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send application/json in UTF-8' };
    case 'request.size.invalid':
    case 'request.aborted':
      return { code: 'BAD_REQUEST', message: 'the body did not match its Content-Length' };
    default:
      return null;
  }
}
