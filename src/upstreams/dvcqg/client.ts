// HTTP client for the DVCQG integration API: cached session login, LayThuTuc, LayDanhSachTTHC, TraCuuHoSo, DongBoHoSoMC,
// CapNhatTienDoHoSoMC.
import { isDeepStrictEqual } from 'node:util';
import { jsonOrText } from '../http-kit/answer-body';
import { UpstreamPool } from '../http-kit/upstream-pool';
import type {
  CapNhatTienDoHoSoMCRequest,
  DongBoHoSoMCItem,
  DongBoHoSoMCRequest,
  DvcqgServiceAck,
  LayDanhSachTTHCRequest,
  LayThuTucRequest,
  LayThuTucResponse,
  ThuTuc,
  TienDoHoSoItem,
  TraCuuHoSoRequest,
  TraCuuHoSoResponse,
  TraCuuHoSoResult,
} from './contract-types';
import { isSuccessCode, SESSION_REJECTION_CODES } from './dvcqg-answer';
import { DvcqgError, errorCodeOf, httpError, rejectedAnswer, toDvcqgError } from './dvcqg-error';
import { DvcqgSession } from './dvcqg-session';
import { merged } from '../../core/merged';

export interface DvcqgClientConfig {
  /** adapter_url, e.g. https://adapter.dichvucong.gov.vn */
  baseUrl: string;
  /** auth_endpoint; default /auth */
  authPath?: string;
  /** integration_endpoint; default /integration */
  integrationPath?: string;
  /** share_endpoint (catalogues); default /share */
  sharePath?: string;
  /**
   * Which endpoint each catalogue service is sent to; default the share endpoint for both. Deployed DVCQG clients
   * differ here, so a DVCQG that serves them on the integration endpoint only is reached by configuration.
   */
  catalogueEndpoints?: Partial<Record<DvcqgCatalogueService, DvcqgEndpoint>>;
  username: string;
  password: string;
  /** Mã đơn vị sent with every call. */
  madonvi: string;
  /** Sent as the `dstcode` header when set (newer adapter variant). */
  dstcode?: string;
  /** Assumed session lifetime when the login answer does not say; default 20 minutes. */
  sessionMaxAgeMs?: number;
  /** Per-request ceiling; callers should also pass an AbortSignal. Default 30 s. */
  timeoutMs?: number;
}

export type DvcqgCatalogueService = 'LayThuTuc' | 'LayDanhSachTTHC';
export type DvcqgEndpoint = 'share' | 'integration';

export interface DvcqgCallOptions {
  /** Aborts the in-flight HTTP request (e.g. the circuit breaker's timeout). */
  signal?: AbortSignal;
}

export interface DvcqgSyncResult {
  /** True when TraCuuHoSo found the dossier, so DongBoHoSoMC was sent with isUpdating "True". */
  isUpdating: boolean;
}

type SessionBody<T> = Omit<T, 'session'>;

export interface DvcqgAnswer {
  status: number;
  /** The JSON body, the text when it is not JSON, null when empty. */
  data: unknown;
}

export class DvcqgClient {
  private readonly http: UpstreamPool;
  private readonly session: DvcqgSession;
  private readonly integrationPath: string;
  private readonly sharePath: string;

