// SOAP client of the national population database: signs each call, enforces a real abortable timeout, returns typed NFC results.
import { randomUUID } from 'node:crypto';
import { UpstreamPool, UpstreamTransportError } from '../http-kit/upstream-pool';
import { buildAuthHeaders, type PopulationCredentials } from './auth-headers';
import type { CitizenLookupResult, CitizenVerificationResult, CitizenVerifyRequest } from './citizen';
import { wsdlPath } from '../../core/repo-files';
import {
  lookupResultFromWire,
  toLookupRequest,
  toVerificationRequest,
  UnreadableAnswerError,
  validateVerifyRequest,
  verificationResultFromWire,
  type RequestContext,
} from './mapping';
import { PopulationError } from './population-error';
import { SoapAnswerReader, type SoapAnswer } from './soap-answer';
import { lookupEnvelope, POPULATION_NAMESPACE, verificationEnvelope } from './soap-envelope';
import { classifySoapFailure, NO_ANSWER, type AbortCause } from './soap-failure';
import { normalizeNfc } from '../../core/envelope';
import { readWsdlContract } from './wsdl-operations';
import { merged } from '../../core/merged';

export interface PopulationClientOptions {
  /** Service address, e.g. https://…/dancu/037 (the WSDL's own address is a placeholder). */
  endpoint: string;
  /** authUrl (url_xacthuc) defaults to the endpoint. */
  credentials: Omit<PopulationCredentials, 'authUrl'> & { authUrl?: string };
  /** MaDVC, MaCanBo and optionally MaDonVi / TaiKhoan sent with every request. */
  requestContext: Omit<RequestContext, 'maYeuCau'>;
  /** Default per-call timeout; default 10 000 ms (opossum's default). */
  timeoutMs?: number;
  /** Local WSDL file, checked at create time to offer both operations; defaults to contracts/wsdl/population.wsdl. */
  wsdlPath?: string;
  /** Clock for the Timestamp header (tests). */
  now?: () => number;
  /** MaYeuCau generator; default random UUID. */
  newRequestId?: () => string;
}

export interface PopulationCallOptions {
  /** Aborts the HTTP request when it fires (give the circuit breaker's signal here). */
  signal?: AbortSignal;
  /** Overrides the client's default timeout for this call. */
  timeoutMs?: number;
  /** Overrides MaCanBo (the officer on whose behalf the call is made). */
  maCanBo?: string;
}

interface Operation {
  name: 'TraCuuThongTinCongDan' | 'XacThucThongTinCongDan';
  answer: SoapAnswerReader;
}

const LOOKUP: Operation = { name: 'TraCuuThongTinCongDan', answer: new SoapAnswerReader('CongdanCollection', ['CongDan']) };
const VERIFY: Operation = { name: 'XacThucThongTinCongDan', answer: new SoapAnswerReader('KetQuaXacThucResponse') };

