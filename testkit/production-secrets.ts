// What a bus process of the bench and the chaos suite needs to run the production profile: its secrets in the
// environment (never the published demo values) and an audit signing key of its own, written before it starts.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_SIGNING_KEY } from './bus-process';
import { DOSSIER_SECRET_ENV } from './config/dossier-flow-config';

/** The environment a production-profile bus process is started with (client key and the simulators' credentials). */
export const PRODUCTION_SECRET_ENV = { LGSP_JWT_SECRET: TEST_SIGNING_KEY, ...DOSSIER_SECRET_ENV } as const;

/** The flows' secrets the shipped config/bus.yaml names, with values of its own (not the demo's): the loader resolves them at start. */
export const SHIPPED_FLOW_SECRET_ENV = {
  ...DOSSIER_SECRET_ENV,
  EDOC_AXIS_SECRET: 'axis-secret-of-the-province-0123456789',
  QLVB_BUDANG_PUSH_TOKEN: 'push-token-of-the-district-0123456789',
} as const;

/** Writes the audit signing key (Ed25519, PKCS#8 PEM) the bus reads from audit.signingKeyFile under its data dir. */
export function writeAuditSigningKey(dataDir: string, file = 'audit-signing.pem'): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(path.join(dataDir, file), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
}
