// Retention: exports each chain's records older than the cut-off to a verified bundle, then prunes them, leaving the signed checkpoint of the exported head as the anchor of what remains.
import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import type { AuditStore } from './audit-store';
import { BundleSource, buildBundle, writeBundle } from './bundle';
import type { CheckpointSigner } from './checkpoint-signer';
import { AuditError } from './errors';
import type { ExportAnchor } from './types';
import { formatReport, verifyAudit } from './verifier';

export interface RetentionOptions {
  /** Records with `at` before this are exported and pruned. */
  before: Date;
  /** Directory the bundles are written to (ship it off-box: this is the only copy after the prune). */
  exportDir: string;
  chainIds?: string[];
  /** Extra trusted keys for checking old checkpoints (after a key rotation). */
  trustedPublicKeys?: KeyObject[];
}

export interface RetentionResult {
  chainId: string;
  throughSeq: number;
  pruned: number;
  bundleFile: string;
  bundleDigest: string;
}

export async function exportAndPrune(store: AuditStore, signer: CheckpointSigner, options: RetentionOptions): Promise<RetentionResult[]> {
  const keys = [signer.publicKey, ...(options.trustedPublicKeys ?? [])];
  const results: RetentionResult[] = [];
  for (const chainId of options.chainIds ?? (await store.chainIds())) {
    const cut = await store.lastSeqBefore(chainId, options.before.toISOString());
    if (cut === null) continue;
    const [record] = await store.records(chainId, cut - 1, 1);
    if (!record || record.seq !== cut) continue;
    // The exported head gets a signed checkpoint; it stays in the store and anchors the first remaining record.
    await store.saveCheckpoint(signer.sign({ chainId, seq: cut, headHash: record.hash, at: new Date().toISOString() }));
    const bundle = await buildBundle(store, keys, { chainIds: [chainId], throughSeq: new Map([[chainId, cut]]) });
    const first = bundle.chains[0]?.records[0]?.seq ?? cut;
    const safeId = chainId.replace(/[^A-Za-z0-9._-]/g, '_');
    const file = path.join(options.exportDir, `audit-${safeId}-${first}-${cut}-${Date.now()}.json`);
    const written = writeBundle(file, bundle);
    // Never prune what the written file does not prove.
    const check = await verifyAudit(BundleSource.read(file), { publicKeys: keys });
    if (!check.ok) throw new AuditError(`retention: bundle ${file} does not verify, nothing pruned: ${formatReport(check).join('; ')}`, 'AUDIT_BUNDLE_INVALID');
    const anchor: ExportAnchor = {
      chainId,
      throughSeq: cut,
      headHash: record.hash,
      bundleName: path.basename(file),
      bundleDigest: written.digest,
      exportedAt: new Date().toISOString(),
    };
    const pruned = await store.prune(anchor);
    results.push({ chainId, throughSeq: cut, pruned, bundleFile: file, bundleDigest: written.digest });
  }
  return results;
}
