// Logs in to DVCQG and caches the session token until it expires or the server rejects it (one login in flight at a time).
import type { DvcqgAnswer } from './client';
import type { DvcqgLoginRequest, DvcqgLoginResponse } from './contract-types';
import { DvcqgError, httpError, rejectedAnswer } from './dvcqg-error';
import { abortable } from './abortable';
import { isSuccessCode } from './dvcqg-answer';

export interface DvcqgSessionConfig {
  authPath: string;
  username: string;
  password: string;
  /** Assumed session lifetime when the login answer has no expires_in. */
  sessionMaxAgeMs: number;
}

interface CachedSession {
  token: string;
  renewAtMs: number;
}

export class DvcqgSession {
  private cached: CachedSession | null = null;
  private inFlight: Promise<CachedSession> | null = null;

  constructor(
    /** POSTs a JSON body to DVCQG; resolves with any HTTP answer (a DvcqgError when none arrived). */
    private readonly post: (path: string, body: DvcqgLoginRequest) => Promise<DvcqgAnswer>,
    private readonly config: DvcqgSessionConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid session token, logging in when none is cached or the cached one is about to expire. */
  async token(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAtMs) return this.cached.token;
    if (!this.inFlight) {
      this.inFlight = this.login().finally(() => {
        this.inFlight = null;
      });
    }
    const session = await abortable(this.inFlight, signal, 'login');
    return session.token;
  }

  /** Forgets `token` (only if it is still the cached one) so the next call logs in again. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  private async login(): Promise<CachedSession> {
    const body: DvcqgLoginRequest = { username: this.config.username, password: this.config.password };
    const answer = await this.post(this.config.authPath, body);
    if (answer.status >= 400) throw httpError('login', answer.status, answer.data);
    const data = answer.data as Partial<DvcqgLoginResponse> | null;
    if (!data || !isSuccessCode(data.error_code)) throw rejectedAnswer('login', data, answer.status);
    if (typeof data.session !== 'string' || data.session === '') {
      throw new DvcqgError({ kind: 'protocol', code: 'INVALID_RESPONSE', message: 'login: answer has no session token', status: answer.status });
    }
    const lifetimeMs =
      typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in * 1000 : this.config.sessionMaxAgeMs;
    // Renew a little before expiry so a call never starts with a session about to lapse.
    const marginMs = Math.min(30_000, lifetimeMs * 0.1);
    const session = { token: data.session, renewAtMs: this.now() + lifetimeMs - marginMs };
    this.cached = session;
    return session;
  }
}
