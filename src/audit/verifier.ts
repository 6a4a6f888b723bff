// The verifier: recomputes every record hash, walks each chain (gapless seq, prevHash links), checks every checkpoint and seal, reports the first bad record and each unsigned tail.
import type { KeyObject } from 'node:crypto';
import type { AuditSource } from './audit-store';
import { GENESIS_HASH, hashRecord } from './chain';
import { checkpointSignatureValid, keyIdOf, sealSignatureValid } from './checkpoint-signer';
import type { AuditRecord, ChainVerifyReport, SignedCheckpoint, VerifyFailure, VerifyReport } from './types';

const PAGE = 1000;

export interface VerifyOptions {
  /** Trusted checkpoint keys (distributed apart from the log). */
  publicKeys: KeyObject[];
  /** Verify only these chains (default: every chain in the source). */
  chainIds?: string[];
}

export async function verifyAudit(source: AuditSource, options: VerifyOptions): Promise<VerifyReport> {
  const keys = new Map(options.publicKeys.map((k) => [keyIdOf(k), k]));
  const chainIds = options.chainIds ?? (await source.chainIds());
  const chains: ChainVerifyReport[] = [];
  for (const chainId of chainIds) chains.push(await verifyChain(source, chainId, keys));
  const failure = chains.find((c) => c.failure !== null)?.failure ?? null;
  return { ok: failure === null, unsignedTails: chains.filter((c) => c.failure === null && c.unsignedTail > 0).length, chains, failure };
}

async function verifyChain(source: AuditSource, chainId: string, keys: Map<string, KeyObject>): Promise<ChainVerifyReport> {
  const checkpoints = await source.checkpoints(chainId);
  const seal = await source.seal(chainId);
  const report: ChainVerifyReport = { chainId, firstSeq: null, lastSeq: null, records: 0, checkpoints: checkpoints.length, signedThrough: null, seal, unsignedTail: 0, failure: null };
  const fail = (seq: number | null, reason: string): ChainVerifyReport => ({ ...report, failure: { chainId, seq, reason } });

  // 1. Every checkpoint is signed by a trusted key.
  const bySeq = new Map<number, SignedCheckpoint>();
  for (const checkpoint of checkpoints) {
    const key = keys.get(checkpoint.keyId);
    if (!key) return fail(checkpoint.seq, `checkpoint at seq ${checkpoint.seq}: signed by unknown key ${checkpoint.keyId}`);
    if (!checkpointSignatureValid(checkpoint, key)) return fail(checkpoint.seq, `checkpoint at seq ${checkpoint.seq}: signature invalid`);
    bySeq.set(checkpoint.seq, checkpoint);
  }
  if (seal) {
    const key = keys.get(seal.keyId);
    if (!key) return fail(seal.seq, `seal at seq ${seal.seq}: signed by unknown key ${seal.keyId}`);
    if (!sealSignatureValid(seal, key)) return fail(seal.seq, `seal at seq ${seal.seq}: signature invalid`);
  }

  // 2. The chain's start: seq 1 from the genesis hash, or a later seq anchored by a signed checkpoint of the exported head.
  let expectedSeq: number | null = null;
  let expectedPrev: string | null = null;
  let afterSeq = 0;
  for (;;) {
    const page = await source.records(chainId, afterSeq, PAGE);
    for (const record of page) {
      if (expectedSeq === null) {
        report.firstSeq = record.seq;
        if (record.seq === 1) {
          expectedPrev = GENESIS_HASH;
        } else {
          const anchor = bySeq.get(record.seq - 1);
          if (!anchor) {
            return fail(record.seq, `chain starts at seq ${record.seq} but no signed checkpoint at seq ${record.seq - 1} anchors it (records before it are missing)`);
          }
          expectedPrev = anchor.headHash;
        }
        expectedSeq = record.seq;
      }
      const problem = checkRecord(record, expectedSeq, expectedPrev as string, chainId);
      if (problem) return fail(problem.seq, problem.reason);
      const checkpoint = bySeq.get(record.seq);
      if (checkpoint) {
        if (checkpoint.headHash !== record.hash) return fail(record.seq, `checkpoint at seq ${record.seq}: signed head hash differs from record ${record.seq}'s hash`);
        report.signedThrough = record.seq;
      }
      if (seal && record.seq === seal.seq && seal.headHash !== record.hash) return fail(record.seq, `seal at seq ${record.seq}: signed head hash differs from record ${record.seq}'s hash`);
      if (seal && record.seq > seal.seq) return fail(record.seq, `record ${record.seq} was written after the chain was sealed at seq ${seal.seq}`);
      report.records += 1;
      report.lastSeq = record.seq;
      expectedSeq = record.seq + 1;
      expectedPrev = record.hash;
      afterSeq = record.seq;
    }
    if (page.length < PAGE) break;
  }

  // 3. Nothing signed beyond the records (that would be records deleted at the tail).
  const lastCheckpoint = checkpoints[checkpoints.length - 1];
  if (lastCheckpoint) {
    if (report.lastSeq === null) {
      // Every record was exported and pruned: the checkpoint of the exported head is all that remains.
      if (checkpoints.length > 1) return fail(lastCheckpoint.seq, `checkpoints up to seq ${lastCheckpoint.seq} but no records remain`);
      report.signedThrough = lastCheckpoint.seq;
      report.lastSeq = lastCheckpoint.seq;
    } else if (lastCheckpoint.seq > report.lastSeq) {
      return fail(report.lastSeq + 1, `checkpoint at seq ${lastCheckpoint.seq} but the chain ends at seq ${report.lastSeq}: records ${report.lastSeq + 1}–${lastCheckpoint.seq} are missing`);
    }
  }

  // 4. A seal signs the last record: records deleted after it show, and it ends the unsigned tail.
  if (seal) {
    const last = report.lastSeq ?? 0;
    if (seal.seq > last) return fail(last + 1, `sealed at seq ${seal.seq} but the chain ends at seq ${last}: records ${last + 1}–${seal.seq} are missing`);
    if (report.records === 0 && lastCheckpoint?.headHash !== seal.headHash) return fail(seal.seq, `seal at seq ${seal.seq}: signed head hash differs from the exported head`);
    return report;
  }
  const signedUpTo = report.signedThrough ?? (report.firstSeq === null ? report.lastSeq : report.firstSeq - 1);
  report.unsignedTail = (report.lastSeq ?? 0) - (signedUpTo ?? 0);
  return report;
}

