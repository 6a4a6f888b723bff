// Verifies the JWT every intake and admin call carries: algorithm pinned, issuer, audience, expiry, age checked,
// and the subject must be a configured client.
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import type { BusConfig } from '../config/load-config';
import type { ClientConfig } from '../config/schema';
import { sendError } from './errors';

export interface AuthenticatedClient {
  /** A client id, or `admin:<username>` for a person signed in to the admin console. */
  id: string;
  roles: readonly string[];
  canViewPersonalData: boolean;
}

const ADMIN_SUBJECT_PREFIX = 'admin:';

/** A short-lived token for an administrator who signed in with name and password. */
export function mintAdminToken(config: BusConfig, username: string, ttlSeconds = 8 * 3600): { token: string; expiresAt: string } {
  const token = jwt.sign({ roles: ['admin'] }, signingKey(config), {
    algorithm: 'HS256',
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    subject: `${ADMIN_SUBJECT_PREFIX}${username}`,
    expiresIn: ttlSeconds,
  });
  return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() };
}

function principalOf(config: BusConfig, subject: string): AuthenticatedClient | undefined {
  if (subject.startsWith(ADMIN_SUBJECT_PREFIX)) {
    const admin = config.admins.find((a) => a.username === subject.slice(ADMIN_SUBJECT_PREFIX.length));
    return admin ? { id: subject, roles: ['admin'], canViewPersonalData: admin.canViewPersonalData } : undefined;
  }
  const client = clientOf(config, subject);
  return client ? { id: client.id, roles: client.roles, canViewPersonalData: false } : undefined;
}

declare module 'express-serve-static-core' {
  interface Request {
    client?: AuthenticatedClient;
  }
}

export function signingKey(config: BusConfig): string {
  const key = config.env[config.auth.signingKeyEnv] ?? process.env[config.auth.signingKeyEnv] ?? config.auth.developmentSigningKey;
  if (!key) throw new Error(`no JWT signing key: set ${config.auth.signingKeyEnv} or auth.developmentSigningKey`);
  return key;
}

export function mintToken(config: BusConfig, clientId: string, ttlSeconds = 3600): string {
  return jwt.sign({ roles: clientOf(config, clientId)?.roles ?? [] }, signingKey(config), {
    algorithm: 'HS256',
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    subject: clientId,
    expiresIn: ttlSeconds,
  });
}

function clientOf(config: BusConfig, id: string): ClientConfig | undefined {
  return config.clients.find((c) => c.id === id);
}

export function authenticate(config: BusConfig, requiredRole: 'intake' | 'admin', onRefused?: (code: string) => void) {
  const key = signingKey(config);
  return (req: Request, res: Response, next: NextFunction): void => {
    const refuse = (status: 401 | 403, code: string, message: string) => {
      onRefused?.(code);
      if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      sendError(res, status, code, message);
    };
    const header = req.headers.authorization;
    if (!header || !header.startsWith('Bearer ')) return refuse(401, 'AUTH_REQUIRED', 'a Bearer token is required');
    let claims: jwt.JwtPayload;
    try {
      const decoded = jwt.verify(header.slice(7), key, {
        algorithms: ['HS256'],
        issuer: config.auth.issuer,
        audience: config.auth.audience,
        maxAge: config.auth.maxTokenAgeSeconds,
        clockTolerance: config.auth.clockToleranceSeconds,
      });
      if (typeof decoded === 'string') return refuse(401, 'TOKEN_INVALID', 'token payload must be a JSON object');
      claims = decoded;
    } catch (error) {
      const code = error instanceof jwt.TokenExpiredError ? 'TOKEN_EXPIRED' : error instanceof jwt.NotBeforeError ? 'TOKEN_NOT_YET_VALID' : 'TOKEN_INVALID';
      return refuse(401, code, (error as Error).message);
    }
    const principal = claims.sub ? principalOf(config, claims.sub) : undefined;
    if (!principal) return refuse(401, 'UNKNOWN_CLIENT', 'the token names no configured client');
    req.client = principal;
    if (!principal.roles.includes(requiredRole)) return refuse(403, 'ROLE_REQUIRED', `this call needs the ${requiredRole} role`);
    next();
  };
}
