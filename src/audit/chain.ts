// Chain hashing: record hash = SHA-256(prevHash || canonical(record)), the genesis hash, and linking a batch onto a head.
import { createHash } from 'node:crypto';
import { canonicalRecord } from './canonical';
import type { AuditRecord, UnsignedRecord } from './types';

/** prevHash of a chain's first record. */
export const GENESIS_HASH = '0'.repeat(64);

export function hashRecord(record: UnsignedRecord): string {
  return createHash('sha256').update(record.prevHash, 'utf8').update(canonicalRecord(record), 'utf8').digest('hex');
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/** What a writer holds of a record before it is linked into a chain. */
export type RecordContent = Omit<UnsignedRecord, 'chainId' | 'seq' | 'prevHash'>;

/** Gives each record the chain, the next seq and the previous hash, hashes it, and returns the records with the new head. */
export function linkRecords(head: ChainHead, chainId: string, records: RecordContent[]): { records: AuditRecord[]; head: ChainHead } {
  let seq = head.seq;
  let prevHash = head.hash;
  const linked: AuditRecord[] = [];
  for (const record of records) {
    seq += 1;
    const link = linkRecord(record, chainId, seq, prevHash);
    linked.push(link);
    prevHash = link.hash;
  }
  return { records: linked, head: { seq, hash: prevHash } };
}

/**
 * The record at `seq` of the chain, after `prevHash`, with its hash. Its fields are written out (the compiler holds
 * the list to the record's type): on Node 20 a spread that adds properties to a record this size took ~6.6 µs
 * against ~0.05, and every message writes several records.
 */
function linkRecord(content: RecordContent, chainId: string, seq: number, prevHash: string): AuditRecord {
  const record: AuditRecord = {
    chainId,
    seq,
    prevHash,
    at: content.at,
    step: content.step,
    outcome: content.outcome,
    messageId: content.messageId,
    correlationId: content.correlationId,
    subject: content.subject,
    client: content.client,
    route: content.route,
    errorCode: content.errorCode,
    reason: content.reason,
    startedAt: content.startedAt,
    durationMs: content.durationMs,
    requestBytes: content.requestBytes,
    responseBytes: content.responseBytes,
    payloadDigest: content.payloadDigest,
    payload: content.payload,
    actor: content.actor,
    details: content.details,
    hash: '',
  };
  record.hash = hashRecord(record);
  return record;
}
