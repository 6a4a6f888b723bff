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
    const unsigned: UnsignedRecord = { ...record, chainId, seq, prevHash };
    const hash = hashRecord(unsigned);
    linked.push({ ...unsigned, hash });
    prevHash = hash;
  }
  return { records: linked, head: { seq, hash: prevHash } };
}
