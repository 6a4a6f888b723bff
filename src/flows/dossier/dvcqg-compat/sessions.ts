// Sessions of the DVCQG-compatible face: DVCQG's login exchange against the configured accounts, and a session token any
// bus instance checks without a store (it carries the account and its expiry, signed with a key drawn from the account's
// password, so changing the password ends its sessions).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface CompatAccount {
  username: string;
  password: string;
  /** The bus client the account stands for: its routes, rights and name in the audit log. */
  client: string;
}

export type SessionCheck =
  | { ok: true; account: CompatAccount }
  | { ok: false; code: 'SESSION_INVALID' | 'SESSION_EXPIRED'; message: string };

interface SessionClaims {
  u: string;
  /** Expiry, seconds since the epoch. */
  e: number;
  n: string;
}

const KEY_LABEL = 'lgsp-dvcqg-compat-session';

export class CompatSessions {
  private readonly accounts: ReadonlyMap<string, CompatAccount>;

  constructor(accounts: readonly CompatAccount[], private readonly ttlSeconds: number, private readonly now: () => number = Date.now) {
    this.accounts = new Map(accounts.map((a) => [a.username, a]));
  }

  /** A session for the account when the password is its own; null otherwise (which of the two was wrong is not said). */
  login(username: string, password: string): { session: string; expiresIn: number } | null {
    const account = this.accounts.get(username);
    // Compared by digest, in constant time, whether or not the account exists.
    const given = digest(password);
    const expected = digest(account?.password ?? randomBytes(16).toString('hex'));
    if (!timingSafeEqual(given, expected) || !account) return null;
    const claims: SessionClaims = { u: account.username, e: Math.floor(this.now() / 1000) + this.ttlSeconds, n: randomBytes(9).toString('base64url') };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { session: `${payload}.${sign(account, payload)}`, expiresIn: this.ttlSeconds };
  }

  check(session: string): SessionCheck {
    const invalid: SessionCheck = { ok: false, code: 'SESSION_INVALID', message: 'the session is not one this bus gave out; log in again (/compat/dvcqg/auth)' };
    const [payload, signature, extra] = session.split('.');
    if (!payload || !signature || extra !== undefined) return invalid;
    const claims = parseClaims(payload);
    const account = claims ? this.accounts.get(claims.u) : undefined;
    if (!claims || !account) return invalid;
    const expected = Buffer.from(sign(account, payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
    if (claims.e * 1000 <= this.now()) return { ok: false, code: 'SESSION_EXPIRED', message: 'the session has expired; log in again (/compat/dvcqg/auth)' };
    return { ok: true, account };
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function sign(account: CompatAccount, payload: string): string {
  const key = createHmac('sha256', account.password).update(`${KEY_LABEL}:${account.username}`).digest();
  return createHmac('sha256', key).update(payload).digest('base64url');
}

function parseClaims(payload: string): SessionClaims | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (value === null || typeof value !== 'object') return null;
    const { u, e, n } = value as Record<string, unknown>;
    return typeof u === 'string' && typeof e === 'number' && typeof n === 'string' ? { u, e, n } : null;
  } catch {
    return null;
  }
}
