// Opens the bus's audit log from its config: the store beside the others (SQLite in the data dir, or PostgreSQL),
// the checkpoint signing key (created on first start in development), personal-data protection.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BusConfig } from '../config/load-config';
import { openAuditLog } from './config';
import type { AuditLog } from './audit-log';
import { writeSigningKeyPair } from './checkpoint-signer';

export interface OpenBusAuditOptions {
  /** Told when a development signing key was created, so it can be said out loud. */
  onKeyCreated?: (privateKeyFile: string, publicKeyFile: string) => void;
}

export async function openBusAudit(config: BusConfig, options: OpenBusAuditOptions = {}): Promise<AuditLog> {
  const dataDir = path.resolve(config.stores.dataDir);
  const keyFile = path.resolve(dataDir, config.audit.signingKeyFile);
  if (!existsSync(keyFile)) {
    if (!config.audit.generateSigningKey) throw new Error(`audit signing key ${keyFile} is missing (audit.generateSigningKey is off)`);
    const publicKeyFile = keyFile.replace(/(\.pem)?$/, '.pub.pem');
    writeSigningKeyPair(keyFile, publicKeyFile);
    options.onKeyCreated?.(keyFile, publicKeyFile);
  }
  const encryptionEnv = config.audit.personalData.encryptionKeyEnv;
  const encryptionKey = encryptionEnv ? (config.env[encryptionEnv] ?? process.env[encryptionEnv]) : undefined;
  if (config.audit.personalData.mode === 'encrypt' && !encryptionKey) {
    throw new Error(`audit.personalData.mode is encrypt but ${encryptionEnv ?? 'audit.personalData.encryptionKeyEnv'} holds no key`);
  }
  return openAuditLog({
    store: config.stores.databaseUrl
      ? { kind: 'postgres', databaseUrl: config.stores.databaseUrl }
      : { kind: 'sqlite', file: path.join(dataDir, 'audit.db') },
    signingKey: { file: keyFile },
    payload: config.audit.payload,
    personalData: { mode: config.audit.personalData.mode, encryptionKey: encryptionKey ? { base64: encryptionKey } : undefined },
    checkpointIntervalMs: config.audit.checkpointIntervalMs,
  });
}
