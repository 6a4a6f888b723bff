// The audit room's public surface: what the bus and the CLIs import.
export type { AuditLog, AuditWriterOptions } from './audit-log';
export { ChainedAuditLog } from './audit-log';
export type { AuditConfig, AuditStoreConfig } from './config';
export { openAuditLog, openAuditStore, loadSigner } from './config';
export { AuditError, type AuditErrorCode } from './errors';
export { parseAuditCursor } from './audit-sql';
export { CheckpointSigner, generateDevKeyPair, loadPublicKey } from './checkpoint-signer';
export { DEFAULT_PERSONAL_FIELDS, PersonalDataProtector, decryptField } from './personal-data';
export { BundleSource, buildBundle, writeBundle } from './bundle';
export { exportAndPrune, type RetentionOptions, type RetentionResult } from './retention';
export { verifyAudit, formatReport } from './verifier';
export type * from './types';
