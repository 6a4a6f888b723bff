// Verifies the JWT every client call carries, then checks role, right and throttle; and the admin console's sessions.
//
// Client keys: a token whose header has a `kid` is verified with that key of clients[].keys only, with the key's
// algorithm pinned (RS256, ES256, or HS256 where configured), and its `sub` must be the client owning the key. A token
// without `kid` is verified with the shared HS256 key (LGSP_JWT_SECRET, or auth.developmentSigningKey in the
// development profile); a client that has keys of its own cannot use it. Always checked: issuer, audience, expiry
// (required), not-before, issued-at (required, not in the future), lifetime (`exp - iat`) and age within the maximum
// token age, with the configured clock tolerance; a `crit` header is refused (no extension is understood). Each refusal
// has its own code. `admin:` subjects and admin session tokens are refused on every client path: admin console
// sessions are signed with a key no client holds (admin-sessions.ts). A client token that verified is not verified again
// until its expiry or maximum age (verified-tokens.ts).
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { CORE_SECRETS, type BusConfig } from '../../config/load-config';
import type { ClientConfig, LimitConfig } from '../../config/schema';
import { ERRORS, type ErrorCode } from '../../core/errors';
import { sendError } from '../errors';
import { ADMIN_SESSION_KID, ADMIN_SUBJECT_PREFIX, type AdminSessions } from './admin-sessions';
import { hasRight, rightsOf, type Right } from './rights';
import { Throttle } from './throttle';
import { VerifiedTokens, verifiedUntilMs } from './verified-tokens';

export interface AuthenticatedClient {
  /** A client id, or `admin:<username>` for a person signed in to the admin console. */
  id: string;
  roles: readonly string[];
  canViewPersonalData: boolean;
  /** Rights (wildcards kept) from clients[].rights and the client's groups; none for admin console users. */
  rights: readonly string[];
}

function clientPrincipal(config: BusConfig, client: ClientConfig): AuthenticatedClient {
  return { id: client.id, roles: client.roles, canViewPersonalData: false, rights: rightsOf(config, client) };
}

declare module 'express-serve-static-core' {
  interface Request {
    client?: AuthenticatedClient;
  }
}

/** The shared client key: the environment's, or in the development profile the development key. */
function sharedKey(config: BusConfig): string | undefined {
  return config.secrets.find(CORE_SECRETS.sharedClientKey);
}

