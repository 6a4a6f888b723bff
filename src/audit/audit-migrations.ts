// The schema of the audit tables of one prefix, one version a step, for both dialects (the rules: src/stores/migrations.ts,
// docs/decisions.md).
import type { PostgresMigration } from '../stores/postgres/postgres-migrator';
import type { SqliteMigration } from '../stores/sqlite/sqlite-migrator';

/** Owner name in schema_migrations of the audit tables of prefix `p`: each prefix is a schema of its own. */
export function auditSchemaOwner(p: string): string {
  return `audit:${p}`;
}

function tablesV1(p: string, bigint: 'INTEGER' | 'BIGINT'): string {
  return `
  CREATE TABLE IF NOT EXISTS ${p}records (
    chain_id TEXT NOT NULL,
    seq ${bigint} NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    step TEXT NOT NULL,
    outcome TEXT NOT NULL,
    message_id TEXT,
    correlation_id TEXT,
    subject TEXT,
    client TEXT,
    route TEXT,
    error_code TEXT,
    reason TEXT,
    started_at TEXT,
    duration_ms ${bigint},
    request_bytes ${bigint},
    response_bytes ${bigint},
    payload_digest TEXT,
    payload TEXT,
    actor TEXT,
    details TEXT,
    PRIMARY KEY (chain_id, seq)
  );
  CREATE INDEX IF NOT EXISTS ${p}records_message ON ${p}records(message_id);
  CREATE INDEX IF NOT EXISTS ${p}records_correlation ON ${p}records(correlation_id);
  CREATE INDEX IF NOT EXISTS ${p}records_subject ON ${p}records(subject);
  CREATE INDEX IF NOT EXISTS ${p}records_at ON ${p}records(at, chain_id, seq);
  CREATE TABLE IF NOT EXISTS ${p}checkpoints (
    chain_id TEXT NOT NULL,
    seq ${bigint} NOT NULL,
    head_hash TEXT NOT NULL,
    at TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (chain_id, seq)
  );
  CREATE TABLE IF NOT EXISTS ${p}anchors (
    chain_id TEXT NOT NULL,
    through_seq ${bigint} NOT NULL,
    head_hash TEXT NOT NULL,
    bundle_name TEXT NOT NULL,
    bundle_digest TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    PRIMARY KEY (chain_id, through_seq)
  );
  CREATE TABLE IF NOT EXISTS ${p}chains (
    chain_id TEXT PRIMARY KEY,
    owner_host TEXT NOT NULL,
    owner_pid ${bigint} NOT NULL,
    owner_token TEXT NOT NULL,
    renewed_at_ms ${bigint} NOT NULL,
    lease_ms ${bigint} NOT NULL,
    state TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ${p}seals (
    chain_id TEXT PRIMARY KEY,
    seq ${bigint} NOT NULL,
    head_hash TEXT NOT NULL,
    at TEXT NOT NULL,
    sealed_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    owner_last_seen_at TEXT,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
  );`;
}

const V1_NAME = 'records, checkpoints, anchors, chains, seals';

export function sqliteAuditMigrations(p: string): SqliteMigration[] {
  return [{ version: 1, name: V1_NAME, up: (db) => db.exec(tablesV1(p, 'INTEGER')) }];
}

export function postgresAuditMigrations(p: string): PostgresMigration[] {
  return [{ version: 1, name: V1_NAME, up: tablesV1(p, 'BIGINT') }];
}