/** Larger answers are refused unread: a 037 answer holds one citizen, a few KiB. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export class PopulationClient {
  private constructor(
    private readonly http: UpstreamPool,
    private readonly path: string,
    private readonly soapActions: ReadonlyMap<string, string>,
    private readonly options: PopulationClientOptions,
    private readonly credentials: PopulationCredentials,
  ) {}

  /** Checks the local WSDL once; reuse the returned client for every call and close it on shutdown. */
  static async create(options: PopulationClientOptions): Promise<PopulationClient> {
    const wsdlFile = options.wsdlPath ?? wsdlPath('population');
    const contract = await readWsdlContract(wsdlFile);
    if (contract.targetNamespace !== POPULATION_NAMESPACE) throw new Error(`${wsdlFile}: targetNamespace is not ${POPULATION_NAMESPACE}`);
    for (const { name } of [LOOKUP, VERIFY]) if (!contract.soapActions.has(name)) throw new Error(`${wsdlFile}: no operation ${name}`);
    const endpoint = new URL(options.endpoint);
    const http = new UpstreamPool({ baseUrl: endpoint.origin, upstream: 'population', timeoutMs: options.timeoutMs ?? 10_000, maxAnswerBytes: MAX_ANSWER_BYTES });
    const credentials: PopulationCredentials = { ...options.credentials, authUrl: options.credentials.authUrl ?? options.endpoint };
    return new PopulationClient(http, endpoint.pathname + endpoint.search, contract.soapActions, options, credentials);
  }

  /** Service 037: the citizen record when id, name and birth date agree. */
  async lookupCitizen(request: CitizenVerifyRequest, call: PopulationCallOptions = {}): Promise<CitizenLookupResult> {
    const valid = this.validated(request);
    const answer = await this.invoke(LOOKUP, lookupEnvelope(toLookupRequest(valid, this.context(call))), call);
    return this.read(LOOKUP, () => lookupResultFromWire(answer, valid));
  }

  /** Service 033: whether a citizen with this id, name and birth date exists (the registry answers only TonTai). */
  async verifyCitizen(request: CitizenVerifyRequest, call: PopulationCallOptions = {}): Promise<CitizenVerificationResult> {
    const valid = this.validated(request);
    const answer = await this.invoke(VERIFY, verificationEnvelope(toVerificationRequest(valid, this.context(call))), call);
    return this.read(VERIFY, () => verificationResultFromWire(answer));
  }

  /** Closes the kept-alive connections once the calls in flight have ended. */
  async close(): Promise<void> {
    await this.http.close();
  }

  private validated(request: CitizenVerifyRequest): CitizenVerifyRequest {
    const check = validateVerifyRequest(request);
    if (!check.ok) {
      const summary = check.problems.map((p) => `${p.field}: ${p.problem}`).join('; ');
      throw new PopulationError({ kind: 'refused', code: 'POPULATION_INVALID_REQUEST', message: `invalid verify request (${summary})` });
    }
    return check.request;
  }

  private context(call: PopulationCallOptions): RequestContext {
    const maYeuCau = (this.options.newRequestId ?? randomUUID)();
    const context = this.options.requestContext;
    return call.maCanBo !== undefined ? merged(context, { maCanBo: call.maCanBo, maYeuCau }) : merged(context, { maYeuCau });
  }

  private read<T>(operation: Operation, readAnswer: () => T): T {
    try {
      return readAnswer();
    } catch (error) {
      if (error instanceof UnreadableAnswerError) throw badResponse(operation, error, null);
      throw error;
    }
  }

  /** Sends the envelope; answers the Body element of a 2xx answer, NFC, or throws a PopulationError. */
  private async invoke(operation: Operation, envelope: string, call: PopulationCallOptions): Promise<unknown> {
    const headers: Record<string, string> = merged(buildAuthHeaders(this.credentials, (this.options.now ?? Date.now)()), {
      'Content-Type': 'application/xml; charset=utf-8',
      SOAPAction: `"${this.soapActions.get(operation.name) ?? ''}"`,
    });
    let status: number;
    let xml: string | null;
    try {
      const answer = await this.http.post(this.path, envelope, { signal: call.signal, headers, timeoutMs: call.timeoutMs });
      status = answer.status;
      xml = answer.body === null ? null : answer.body.toString('utf8');
    } catch (error) {
      if (!(error instanceof UpstreamTransportError)) throw error;
      const abortCause: AbortCause = error.kind === 'timeout' ? 'timeout' : error.kind === 'aborted' ? 'caller' : null;
      throw classifySoapFailure({ ...NO_ANSWER, causeCode: abortCause === null ? error.socketCode : null }, abortCause, operation.name);
    }
    const ok = status >= 200 && status < 300;
    let answer: SoapAnswer;
    try {
      if (xml === null) throw new UnreadableAnswerError(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
      answer = operation.answer.read(xml);
    } catch (error) {
      if (!(error instanceof UnreadableAnswerError)) throw error;
      // An error status without a SOAP body (a proxy's page, a gateway's JSON) says more than "unreadable".
      if (!ok) throw classifySoapFailure({ ...NO_ANSWER, status }, null, operation.name);
      throw badResponse(operation, error, status);
    }
    if (answer.kind === 'fault') throw classifySoapFailure({ ...NO_ANSWER, status, faultCode: answer.faultCode }, null, operation.name);
    if (!ok) throw classifySoapFailure({ ...NO_ANSWER, status }, null, operation.name);
    return normalizeNfc(answer.content);
  }
}

function badResponse(operation: Operation, error: UnreadableAnswerError, httpStatus: number | null): PopulationError {
  return new PopulationError({ kind: 'protocol', code: 'POPULATION_BAD_RESPONSE', message: `${operation.name}: ${error.message}`, status: httpStatus });
}
