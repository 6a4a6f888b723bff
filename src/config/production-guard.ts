// Refuses to start the production profile on anything published for the demo: the development signing key, the demo
// admin password, a generated audit key, an admin console without its own session key. Each problem names its setting.
import { verifyPassword } from '../core/password-hash';
import type { DeploymentProfile } from './deployment-profile';
import type { BusFileConfig } from './schema';

/** The demo admin's password, published with the project (README, config/bus.development.yaml). */
export const DEMO_ADMIN_PASSWORD = 'admin-dev-password';

/** Shared client keys published with the project (the development overlay, the compose file's old placeholder). */
const PUBLISHED_SIGNING_KEYS = new Set(['dev-only-signing-key-change-me-0123456789abcdef', 'change-me-change-me-change-me-0123456789']);

/** Secrets shorter than this are refused for HMAC keys (RFC 7518 §3.2: at least the hash output size). */
export const MIN_HMAC_KEY_BYTES = 32;

export interface GuardInput {
  profile: DeploymentProfile;
  config: BusFileConfig;
  /** Environment values by name (secrets are looked up here). */
  env: Readonly<Record<string, string | undefined>>;
}

export function productionProblems({ profile, config, env }: GuardInput): string[] {
  const problems: string[] = [];
  const auth = config.auth;
  if (profile === 'development') {
    if (env.NODE_ENV === 'production') problems.push(`environment: LGSP_PROFILE=development under NODE_ENV=production; the development profile runs on published demo secrets`);
    return problems;
  }
  const sharedKey = env[auth.signingKeyEnv];
  if (auth.developmentSigningKey !== undefined) {
    problems.push(`bus.yaml: auth.developmentSigningKey is a development setting (LGSP_PROFILE=development); production signs client tokens with ${auth.signingKeyEnv} or per-client keys`);
  }
  if (sharedKey !== undefined && PUBLISHED_SIGNING_KEYS.has(sharedKey)) problems.push(`environment: ${auth.signingKeyEnv} holds a key published with the project; set a secret of your own`);
  if (sharedKey !== undefined && Buffer.byteLength(sharedKey) < MIN_HMAC_KEY_BYTES) problems.push(`environment: ${auth.signingKeyEnv} must be at least ${MIN_HMAC_KEY_BYTES} bytes`);
  config.admins.forEach((admin, i) => {
    if (verifyPassword(DEMO_ADMIN_PASSWORD, admin.passwordHash)) {
      problems.push(`bus.yaml: admins.${i}.passwordHash (${admin.username}) verifies the published demo password; make a hash of a real password with npm run -s admin-hash`);
    }
  });
  // An unset admin session key is the secret resolver's to report (auth.adminSessionKeyEnv, required when admins exist).
  const sessionKey = env[auth.adminSessionKeyEnv];
  if (config.admins.length > 0 && sessionKey !== undefined) {
    if (Buffer.byteLength(sessionKey) < MIN_HMAC_KEY_BYTES) problems.push(`environment: ${auth.adminSessionKeyEnv} must be at least ${MIN_HMAC_KEY_BYTES} bytes`);
    else if (sessionKey === sharedKey) problems.push(`environment: ${auth.adminSessionKeyEnv} equals ${auth.signingKeyEnv}; a client key holder could sign admin sessions`);
  }
  if (config.audit.generateSigningKey === true) {
    problems.push('bus.yaml: audit.generateSigningKey is a development setting; production provides its own audit signing key (audit.signingKeyFile)');
  }
  return problems;
}
