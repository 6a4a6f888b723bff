// Seals orphaned chains: a chain whose owner is gone gets a signed seal over its last record, so its unsigned tail can no longer be cut off unnoticed.
import type { AuditStore, SealCondition } from './audit-store';
import { ownerGone, thisProcess } from './chain-owner';
import type { CheckpointSigner } from './checkpoint-signer';
import type { SealReason, SignedSeal } from './types';

export interface SealOrphansOptions {
  /** The sealing process's chain id: named in each seal, and never sealed by this sweep. */
  sealedBy: string;
  /**
   * Also seal chains that have no lease (written before leases existed). Only where one process owns the store (the
   * SQLite data dir): on a shared PostgreSQL such a chain may belong to a bus of an older version that is still running.
   */
  includeUnleased: boolean;
}

/**
 * One sweep. A lease is taken to be orphaned when its owner is gone (see ownerGone) or when it has not been renewed
 * within its lease time by the store's clock; the store ends the lease and writes the seal in one transaction that
 * re-checks the condition under the chain's lock, so a chain whose owner still renews is never sealed.
 */
export async function sealOrphans(store: AuditStore, signer: CheckpointSigner, options: SealOrphansOptions): Promise<SignedSeal[]> {
  const candidates: { chainId: string; condition: SealCondition; reason: SealReason }[] = [];
  const self = thisProcess();
  for (const lease of await store.openLeases()) {
    if (lease.chainId === options.sealedBy) continue;
    if (ownerGone(lease.owner, self)) candidates.push({ chainId: lease.chainId, condition: { kind: 'owner-gone', owner: lease.owner }, reason: 'owner-process-ended' });
    else if (lease.renewedAtMs + lease.leaseMs < lease.nowMs) candidates.push({ chainId: lease.chainId, condition: { kind: 'lease-expired' }, reason: 'lease-expired' });
  }
  if (options.includeUnleased) {
    for (const chainId of await store.unleasedChains()) candidates.push({ chainId, condition: { kind: 'no-lease' }, reason: 'no-lease' });
  }
  const seals: SignedSeal[] = [];
  for (const { chainId, condition, reason } of candidates) {
    const seal = await store.sealChain(chainId, condition, (head, renewedAtMs) =>
      signer.signSeal({
        chainId,
        seq: head.seq,
        headHash: head.hash,
        at: new Date().toISOString(),
        sealedBy: options.sealedBy,
        reason,
        ownerLastSeenAt: renewedAtMs === null ? null : new Date(renewedAtMs).toISOString(),
      }),
    );
    if (seal) seals.push(seal);
  }
  return seals;
}
