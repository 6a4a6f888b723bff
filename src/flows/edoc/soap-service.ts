// The edoc SOAP face (node-soap on the bus's express router): SendEdoc, GetReceivedEdocList, GetEdoc, UpdateStatus, with
// the body capped and read before node-soap sees it (it buffers and gunzips without a cap), gzip and DOCTYPE refused,
// Bearer JWT auth, no stacks in faults, faults carrying the machine-readable code in a namespaced detail and sent with
// HTTP 500 (WS-I Basic Profile), and ?wsdl self-contained and addressing the bus's public base URL.
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import * as soap from 'soap';
import { assertNoDtdOrFail } from './soap-dtd-guard';
import { takeApartSendEdoc } from './soap-send-edoc';
import { isEdxmlStatusCode } from '../../upstreams/edxml';
import { hasRight, type Right } from '../../http/auth/rights';
import { selfContainedWsdl } from '../../http/meta/service-contracts';
import type { Logger } from '../../observability/logger';
import { inboxEntryBody } from './edoc-api-types';
import { readEdxmlBody, SPOOL_UNAVAILABLE } from './edxml-body-reader';
import type { BodySpool } from './body-spool';
import { admitLargeBodies, type LargeBodyGate } from './large-body-gate';
import type { MailboxService } from './mailbox-service';
import type { PackageIntake } from './package-intake';
import type { EdocBlobStore, MailboxFilter } from './stores/edoc-store';
import { wsdlPath } from '../../core/repo-files';
import { ERRORS, isErrorCode, type ErrorCode } from '../../core/errors';
import { markRefusal } from '../../http/errors';
import { IDEMPOTENT_REPLAYED_HEADER, readIdempotencyKey } from '../../http/idempotency-key';

export interface EdocSoapDeps {
  path: string;
  /** Where clients reach the bus: the base of the soap:address in the WSDL served at path?wsdl. */
  publicBaseUrl(): string;
  authenticate: RequestHandler;
  intake: PackageIntake;
  mailbox: MailboxService;
  blobs: EdocBlobStore;
  maxPackageBytes: number;
  /** Shared with the REST face: the caps count both. */
  largeBodies: LargeBodyGate;
  /** Where large bodies wait for their processing turn; shared with the REST face. */
  spool: BodySpool;
  logger: Logger;
}

const EDOC_NAMESPACE = 'urn:lgsp:edoc:1.0';

/** What node-soap serialises (Fault), with the code and message kept for the refusal record. */
interface SoapFault {
  Fault: { faultcode: 'soap:Client' | 'soap:Server'; faultstring: string; detail: { $xml: string }; statusCode: 500 };
  code: ErrorCode;
  message: string;
}

/**
 * The one SOAP fault of this service: Client for the caller's mistakes and Server for the bus's (from the error
 * table), the message as faultstring, the code (and field) in <EdocFault> of the WSDL's namespace, and HTTP 500 as
 * WS-I Basic Profile R1126 requires of every SOAP 1.1 fault; the table's status stays in the refusal record.
 */
function soapFault(code: ErrorCode, message: string, field?: string): SoapFault {
  const detail =
    `<EdocFault xmlns="${EDOC_NAMESPACE}"><code>${xmlText(code)}</code>` +
    (field === undefined ? '' : `<field>${xmlText(field)}</field>`) +
    '</EdocFault>';
  return {
    Fault: { faultcode: ERRORS[code].status >= 500 ? 'soap:Server' : 'soap:Client', faultstring: message, detail: { $xml: detail }, statusCode: 500 },
    code,
    message,
  };
}

/** A fault as a whole SOAP 1.1 envelope, for the refusals made before node-soap sees the request. */
function faultEnvelope({ Fault: fault }: SoapFault): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
    `<faultcode>${fault.faultcode}</faultcode><faultstring>${xmlText(fault.faultstring)}</faultstring>` +
    `<detail>${fault.detail.$xml}</detail></soap:Fault></soap:Body></soap:Envelope>`
  );
}

function isSoapFault(error: unknown): error is SoapFault {
  return typeof error === 'object' && error !== null && 'Fault' in error && 'code' in error;
}

type SoapArgs = Record<string, unknown>;
type Operation = (args: SoapArgs, clientId: string, req: Request) => Promise<object>;

/** The right each operation needs, as its REST twin. */
const OPERATION_RIGHTS: Record<string, Right> = {
  SendEdoc: 'edoc.send',
  GetReceivedEdocList: 'edoc.inbox',
  GetEdoc: 'edoc.inbox',
  UpdateStatus: 'edoc.status',
};