  constructor(private readonly config: DvcqgClientConfig) {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Charset: 'utf-8' };
    if (config.dstcode) headers.dstcode = config.dstcode;
    // No redirects: a credentialed call goes to the configured host or fails.
    this.http = new UpstreamPool({ baseUrl: config.baseUrl, upstream: 'dvcqg', timeoutMs: config.timeoutMs ?? 30_000, headers });
    this.integrationPath = config.integrationPath ?? '/integration';
    this.sharePath = config.sharePath ?? '/share';
    this.session = new DvcqgSession((path, body) => this.post(path, 'login', body, undefined), {
      authPath: config.authPath ?? '/auth',
      username: config.username,
      password: config.password,
      sessionMaxAgeMs: config.sessionMaxAgeMs ?? 20 * 60_000,
    });
  }

  /** LayThuTuc: the procedure as the DVCQG catalogue holds it, or undefined when the code is unknown. */
  async getProcedure(maTTHC: string, options: DvcqgCallOptions = {}): Promise<ThuTuc | undefined> {
    const body: SessionBody<LayThuTucRequest> = { madonvi: this.config.madonvi, service: 'LayThuTuc', maTTHC };
    const data = await this.call<LayThuTucResponse>(this.cataloguePath('LayThuTuc'), 'LayThuTuc', body, options);
    if (!Array.isArray(data.result)) throw invalidResponse('LayThuTuc');
    return data.result[0];
  }

  /** LayDanhSachTTHC: the province's procedure list as DVCQG holds it. */
  async listProcedures(options: DvcqgCallOptions = {}): Promise<ThuTuc[]> {
    const body: SessionBody<LayDanhSachTTHCRequest> = { madonvi: this.config.madonvi, service: 'LayDanhSachTTHC' };
    const data = await this.call<LayThuTucResponse>(this.cataloguePath('LayDanhSachTTHC'), 'LayDanhSachTTHC', body, options);
    if (!Array.isArray(data.result)) throw invalidResponse('LayDanhSachTTHC');
    return data.result;
  }

  private cataloguePath(service: DvcqgCatalogueService): string {
    return (this.config.catalogueEndpoints?.[service] ?? 'share') === 'share' ? this.sharePath : this.integrationPath;
  }

  /** TraCuuHoSo: what DVCQG holds for the dossier (empty when it does not know it). */
  async lookupDossier(maHoSo: string, options: DvcqgCallOptions = {}): Promise<TraCuuHoSoResult[]> {
    const body: SessionBody<TraCuuHoSoRequest> = { madonvi: this.config.madonvi, service: 'TraCuuHoSo', mahoso: maHoSo };
    const data = await this.call<TraCuuHoSoResponse>(this.integrationPath, 'TraCuuHoSo', body, options);
    if (!Array.isArray(data.result)) throw invalidResponse('TraCuuHoSo');
    return data.result;
  }

  /** TraCuuHoSo to decide isUpdating, then DongBoHoSoMC with the item. */
  async syncDossier(item: DongBoHoSoMCItem, options: DvcqgCallOptions = {}): Promise<DvcqgSyncResult> {
    const existing = await this.lookupDossier(item.MaHoSo, options);
    const isUpdating = existing.length > 0;
    const body: SessionBody<DongBoHoSoMCRequest> = {
      madonvi: this.config.madonvi,
      service: 'DongBoHoSoMC',
      isUpdating: isUpdating ? 'True' : 'False',
      data: [item],
    };
    await this.call<DvcqgServiceAck>(this.integrationPath, 'DongBoHoSoMC', body, options);
    return { isUpdating };
  }

  /**
   * For a sync whose answer never came: true when TraCuuHoSo shows DVCQG holding exactly this item. False when it
   * does not, or when this DVCQG's lookup does not return the dossier's record (then only sending again is safe).
   */
  async holdsDossier(item: DongBoHoSoMCItem, options: DvcqgCallOptions = {}): Promise<boolean> {
    const record = (await this.lookupDossier(item.MaHoSo, options))[0]?.HoSo;
    return record !== undefined && holdsFields(record, item);
  }

  /** For a progress update whose answer never came: true when TraCuuHoSo shows DVCQG holding exactly this item. */
  async holdsProgress(item: TienDoHoSoItem, options: DvcqgCallOptions = {}): Promise<boolean> {
    const history = (await this.lookupDossier(item.MaHoSo, options))[0]?.QuaTrinhXuLy ?? [];
    return history.some((applied) => holdsFields(applied, item));
  }

  /** CapNhatTienDoHoSoMC with one or more progress items, sent in the given order in one call. */
  async updateProgress(items: TienDoHoSoItem | TienDoHoSoItem[], options: DvcqgCallOptions = {}): Promise<void> {
    const data = Array.isArray(items) ? items : [items];
    const body: SessionBody<CapNhatTienDoHoSoMCRequest> = { madonvi: this.config.madonvi, service: 'CapNhatTienDoHoSoMC', data };
    await this.call<DvcqgServiceAck>(this.integrationPath, 'CapNhatTienDoHoSoMC', body, options);
  }

  /**
   * Posts `body` with a session; when the server rejects the session, logs in once more and
   * retries once. Resolves with the answer body when its error_code means success.
   */
  private async call<T extends { error_code: unknown }>(
    path: string,
    operation: string,
    body: object,
    options: DvcqgCallOptions,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.session.token(options.signal);
      const answer = await this.post(path, operation, merged(body, { session: token }), options.signal);
      const code = errorCodeOf(answer.data);
      if (code !== undefined && SESSION_REJECTION_CODES.has(code)) {
        this.session.invalidate(token);
        if (attempt < 2) continue;
        throw new DvcqgError({ kind: 'refused', code: 'SESSION_REJECTED', message: `${operation}: DVCQG rejected a fresh session (${code})`, status: answer.status });
      }
      if (answer.status >= 400) throw httpError(operation, answer.status, answer.data);
      const data = answer.data as T | null;
      if (!data || typeof data !== 'object' || !isSuccessCode(data.error_code as string | number)) {
        throw rejectedAnswer(operation, data, answer.status);
      }
      return data;
    }
  }

  /** Closes the idle connections to DVCQG. */
  close(): Promise<void> {
    return this.http.close();
  }

  /** One HTTP POST; resolves with any HTTP answer, rejects only when none arrived. */
  private async post(path: string, operation: string, body: object, signal: AbortSignal | undefined): Promise<DvcqgAnswer> {
    try {
      const answer = await this.http.post(path, JSON.stringify(body), { signal });
      if (answer.body === null) throw new DvcqgError({ kind: 'protocol', code: 'INVALID_RESPONSE', message: `${operation}: answer too large`, status: answer.status });
      return { status: answer.status, data: jsonOrText(answer.body) };
    } catch (err) {
      throw toDvcqgError(err, operation);
    }
  }
}

/** Every field the bus sent is in DVCQG's record with the same value (DVCQG may hold more). */
function holdsFields(record: object, sent: object): boolean {
  const held = record as Record<string, unknown>;
  return Object.entries(sent).every(([field, value]) => isDeepStrictEqual(held[field], value));
}

function invalidResponse(operation: string): DvcqgError {
  return new DvcqgError({ kind: 'protocol', code: 'INVALID_RESPONSE', message: `${operation}: answer has no result list`, status: 200 });
}