export function signingKey(config: BusConfig): string {
  const key = sharedKey(config);
  if (!key) throw new Error(`no JWT signing key: set ${config.auth.signingKeyEnv}${config.development ? ' or auth.developmentSigningKey' : ''}`);
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
  for (const [i, client] of config.clients.entries()) {
    for (const [j, key] of client.keys.entries()) {
      const where = `clients ${client.id} key ${key.kid}`;
      if (keys.has(key.kid)) throw new Error(`${where}: kid is used twice`);
      let material: KeyObject;
      if (key.alg === 'HS256') {
        // Resolved at start, where a missing or short one stopped the start.
        const secret = config.secrets.find(CORE_SECRETS.clientKey(i, j));
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

type Verified = { ok: true; claims: jwt.JwtPayload & { sub: string }; key?: VerificationKey } | { ok: false; code: ErrorCode; message: string };

/** The header fields a token may carry; anything the bus must understand and does not (`crit`) refuses it. */
function headerRefusal(header: jwt.JwtHeader & { crit?: unknown }): { code: ErrorCode; message: string } | null {
  if (!header.alg || header.alg.toLowerCase() === 'none') return { code: 'TOKEN_UNSIGNED', message: 'unsigned tokens (alg none) are refused' };
  // RFC 7515 §4.1.11: a recipient that does not understand every listed extension must refuse the token.
  if (header.crit !== undefined) return { code: 'TOKEN_CRIT_UNSUPPORTED', message: 'the token names critical header extensions (crit); none is supported' };
  if (header.kid === ADMIN_SESSION_KID) return { code: 'ADMIN_SESSION_NOT_ALLOWED', message: 'an admin console session is not a client token' };
  return null;
}

function verifyToken(config: BusConfig, keys: Map<string, VerificationKey>, shared: KeyObject | undefined, token: string): Verified {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string') return { ok: false, code: 'TOKEN_INVALID', message: 'not a JWT with a JSON payload' };
  const badHeader = headerRefusal(decoded.header);
  if (badHeader) return { ok: false, ...badHeader };
  const { alg, kid } = decoded.header;
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
  const lifetime = lifetimeRefusal(config, claims);
  if (lifetime) return { ok: false, ...lifetime };
  if (claims.iss !== issuer) return { ok: false, code: 'TOKEN_ISSUER_INVALID', message: `the token's issuer (iss) must be ${issuer}` };
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(config.auth.audience)) return { ok: false, code: 'TOKEN_AUDIENCE_INVALID', message: `the token's audience (aud) must include ${config.auth.audience}` };
  const sub: unknown = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0) return { ok: false, code: 'TOKEN_SUBJECT_INVALID', message: 'the token subject (sub) must be a client id' };
  if (sub.startsWith(ADMIN_SUBJECT_PREFIX)) return { ok: false, code: 'TOKEN_SUBJECT_INVALID', message: 'admin: subjects are admin console sessions, never client tokens' };
  return { ok: true, claims: { ...claims, sub }, key };
}

/**
 * A token must say when it expires and when it was issued; one issued in the future (beyond the clock tolerance) would
 * outlive the maximum age, and so would one whose lifetime exceeds it.
 */
function lifetimeRefusal(config: BusConfig, claims: jwt.JwtPayload): { code: ErrorCode; message: string } | null {
  const { maxTokenAgeSeconds: maxAge, clockToleranceSeconds: tolerance } = config.auth;
  if (typeof claims.exp !== 'number') return { code: 'TOKEN_EXPIRY_REQUIRED', message: 'the token must say when it expires (exp)' };
  if (typeof claims.iat !== 'number') return { code: 'TOKEN_INVALID', message: 'the token must say when it was issued (iat)' };
  if (claims.iat > Math.floor(Date.now() / 1000) + tolerance) return { code: 'TOKEN_ISSUED_IN_FUTURE', message: 'the token says it was issued in the future (iat)' };
  if (claims.exp - claims.iat > maxAge) return { code: 'TOKEN_LIFETIME_TOO_LONG', message: `the token's lifetime (exp - iat) is over the maximum token age of ${maxAge} s` };
  return null;
}

function refusalOf(error: Error): { code: ErrorCode; message: string } {
  if (error instanceof jwt.TokenExpiredError) {
    // jsonwebtoken reports a token older than maxAge as expired too; the message tells which limit it passed.
    return { code: 'TOKEN_EXPIRED', message: error.message === 'maxAge exceeded' ? 'the token is older than the maximum token age (iat)' : 'the token has expired' };
  }
  if (error instanceof jwt.NotBeforeError) return { code: 'TOKEN_NOT_YET_VALID', message: 'the token is not valid yet (nbf)' };
  if (error.message === 'invalid signature') return { code: 'TOKEN_SIGNATURE_INVALID', message: 'the token signature does not verify with its key' };
  return { code: 'TOKEN_INVALID', message: error.message };
}

type Refuse = (code: ErrorCode, message: string) => void;

function refuser(res: Response): Refuse {
  return (code, message) => {
    if (ERRORS[code].status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    sendError(res, code, message);
  };
}

type ClientCheck = { ok: true; client: ClientConfig } | { ok: false; code: ErrorCode; message: string };

/** The configured client a client token stands for, or why it stands for none; a token that verified is kept. */
function clientOfToken(config: BusConfig, material: KeyMaterial, token: string): ClientCheck {
  const known = material.verified.get(token, Date.now());
  if (known !== undefined) return { ok: true, client: known };
  const verified = verifyToken(config, material.keys, material.shared, token);
  if (!verified.ok) return verified;
  const subject = verified.claims.sub;
  if (verified.key && subject !== verified.key.clientId) return { ok: false, code: 'TOKEN_CLIENT_MISMATCH', message: 'the key (kid) belongs to another client than the token subject' };
  const client = clientOf(config, subject);
  if (!client) return { ok: false, code: 'UNKNOWN_CLIENT', message: 'the token names no configured client' };
  if (!verified.key && client.keys.length > 0) return { ok: false, code: 'KID_REQUIRED', message: 'this client signs its tokens with its own keys (kid)' };
  // verifyToken refused a token without a numeric exp and iat.
  const { exp, iat } = verified.claims as { exp: number; iat: number };
  material.verified.remember(token, client, verifiedUntilMs({ exp, iat }, config.auth.maxTokenAgeSeconds));
  return { ok: true, client };
}

function bearerOf(req: Request): string | null {
  const header = req.headers.authorization;
  return header && header.startsWith('Bearer ') ? header.slice(7) : null;
}

interface KeyMaterial {
  keys: Map<string, VerificationKey>;
  shared: KeyObject | undefined;
  /** Client tokens that verified, shared by every middleware of the bus. */
  verified: VerifiedTokens<ClientConfig>;
}

/** Client tokens kept verified per bus (keyed by its config): enough for every token of a thousand connected systems. */
const VERIFIED_TOKENS_KEPT = 4096;
const verifiedTokens = new WeakMap<BusConfig, VerifiedTokens<ClientConfig>>();

/** Resolved once per middleware: the client keys, the shared key object and the bus's verified tokens. */
function keyMaterial(config: BusConfig): KeyMaterial {
  const keys = verificationKeys(config);
  const shared = sharedKey(config);
  let verified = verifiedTokens.get(config);
  if (!verified) verifiedTokens.set(config, (verified = new VerifiedTokens(VERIFIED_TOKENS_KEPT)));
  return { keys, shared: shared === undefined ? undefined : secretKeyOf(shared), verified };
}

/**
 * Express middleware for client calls: a valid client token, the intake role, the right when one is named, then the client's
 * throttle (its own limits and, when `right` is named, those of `throttle.services[right]`).
 */
export function authenticate(config: BusConfig, right?: Right) {
  const material = keyMaterial(config);
  const throttle = throttleOf(config);
  return (req: Request, res: Response, next: NextFunction): void => {
    const refuse = refuser(res);
    const token = bearerOf(req);
    if (token === null) return refuse('AUTH_REQUIRED', 'a Bearer token is required');
    const found = clientOfToken(config, material, token);
    if (!found.ok) return refuse(found.code, found.message);
    const principal = clientPrincipal(config, found.client);
    req.client = principal;
    if (!principal.roles.includes('intake')) return refuse('ROLE_REQUIRED', 'this call needs the intake role');
    if (right && !hasRight(principal.rights, right)) return refuse('RIGHT_REQUIRED', `this call needs the ${right} right`);
    const limits = limitsOf(found.client, right);
    if (limits.length > 0) {
      const decision = throttle.acquire(limits);
      if (!decision.ok) {
        res.setHeader('Retry-After', String(decision.retryAfterSeconds));
        return refuse('THROTTLED', `too many requests (${decision.reason}); retry after ${decision.retryAfterSeconds} s`);
      }
      res.once('finish', decision.release);
      res.once('close', decision.release);
    }
    next();
  };
}

/**
 * Express middleware for the admin API: an admin console session (its own key, audience and use, not signed out), or
 * the token of a client that holds the admin role. `res.locals.adminSession` is the session, when it is one.
 */
export function authenticateAdmin(config: BusConfig, sessions: AdminSessions) {
  const material = keyMaterial(config);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const refuse = refuser(res);
    const token = bearerOf(req);
    if (token === null) return refuse('AUTH_REQUIRED', 'a Bearer token is required');
    const header = jwt.decode(token, { complete: true })?.header;
    if (header?.kid === ADMIN_SESSION_KID && header.crit === undefined) {
      let checked;
      try {
        checked = await sessions.check(token);
      } catch {
        return void sendError(res, 'STORE_UNAVAILABLE', 'the session cannot be checked now; try again');
      }
      if (!checked.ok) return refuse(checked.code, checked.message);
      const admin = config.admins.find((a) => a.username === checked.session.username);
      if (!admin) return refuse('UNKNOWN_CLIENT', 'the session names no configured admin');
      req.client = { id: `${ADMIN_SUBJECT_PREFIX}${admin.username}`, roles: ['admin'], canViewPersonalData: admin.canViewPersonalData, rights: [] };
      res.locals.adminSession = checked.session;
      return next();
    }
    const found = clientOfToken(config, material, token);
    if (!found.ok) return refuse(found.code, found.message);
    req.client = clientPrincipal(config, found.client);
    if (!found.client.roles.includes('admin')) return refuse('ROLE_REQUIRED', 'this call needs the admin role');
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

/**
 * Express middleware for a read both the connected systems and the admin console make: an admin console session (or
 * a client with the admin role) as the admin API takes it, else a client token with `right` as every client call.
 */
export function authenticateClientOrAdmin(config: BusConfig, sessions: AdminSessions, right: Right) {
  const asAdmin = authenticateAdmin(config, sessions);
  const asClient = authenticate(config, right);
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = bearerOf(req);
    const header = token === null ? undefined : jwt.decode(token, { complete: true })?.header;
    if (header?.kid === ADMIN_SESSION_KID) return void asAdmin(req, res, next);
    asClient(req, res, next);
  };
}