function text(args: SoapArgs, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'string') return value.normalize('NFC');
  if (typeof value === 'number') return String(value);
  return undefined;
}

export async function mountEdocSoapService(router: Router, deps: EdocSoapDeps): Promise<void> {
  /** Records the refusal (code, the table's status for the audit) and answers it as a fault with HTTP 500. */
  const sendFault = (res: Response, code: ErrorCode, message: string) => {
    markRefusal(res, code, message);
    res.status(500).type('text/xml; charset=utf-8').send(faultEnvelope(soapFault(code, message)));
  };
  // The shared JWT check answers in JSON; a SOAP caller gets the same refusal as a SOAP Fault.
  const faultsForRefusals: RequestHandler = (_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const refusal = body as { code?: unknown; message?: unknown } | null;
      if (res.statusCode >= 400 && refusal && typeof refusal.code === 'string' && isErrorCode(refusal.code)) {
        sendFault(res, refusal.code, typeof refusal.message === 'string' ? refusal.message : ERRORS[refusal.code].message);
        return res;
      }
      return json(body);
    };
    next();
  };
  const admitLarge = admitLargeBodies(deps.largeBodies, (res, refusal) => sendFault(res, refusal.code, refusal.message));
  // base64 grows the package by 4/3; the envelope around it is small.
  const bodyLimit = Math.ceil((deps.maxPackageBytes * 4) / 3) + 64 * 1024;
  const postOnly = (handler: RequestHandler): RequestHandler => (req, res, next) => (req.method === 'POST' ? handler(req, res, next) : next());
  const checkHeaders: RequestHandler = (req, res, next) => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') return sendFault(res, 'UNSUPPORTED_CONTENT_ENCODING', 'send the body uncompressed');
    if (!req.is(SOAP_MEDIA_TYPES)) return sendFault(res, 'UNSUPPORTED_MEDIA_TYPE', 'send text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2)');
    if (Number(req.headers['content-length'] ?? 0) > bodyLimit) {
      res.setHeader('Connection', 'close');
      return sendFault(res, 'PAYLOAD_TOO_LARGE', `SOAP bodies are limited to ${bodyLimit} bytes`);
    }
    next();
  };
  const inspect: RequestHandler = (req, res, next) => {
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) return sendFault(res, 'EDXML_MALFORMED_XML', 'empty request body');
    // node-soap decodes the body as UTF-8 and would replace bad bytes silently.
    if (!isUtf8(body)) return sendFault(res, 'INVALID_UTF8', 'the body is not valid UTF-8');
    const dtd = assertNoDtdOrFail(body);
    if (dtd) return sendFault(res, dtd, 'DOCTYPE and ENTITY declarations are not allowed');
    next();
  };
  // SendEdoc's package, decoded from the raw body before node-soap parses the (then small) envelope.
  const packages = new WeakMap<Request, Buffer>();
  const takeOutPackage = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const parts = await takeApartSendEdoc(req.body as Buffer);
    if (parts.kind === 'malformed') return sendFault(res, 'SOAP_MALFORMED_REQUEST', 'the SOAP request is not well-formed XML');
    if (parts.kind === 'invalid-base64') return sendFault(res, 'EDXML_INVALID_BASE64', parts.message);
    if (parts.kind === 'send-edoc') {
      req.body = parts.envelope;
      packages.set(req, parts.edxml);
    }
    next();
  };
  const bodyErrors = (error: Error & { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    if (error.type === SPOOL_UNAVAILABLE) return sendFault(res, 'STORE_UNAVAILABLE', error.message);
    if (error.type === 'entity.too.large') {
      res.setHeader('Connection', 'close');
      return sendFault(res, 'PAYLOAD_TOO_LARGE', `SOAP bodies are limited to ${bodyLimit} bytes`);
    }
    sendFault(res, 'BAD_REQUEST', 'the request body could not be read');
  };
  // node-soap answers a request it cannot process (not XML, no Body, an unknown operation) with HTTP 500 and its own
  // error text (a fault with the parser's message, or bare text). That is the caller's mistake: it becomes a Client
  // fault with a code, and node-soap's text stays here.
  const unprocessableAsClientFault: RequestHandler = (_req, res, next) => {
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    /** The fault to send instead of what node-soap is about to send, or null to let it through. */
    const replacement = (chunk: unknown): string | null => {
      if (res.statusCode !== 500 || res.headersSent || isOwnFault(chunk)) return null;
      deps.logger.debug({ err: String(chunk).slice(0, 200) }, 'SOAP request could not be processed');
      const message = 'the SOAP request could not be processed (not a SOAP envelope of this service)';
      markRefusal(res, 'SOAP_MALFORMED_REQUEST', message);
      res.status(500);
      res.setHeader('Content-Type', 'text/xml; charset=utf-8');
      return faultEnvelope(soapFault('SOAP_MALFORMED_REQUEST', message));
    };
    // node-soap writes its answer with write() then end(), or with end(answer).
    res.write = ((...args: unknown[]) => write(replacement(args[0]) ?? args[0], ...args.slice(1))) as unknown as Response['write'];
    res.end = ((...args: unknown[]) => (args.length > 0 && typeof args[0] !== 'function' ? end(replacement(args[0]) ?? args[0], ...args.slice(1)) : end(...args))) as unknown as Response['end'];
    next();
  };
  // node-soap would serve the file as it is: a placeholder address and a relative XSD import. This WSDL is the
  // metaservice's: the XSD inline and the bus's public address (never the request's Host header).
  let served: { address: string; text: string } | undefined;
  router.get(deps.path, (req, res, next) => {
    if (!(req.originalUrl.split('?')[1] ?? '').toLowerCase().startsWith('wsdl')) return next();
    const address = `${deps.publicBaseUrl()}${deps.path}`;
    if (served?.address !== address) served = { address, text: selfContainedWsdl(EDOC_WSDL, address) };
    res.type('text/xml; charset=utf-8').send(served.text);
  });
  router.use(
    deps.path,
    postOnly(faultsForRefusals),
    postOnly(deps.authenticate),
    postOnly(checkHeaders),
    postOnly(admitLarge),
    postOnly(readEdxmlBody(bodyLimit, { gate: deps.largeBodies, spool: deps.spool, logger: deps.logger })),
    postOnly(inspect),
    postOnly(takeOutPackage),
    postOnly(unprocessableAsClientFault),
    bodyErrors as unknown as RequestHandler,
  );

  const operations: Record<string, Operation> = {
    SendEdoc: async (args, clientId, req) => {
      // Base64 is ASCII: the field is decoded as it came, not normalised (the package's own bytes are passed on exact).
      const edxml = packages.get(req) ?? (typeof args.edXML === 'string' ? Buffer.from(args.edXML, 'base64') : undefined);
      if (!edxml || edxml.length === 0) throw soapFault('EDXML_MALFORMED_XML', 'edXML is empty');
      const idempotencyKey = idempotencyKeyOf(req);
      const outcome = await deps.intake.accept(clientId, edxml, { idempotencyKey });
      if (!outcome.ok) throw soapFault(outcome.code, outcome.message, outcome.field);
      deps.logger.info({ messageId: outcome.messageId, documentId: outcome.documentId, kind: outcome.kind, client: clientId, replayed: outcome.replayed === true }, 'edXML accepted over SOAP');
      if (outcome.replayed) req.res?.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
      if (outcome.kind === 'edoc') {
        return {
          kind: 'edoc',
          messageId: outcome.messageId,
          correlationId: outcome.correlationId,
          documentId: outcome.documentId,
          sha256: outcome.sha256,
          bytes: outcome.bytes,
          recipient: outcome.recipients.map((r) => ({ organId: r.organId, delivery: r.delivery })),
        };
      }
      return {
        kind: 'status',
        messageId: outcome.messageId,
        correlationId: outcome.correlationId,
        documentId: outcome.documentId,
        statusCode: outcome.statusCode,
        toOrgan: outcome.toOrgan,
      };
    },
    GetReceivedEdocList: async (args, clientId) => {
      const filter: MailboxFilter = {};
      const kind = text(args, 'kind');
      if (kind !== undefined && kind !== '') {
        if (kind !== 'edoc' && kind !== 'status') throw soapFault('VALIDATION_FAILED', 'kind must be edoc or status', 'kind');
        filter.kind = kind;
      }
      const since = args.since instanceof Date ? args.since.toISOString() : text(args, 'since');
      if (since !== undefined) {
        if (Number.isNaN(Date.parse(since))) throw soapFault('VALIDATION_FAILED', 'since must be a dateTime', 'since');
        filter.since = new Date(since).toISOString();
      }
      const limit = text(args, 'limit');
      if (limit !== undefined) filter.limit = Number(limit) || undefined;
      const entries = await deps.mailbox.list(clientId, filter);
      return { item: entries.map(inboxEntryBody) };
    },
    GetEdoc: async (args, clientId) => {
      const entry = await deps.mailbox.entry(clientId, text(args, 'id') ?? '');
      if (!entry) throw soapFault('EDOC_NOT_FOUND', 'no such document in your mailbox', 'id');
      const bytes = await deps.blobs.read(entry.blob);
      if (!bytes) {
        deps.logger.error({ entryId: entry.entryId, sha256: entry.blob.sha256, bytes: entry.blob.bytes }, 'stored edXML package missing');
        throw soapFault('EDOC_PACKAGE_MISSING', 'the stored package of this entry is missing; tell the bus operator the entry id');
      }
      return { id: entry.entryId, sha256: entry.blob.sha256, edXML: bytes.toString('base64') };
    },
    UpdateStatus: async (args, clientId, req) => {
      const statusCode = text(args, 'statusCode') ?? '';
      if (!isEdxmlStatusCode(statusCode)) throw soapFault('EDXML_INVALID_STATUS_CODE', 'unknown status code', 'statusCode');
      const idempotencyKey = idempotencyKeyOf(req);
      const outcome = await deps.mailbox.reportStatus(
        clientId,
        text(args, 'id') ?? '',
        { statusCode, description: text(args, 'description'), department: text(args, 'department'), staff: text(args, 'staff') },
        { idempotencyKey },
      );
      if (!outcome.ok) throw soapFault(outcome.code, outcome.message);
      if (outcome.replayed) req.res?.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
      return { messageId: outcome.messageId, correlationId: outcome.correlationId, documentId: outcome.documentId, statusCode: outcome.statusCode, toOrgan: outcome.toOrgan };
    },
  };

  const port: Record<string, soap.ISoapServiceMethod> = {};
  for (const [name, operation] of Object.entries(operations)) {
    port[name] = (args: SoapArgs, _callback?: unknown, _headers?: unknown, req?: Request) => {
      const clientId = req?.client?.id;
      if (!clientId) {
        if (req?.res) markRefusal(req.res, 'AUTH_REQUIRED', 'a Bearer token is required');
        return Promise.reject(soapFault('AUTH_REQUIRED', 'a Bearer token is required'));
      }
      const right = OPERATION_RIGHTS[name];
      if (!right || !hasRight(req.client?.rights ?? [], right)) {
        const message = `this operation needs the ${right ?? name} right`;
        if (req.res) markRefusal(req.res, 'RIGHT_REQUIRED', message);
        return Promise.reject(soapFault('RIGHT_REQUIRED', message));
      }
      return operation(args ?? {}, clientId, req).catch((error: unknown) => {
        if (isSoapFault(error)) {
          if (req.res) markRefusal(req.res, error.code, error.message);
          throw error;
        }
        deps.logger.error({ operation: name, err: error instanceof Error ? error.message : String(error) }, 'SOAP operation failed');
        if (req.res) markRefusal(req.res, 'INTERNAL', 'internal error');
        throw soapFault('INTERNAL', 'internal error');
      });
    };
  }

  const wsdlFile = wsdlPath('edoc-service');
  await new Promise<void>((resolve, reject) => {
    soap.listen(router, {
      path: deps.path,
      xml: readFileSync(wsdlFile, 'utf8'),
      uri: wsdlFile,
      suppressStack: true,
      services: { EdocService: { EdocPort: port } },
      callback: (error: unknown) => (error ? reject(error instanceof Error ? error : new Error('edoc WSDL could not be loaded')) : resolve()),
    });
  });
}

/** The HTTP request's Idempotency-Key header, as on the REST face; a malformed one is a Client fault. */
function idempotencyKeyOf(req: Request): string | undefined {
  const reading = readIdempotencyKey(req);
  if (!reading.ok) throw soapFault('INVALID_IDEMPOTENCY_KEY', reading.message);
  return reading.key;
}

/** contracts/wsdl/edoc-service.wsdl. */
const EDOC_WSDL = 'edoc-service';

const SOAP_MEDIA_TYPES = ['text/xml', 'application/soap+xml', 'application/xml'];

/** A fault the operations raised (their faults carry EdocFault), as opposed to node-soap's own 500 answers. */
function isOwnFault(chunk: unknown): boolean {
  const text = Buffer.isBuffer(chunk) ? chunk.toString('utf8') : typeof chunk === 'string' ? chunk : '';
  return text.includes('EdocFault');
}

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
