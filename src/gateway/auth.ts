// Verifies the JWT every intake and admin call carries: algorithm pinned, issuer, audience, expiry, age checked,
// and the subject must be a configured client.
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import type { BusConfig } from '../config/load-config';
import type { ClientConfig } from '../config/schema';
import { sendError } from './errors';

export interface AuthenticatedClient {
  id: string;
  roles: readonly string[];
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
    const client = claims.sub ? clientOf(config, claims.sub) : undefined;
    if (!client) return refuse(401, 'UNKNOWN_CLIENT', 'the token names no configured client');
    if (!client.roles.includes(requiredRole)) return refuse(403, 'ROLE_REQUIRED', `this call needs the ${requiredRole} role`);
    req.client = { id: client.id, roles: client.roles };
    next();
  };
}
