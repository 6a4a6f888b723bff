// Admin console sessions: tokens signed with a key of their own that no client holds, for an audience of their own,
// each with an id (jti) that sign-out revokes for the rest of its lifetime on every bus instance sharing the stores.
import type { ErrorCode } from '../../core/errors';
import { createSecretKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { CORE_SECRETS, type BusConfig } from '../../config/load-config';
import { MIN_HMAC_KEY_BYTES } from '../../config/production-guard';
import type { RevokedSessionStore } from '../../stores/stores';

/** The `kid` of every session token: it names the session key, which no client key may be called. */
export const ADMIN_SESSION_KID = 'lgsp-admin-session';
/** Session subjects are `admin:<username>`; client tokens with such a subject are refused everywhere. */
export const ADMIN_SUBJECT_PREFIX = 'admin:';
/** The claim that says what a token is for. */
const TOKEN_USE = 'admin-session';

export interface AdminSession {
  username: string;
  jti: string;
  expiresAtMs: number;
}

export type SessionCheck = { ok: true; session: AdminSession } | { ok: false; code: ErrorCode; message: string };

export class AdminSessions {
  private readonly key: KeyObject;
  private readonly audience: string;

  constructor(
    private readonly config: BusConfig,
    private readonly revoked: RevokedSessionStore,
  ) {
    const configured = config.secrets.find(CORE_SECRETS.adminSessionKey);
    // The production guard requires the key when admins exist; the development profile makes one per process.
    this.key = createSecretKey(configured !== undefined && Buffer.byteLength(configured) >= MIN_HMAC_KEY_BYTES ? Buffer.from(configured, 'utf8') : randomBytes(32));
    this.audience = `${config.auth.audience}/admin-session`;
  }

  mint(username: string): { token: string; expiresAt: string } {
    const ttlSeconds = this.config.auth.adminSessionTtlSeconds;
    const token = jwt.sign({ roles: ['admin'], token_use: TOKEN_USE }, this.key, {
      algorithm: 'HS256',
      keyid: ADMIN_SESSION_KID,
      issuer: this.config.auth.issuer,
      audience: this.audience,
      subject: `${ADMIN_SUBJECT_PREFIX}${username}`,
      jwtid: randomUUID(),
      expiresIn: ttlSeconds,
    });
    return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() };
  }

  /** Signature, issuer, audience, use, expiry, and that the session was not signed out. */
  async check(token: string): Promise<SessionCheck> {
    let claims: jwt.JwtPayload | string;
    try {
      claims = jwt.verify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.config.auth.issuer,
        audience: this.audience,
        clockTolerance: this.config.auth.clockToleranceSeconds,
      });
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) return { ok: false, code: 'SESSION_EXPIRED', message: 'the admin session has expired; sign in again' };
      return { ok: false, code: 'SESSION_INVALID', message: 'not an admin session of this bus' };
    }
    if (typeof claims === 'string' || claims.token_use !== TOKEN_USE || typeof claims.sub !== 'string' || !claims.sub.startsWith(ADMIN_SUBJECT_PREFIX)) {
      return { ok: false, code: 'SESSION_INVALID', message: 'not an admin session of this bus' };
    }
    if (typeof claims.jti !== 'string' || typeof claims.exp !== 'number') return { ok: false, code: 'SESSION_INVALID', message: 'not an admin session of this bus' };
    if (await this.revoked.isRevoked(claims.jti)) return { ok: false, code: 'SESSION_REVOKED', message: 'this admin session was signed out; sign in again' };
    return { ok: true, session: { username: claims.sub.slice(ADMIN_SUBJECT_PREFIX.length), jti: claims.jti, expiresAtMs: claims.exp * 1000 } };
  }

  /** Sign-out: the session is refused from now until it would have expired. */
  async revoke(session: AdminSession): Promise<void> {
    await this.revoked.revoke(session.jti, session.expiresAtMs);
  }
}
