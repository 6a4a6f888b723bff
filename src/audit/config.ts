// Audit room configuration and the one factory the bus calls: opens the store, loads the signing and encryption keys, returns an AuditLog.
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { ChainedAuditLog, type AuditLog, type AuditWriterOptions } from './audit-log';
import type { AuditStore } from './audit-store';
import { CheckpointSigner, loadPublicKey } from './checkpoint-signer';
import { AuditError } from './errors';
import { DEFAULT_PERSONAL_FIELDS, PersonalDataProtector, type PersonalDataMode } from './personal-data';
import { PostgresAuditStore } from './postgres-audit-store';
import { SqliteAuditStore } from './sqlite-audit-store';

export type AuditStoreConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; databaseUrl: string };

export interface AuditConfig {
  store: AuditStoreConfig;
  /** Table name prefix (default `audit_`). */
  tablePrefix?: string;
  /** See AuditWriterOptions.chainId. */
  chainId?: string;
  /** Ed25519 private key: PEM text or a PEM file. */
  signingKey: { pem: string } | { file: string };
  /** Previous public keys still trusted by verify (PEM text). */
  trustedPublicKeys?: string[];
  /** `full` (default) or `metadata` (X-Road's "metadata only": digest and sizes, no body). */
  payload?: 'full' | 'metadata';
  personalData?: {
    /** Default `mask`. */
    mode?: PersonalDataMode;
    /** Default DEFAULT_PERSONAL_FIELDS. */
    fields?: string[];
    /** 32-byte AES-256-GCM key, base64 or a file holding base64; needed for `encrypt`. */
    encryptionKey?: { base64: string } | { file: string };
  };
  checkpointIntervalMs?: number;
  checkpointEveryRecords?: number;
  leaseMs?: number;
  maxBatch?: number;
  probeIntervalMs?: number;
  /** Seal orphaned chains (see AuditWriterOptions.sealOrphans); unleased ones only on SQLite, where one process owns the store. */
  sealOrphans?: boolean;
  onSealed?: AuditWriterOptions['onSealed'];
  onChainReplaced?: AuditWriterOptions['onChainReplaced'];
}

export function openAuditStore(config: Pick<AuditConfig, 'store' | 'tablePrefix'>): Promise<AuditStore> {
  if (config.store.kind === 'sqlite') return Promise.resolve(new SqliteAuditStore({ file: config.store.file, tablePrefix: config.tablePrefix }));
  return PostgresAuditStore.open({ databaseUrl: config.store.databaseUrl, tablePrefix: config.tablePrefix });
}

export function loadSigner(key: AuditConfig['signingKey']): CheckpointSigner {
  return 'pem' in key ? CheckpointSigner.fromPem(key.pem) : CheckpointSigner.fromFile(key.file);
}

function loadEncryptionKey(key: { base64: string } | { file: string }): Buffer {
  const text = 'base64' in key ? key.base64 : readFileSync(key.file, 'utf8');
  const bytes = Buffer.from(text.trim(), 'base64');
  if (bytes.length !== 32) throw new AuditError('the audit personal-data key must be 32 bytes (base64)', 'AUDIT_CONFIG');
  return bytes;
}

export async function openAuditLog(config: AuditConfig): Promise<AuditLog> {
  const signer = loadSigner(config.signingKey);
  const pd = config.personalData ?? {};
  const mode = pd.mode ?? 'mask';
  const protector = new PersonalDataProtector({
    mode,
    fields: pd.fields ?? DEFAULT_PERSONAL_FIELDS,
    encryptionKey: mode === 'encrypt' && pd.encryptionKey ? loadEncryptionKey(pd.encryptionKey) : undefined,
  });
  const trusted: KeyObject[] = (config.trustedPublicKeys ?? []).map(loadPublicKey);
  const store = await openAuditStore(config);
  return ChainedAuditLog.open(store, signer, protector, {
    chainId: config.chainId,
    payloadMode: config.payload ?? 'full',
    checkpointIntervalMs: config.checkpointIntervalMs,
    checkpointEveryRecords: config.checkpointEveryRecords,
    leaseMs: config.leaseMs,
    maxBatch: config.maxBatch,
    probeIntervalMs: config.probeIntervalMs,
    trustedPublicKeys: trusted,
    sealOrphans: config.sealOrphans ? { includeUnleased: store.kind === 'sqlite' } : undefined,
    onSealed: config.onSealed,
    onChainReplaced: config.onChainReplaced,
  });
}
