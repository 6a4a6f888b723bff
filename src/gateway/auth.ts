// Verifies the JWT every intake and admin call carries, then checks role, right and throttle.
//
// Keys: a token whose header has a `kid` is verified with that key of clients[].keys only, with the key's algorithm
// pinned (RS256, ES256, or HS256 where configured), and its `sub` must be the client owning the key. A token without
// `kid` is verified with the shared HS256 key (LGSP_JWT_SECRET or auth.developmentSigningKey: development, the demo
// clients and admin console tokens); a client that has keys of its own cannot use it. Always checked: issuer, audience,
// expiry, not-before, maximum age (iat), with the configured clock tolerance. Each refusal has its own code.
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import type { BusConfig } from '../config/load-config';
import type { ClientConfig, LimitConfig } from '../config/schema';
import { sendError } from './errors';
import { hasRight, rightsOf, type Right } from './rights';
import { Throttle } from './throttle';

export interface AuthenticatedClient {
  /** A client id, or `admin:<username>` for a person signed in to the admin console. */
  id: string;
  roles: readonly string[];
  canViewPersonalData: boolean;
  /** Rights (wildcards kept) from clients[].rights and the client's groups; none for admin console users. */
  rights: readonly string[];
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

function principalOf(config: BusConfig, subject: string): { principal: AuthenticatedClient; client?: ClientConfig } | undefined {
  if (subject.startsWith(ADMIN_SUBJECT_PREFIX)) {
    const admin = config.admins.find((a) => a.username === subject.slice(ADMIN_SUBJECT_PREFIX.length));
    return admin ? { principal: { id: subject, roles: ['admin'], canViewPersonalData: admin.canViewPersonalData, rights: [] } } : undefined;
  }
  const client = clientOf(config, subject);
  return client ? { principal: { id: client.id, roles: client.roles, canViewPersonalData: false, rights: rightsOf(config, client) }, client } : undefined;
}

declare module 'express-serve-static-core' {
  interface Request {
    client?: AuthenticatedClient;
  }
}

function sharedKey(config: BusConfig): string | undefined {
  return config.env[config.auth.signingKeyEnv] ?? process.env[config.auth.signingKeyEnv] ?? config.auth.developmentSigningKey;
}

export function signingKey(config: BusConfig): string {
  const key = sharedKey(config);
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

interface VerificationKey {
  kid: string;
  alg: 'RS256' | 'ES256' | 'HS256';
  clientId: string;
  material: KeyObject;
  issuer: string;
}

/**
 * Key objects are made once: given a string, jsonwebtoken first tries (and fails) to parse it as a public key, then
 * makes a secret key, on every verification.
 */
function secretKeyOf(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** Resolves every client key once per bus (keyed by its config); a missing secret or a wrong key type stops the start. */
const keyCache = new WeakMap<BusConfig, Map<string, VerificationKey>>();
export function verificationKeys(config: BusConfig): Map<string, VerificationKey> {
  const cached = keyCache.get(config);
  if (cached) return cached;
  const keys = new Map<string, VerificationKey>();
  for (const client of config.clients) {
    for (const key of client.keys) {
      const where = `clients ${client.id} key ${key.kid}`;
      if (keys.has(key.kid)) throw new Error(`${where}: kid is used twice`);
      let material: KeyObject;
      if (key.alg === 'HS256') {
        const secret = config.env[key.secretEnv!] ?? process.env[key.secretEnv!];
        if (!secret || Buffer.byteLength(secret) < 32) throw new Error(`${where}: set ${key.secretEnv} to a secret of at least 32 bytes`);
        material = secretKeyOf(secret);
      } else {
        try {
          material = createPublicKey(key.publicKeyPem!);
        } catch (error) {
          throw new Error(`${where}: publicKeyPem is not a public key (${(error as Error).message})`);
        }
        const type = material.asymmetricKeyType;
        const curve = material.asymmetricKeyDetails?.namedCurve;
        if (key.alg === 'RS256' && type !== 'rsa') throw new Error(`${where}: RS256 needs an RSA public key`);
        if (key.alg === 'ES256' && (type !== 'ec' || curve !== 'prime256v1')) throw new Error(`${where}: ES256 needs a P-256 EC public key`);
      }
      keys.set(key.kid, { kid: key.kid, alg: key.alg, clientId: client.id, material, issuer: key.issuer ?? config.auth.issuer });
    }
  }
  keyCache.set(config, keys);
  return keys;
}

/** One throttle per bus instance (keyed by its config object): counters are in-process. */
const throttles = new WeakMap<BusConfig, Throttle>();
function throttleOf(config: BusConfig): Throttle {
  let throttle = throttles.get(config);
  if (!throttle) throttles.set(config, (throttle = new Throttle()));
  return throttle;
}

type Verified = { ok: true; claims: jwt.JwtPayload; key?: VerificationKey } | { ok: false; code: string; message: string };

function verifyToken(config: BusConfig, keys: Map<string, VerificationKey>, shared: KeyObject | undefined, token: string): Verified {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') return { ok: false, code: 'TOKEN_INVALID', message: 'not a JWT with a JSON payload' };
  const { alg, kid } = decoded.header;
  if (!alg || alg.toLowerCase() === 'none') return { ok: false, code: 'TOKEN_UNSIGNED', message: 'unsigned tokens (alg none) are refused' };
  let key: VerificationKey | undefined;
  let material: KeyObject;
  let algorithm: jwt.Algorithm;
  let issuer = config.auth.issuer;
  if (kid !== undefined) {
    key = keys.get(kid);
    if (!key) return { ok: false, code: 'UNKNOWN_KID', message: 'the token names a key (kid) no client has' };
    ({ material, alg: algorithm, issuer } = key);
  } else {
    if (!shared) return { ok: false, code: 'KID_REQUIRED', message: 'tokens must name their key (kid)' };
    material = shared;
    algorithm = 'HS256';
  }
  if (alg !== algorithm) return { ok: false, code: 'TOKEN_ALGORITHM_MISMATCH', message: `this key verifies ${algorithm} tokens only` };
  let claims: jwt.JwtPayload | string;
  try {
    // Issuer and audience are checked below, after the signature, each with its own code.
    claims = jwt.verify(token, material, {
      algorithms: [algorithm],
      maxAge: config.auth.maxTokenAgeSeconds,
      clockTolerance: config.auth.clockToleranceSeconds,
    });
  } catch (error) {
    return { ok: false, ...refusalOf(error as Error) };
  }
  if (typeof claims === 'string') return { ok: false, code: 'TOKEN_INVALID', message: 'token payload must be a JSON object' };
  if (claims.iss !== issuer) return { ok: false, code: 'TOKEN_ISSUER_INVALID', message: `the token's issuer (iss) must be ${issuer}` };
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(config.auth.audience)) return { ok: false, code: 'TOKEN_AUDIENCE_INVALID', message: `the token's audience (aud) must include ${config.auth.audience}` };
  return { ok: true, claims, key };
}

function refusalOf(error: Error): { code: string; message: string } {
  if (error instanceof jwt.TokenExpiredError) {
    // jsonwebtoken reports a token older than maxAge as expired too; the message tells which limit it passed.
    return { code: 'TOKEN_EXPIRED', message: error.message === 'maxAge exceeded' ? 'the token is older than the maximum token age (iat)' : 'the token has expired' };
  }
  if (error instanceof jwt.NotBeforeError) return { code: 'TOKEN_NOT_YET_VALID', message: 'the token is not valid yet (nbf)' };
  if (error.message === 'invalid signature') return { code: 'TOKEN_SIGNATURE_INVALID', message: 'the token signature does not verify with its key' };
  return { code: 'TOKEN_INVALID', message: error.message };
}

/**
 * Express middleware: a valid token, the role, the right when one is named, then the client's throttle (its own limits
 * and, when `right` is named, those of `throttle.services[right]`).
 */
export function authenticate(config: BusConfig, requiredRole: 'intake' | 'admin', onRefused?: (code: string) => void, right?: Right) {
  const keys = verificationKeys(config);
  if (keys.size === 0) signingKey(config);
  const shared = sharedKey(config);
  const sharedKeyObject = shared === undefined ? undefined : secretKeyOf(shared);
  const throttle = throttleOf(config);
  return (req: Request, res: Response, next: NextFunction): void => {
    const refuse = (status: 401 | 403 | 429, code: string, message: string) => {
      onRefused?.(code);
      if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      sendError(res, status, code, message);
    };
    const header = req.headers.authorization;
    if (!header || !header.startsWith('Bearer ')) return refuse(401, 'AUTH_REQUIRED', 'a Bearer token is required');
    const verified = verifyToken(config, keys, sharedKeyObject, header.slice(7));
    if (!verified.ok) return refuse(401, verified.code, verified.message);
    const subject = verified.claims.sub;
    if (verified.key && subject !== verified.key.clientId) return refuse(401, 'TOKEN_CLIENT_MISMATCH', 'the key (kid) belongs to another client than the token subject');
    const found = subject ? principalOf(config, subject) : undefined;
    if (!found) return refuse(401, 'UNKNOWN_CLIENT', 'the token names no configured client');
    if (!verified.key && found.client && found.client.keys.length > 0) return refuse(401, 'KID_REQUIRED', 'this client signs its tokens with its own keys (kid)');
    const principal = found.principal;
    req.client = principal;
    if (!principal.roles.includes(requiredRole)) return refuse(403, 'ROLE_REQUIRED', `this call needs the ${requiredRole} role`);
    if (right && !hasRight(principal.rights, right)) return refuse(403, 'RIGHT_REQUIRED', `this call needs the ${right} right`);
    const limits = limitsOf(found.client, right);
    if (limits.length > 0) {
      const decision = throttle.acquire(limits);
      if (!decision.ok) {
        res.setHeader('Retry-After', String(decision.retryAfterSeconds));
        return refuse(429, 'THROTTLED', `too many requests (${decision.reason}); retry after ${decision.retryAfterSeconds} s`);
      }
      res.once('finish', decision.release);
      res.once('close', decision.release);
    }
    next();
  };
}

function limitsOf(client: ClientConfig | undefined, right: Right | undefined): { key: string; limits: LimitConfig }[] {
  const throttle = client?.throttle;
  if (!client || !throttle) return [];
  const limits: { key: string; limits: LimitConfig }[] = [];
  if (throttle.rate !== undefined || throttle.concurrent !== undefined) limits.push({ key: `client ${client.id}`, limits: throttle });
  const service = right ? throttle.services[right] : undefined;
  if (service && (service.rate !== undefined || service.concurrent !== undefined)) limits.push({ key: `client ${client.id} ${right}`, limits: service });
  return limits;
}
