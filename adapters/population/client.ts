// SOAP client of the national population database: signs each call, enforces a real abortable timeout, returns typed NFC results.
import { randomUUID } from 'node:crypto';
import * as soap from 'soap';
import { buildAuthHeaders, type PopulationCredentials } from './auth-headers';
import type { CitizenLookupResult, CitizenVerificationResult, CitizenVerifyRequest } from './citizen';
import { populationWsdlPath } from './contract-files';
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
import { classifySoapFailure, type AbortCause } from './soap-failure';
import { toNfcDeep } from './vietnamese-text';

export interface PopulationClientOptions {
  /** Service address, e.g. https://…/dancu/037 (the WSDL's own address is a placeholder). */
  endpoint: string;
  /** authUrl (url_xacthuc) defaults to the endpoint. */
  credentials: Omit<PopulationCredentials, 'authUrl'> & { authUrl?: string };
  /** MaDVC, MaCanBo and optionally MaDonVi / TaiKhoan sent with every request. */
  requestContext: Omit<RequestContext, 'maYeuCau'>;
  /** Default per-call timeout; default 10 000 ms (opossum's default). */
  timeoutMs?: number;
  /** Local WSDL file; defaults to contracts/wsdl/population.wsdl. */
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

/** What the soap package's generated `<Operation>Async` methods look like. */
type SoapOperationAsync = (
  args: object,
  options: { signal: AbortSignal; maxRedirects: number },
  extraHeaders: Record<string, string>,
) => Promise<[unknown, ...unknown[]]>;

const OPERATION = { lookup: 'TraCuuThongTinCongDan', verify: 'XacThucThongTinCongDan' } as const;
type OperationName = (typeof OPERATION)[keyof typeof OPERATION];

export class PopulationClient {
  private constructor(
    private readonly soapClient: soap.Client,
    private readonly options: PopulationClientOptions,
    private readonly credentials: PopulationCredentials,
  ) {}

  /** Parses the local WSDL once; reuse the returned client for every call. */
  static async create(options: PopulationClientOptions): Promise<PopulationClient> {
    const soapClient = await soap.createClientAsync(options.wsdlPath ?? populationWsdlPath(), {
      endpoint: options.endpoint,
      // Never follow a remote schemaLocation: the contract is entirely local.
      wsdl_options: {
        overrideImportLocation: (location: string) => {
          if (/^https?:/i.test(location)) throw new Error('remote schema imports are not allowed');
          return location;
        },
      },
    });
    const credentials: PopulationCredentials = { ...options.credentials, authUrl: options.credentials.authUrl ?? options.endpoint };
    return new PopulationClient(soapClient, options, credentials);
  }

  /** Service 037: the citizen record when id, name and birth date agree. */
  async lookupCitizen(request: CitizenVerifyRequest, call: PopulationCallOptions = {}): Promise<CitizenLookupResult> {
    const valid = this.validated(request);
    const body = toLookupRequest(valid, this.context(call));
    const answer = await this.invoke(OPERATION.lookup, body, call);
    return this.read(OPERATION.lookup, () => lookupResultFromWire(answer, valid));
  }

  /** Service 033: whether a citizen with this id, name and birth date exists (the registry answers only TonTai). */
  async verifyCitizen(request: CitizenVerifyRequest, call: PopulationCallOptions = {}): Promise<CitizenVerificationResult> {
    const valid = this.validated(request);
    const body = toVerificationRequest(valid, this.context(call));
    const answer = await this.invoke(OPERATION.verify, body, call);
    return this.read(OPERATION.verify, () => verificationResultFromWire(answer));
  }

  private validated(request: CitizenVerifyRequest): CitizenVerifyRequest {
    const check = validateVerifyRequest(request);
    if (!check.ok) {
      const summary = check.problems.map((p) => `${p.field}: ${p.problem}`).join('; ');
      throw new PopulationError('POPULATION_INVALID_REQUEST', `invalid verify request (${summary})`);
    }
    return check.request;
  }

  private context(call: PopulationCallOptions): RequestContext {
    return {
      ...this.options.requestContext,
      ...(call.maCanBo !== undefined ? { maCanBo: call.maCanBo } : {}),
      maYeuCau: (this.options.newRequestId ?? randomUUID)(),
    };
  }

  private read<T>(operation: OperationName, readAnswer: () => T): T {
    try {
      return readAnswer();
    } catch (error) {
      if (error instanceof UnreadableAnswerError) throw new PopulationError('POPULATION_BAD_RESPONSE', `${operation}: ${error.message}`);
      throw error;
    }
  }

  private async invoke(operation: OperationName, body: object, call: PopulationCallOptions): Promise<unknown> {
    const method: unknown = this.soapClient[`${operation}Async`];
    if (typeof method !== 'function') throw new Error(`WSDL has no operation ${operation}`);
    const timeoutMs = call.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    const timeoutSignal = AbortSignal.timeout(timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeoutSignal]) : timeoutSignal;
    const abortCause = (): AbortCause => (call.signal?.aborted ? 'caller' : timeoutSignal.aborted ? 'timeout' : null);
    if (signal.aborted) throw classifySoapFailure(null, abortCause(), operation);

    const headers: Record<string, string> = {
      ...buildAuthHeaders(this.credentials, (this.options.now ?? Date.now)()),
      'Content-Type': 'application/xml; charset=utf-8',
    };
    try {
      const [result] = await (method as SoapOperationAsync).call(this.soapClient, body, { signal, maxRedirects: 0 }, headers);
      return toNfcDeep(result);
    } catch (error) {
      throw classifySoapFailure(error, abortCause(), operation);
    }
  }
}

export function createPopulationClient(options: PopulationClientOptions): Promise<PopulationClient> {
  return PopulationClient.create(options);
}