function checkRecord(record: AuditRecord, expectedSeq: number, expectedPrev: string, chainId: string): VerifyFailure | null {
  if (record.chainId !== chainId) return { chainId, seq: record.seq, reason: `record ${record.seq} names chain ${record.chainId}` };
  if (record.seq !== expectedSeq) {
    return { chainId, seq: expectedSeq, reason: `record ${expectedSeq} is missing (next record is seq ${record.seq})` };
  }
  const recomputed = hashRecord(record);
  if (recomputed !== record.hash) return { chainId, seq: record.seq, reason: `record ${record.seq}: content does not match its hash (altered)` };
  if (record.prevHash !== expectedPrev) {
    return { chainId, seq: record.seq, reason: `record ${record.seq}: prevHash does not link to record ${record.seq - 1} (removed, reordered or replaced)` };
  }
  return null;
}

const SEAL_REASONS: Record<string, string> = {
  'owner-process-ended': 'its process had ended',
  'lease-expired': 'its lease had run out',
  'no-lease': 'it had no lease and its bus had restarted',
};

/** What a verified chain's end is: sealed, fully signed, or an unsigned tail that could be cut off. */
function chainEnd(chain: ChainVerifyReport): string {
  const signed = chain.signedThrough === null ? 'no checkpoint' : `signed through seq ${chain.signedThrough}`;
  if (chain.seal) {
    const why = SEAL_REASONS[chain.seal.reason] ?? chain.seal.reason;
    return `${signed}; sealed at seq ${chain.seal.seq} by ${chain.seal.sealedBy} at ${chain.seal.at}: owner gone (${why})`;
  }
  if (chain.unsignedTail === 0) return signed;
  return `${signed}; UNSEALED TAIL of ${chain.unsignedTail} record(s) after seq ${(chain.lastSeq ?? 0) - chain.unsignedTail}: not signed, could be cut off unnoticed`;
}

/** One line per chain and the verdict, as the CLI prints them. */
export function formatReport(report: VerifyReport): string[] {
  const lines: string[] = [];
  for (const chain of report.chains) {
    if (chain.failure) {
      lines.push(`chain ${chain.chainId}: FAILED at seq ${chain.failure.seq ?? '-'}: ${chain.failure.reason}`);
    } else {
      lines.push(`chain ${chain.chainId}: verified up to seq ${chain.lastSeq ?? 0} (${chain.records} records from seq ${chain.firstSeq ?? '-'}, ${chain.checkpoints} checkpoints; ${chainEnd(chain)})`);
    }
  }
  if (report.chains.length === 0) lines.push('no audit chains found');
  if (report.failure) lines.push(`FAILED: chain ${report.failure.chainId} seq ${report.failure.seq ?? '-'}: ${report.failure.reason}`);
  else {
    lines.push(`verified up to seq ${Math.max(0, ...report.chains.map((c) => c.lastSeq ?? 0))} on ${report.chains.length} chain(s)`);
    if (report.unsignedTails > 0) {
      lines.push(`WARNING: ${report.unsignedTails} chain(s) end in an unsigned tail (an owner still writing signs it at its next checkpoint; an orphan is sealed by the next bus to start or sweep)`);
    }
  }
  return lines;
}
