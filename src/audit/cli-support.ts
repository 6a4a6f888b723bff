// What the audit CLIs share: opening the store named on the command line and finding the trusted public keys.
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuditStore } from './audit-store';
import { CheckpointSigner, loadPublicKey } from './checkpoint-signer';
import { openAuditStore } from './config';

export interface StoreArgs {
  sqlite?: string;
  'database-url'?: string;
  'table-prefix'?: string;
}

export async function openStoreFromArgs(args: StoreArgs, env: NodeJS.ProcessEnv): Promise<AuditStore | null> {
  const tablePrefix = args['table-prefix'];
  if (args.sqlite) return openAuditStore({ store: { kind: 'sqlite', file: args.sqlite }, tablePrefix });
  const url = args['database-url'] ?? env.LGSP_DATABASE_URL;
  if (url) return openAuditStore({ store: { kind: 'postgres', databaseUrl: url }, tablePrefix });
  return null;
}

/** --public-key files, else LGSP_AUDIT_PUBLIC_KEY_FILE, else the public half of --signing-key / LGSP_AUDIT_SIGNING_KEY_FILE. */
export function trustedKeysFromArgs(publicKeyFiles: string[], signingKeyFile: string | undefined, env: NodeJS.ProcessEnv): KeyObject[] {
  if (publicKeyFiles.length > 0) return publicKeyFiles.map((f) => loadPublicKey(readFileSync(f, 'utf8')));
  if (env.LGSP_AUDIT_PUBLIC_KEY_FILE) return [loadPublicKey(readFileSync(env.LGSP_AUDIT_PUBLIC_KEY_FILE, 'utf8'))];
  const signing = signingKeyFile ?? env.LGSP_AUDIT_SIGNING_KEY_FILE;
  if (signing) return [CheckpointSigner.fromFile(signing).publicKey];
  return [];
}

/** Options every audit CLI takes: where the log is, which keys to trust, which chains. */
export const AUDIT_CLI_OPTIONS = {
  sqlite: { type: 'string' },
  'database-url': { type: 'string' },
  'public-key': { type: 'string', multiple: true },
  'signing-key': { type: 'string' },
  'table-prefix': { type: 'string' },
  chain: { type: 'string', multiple: true },
  help: { type: 'boolean' },
} as const;
