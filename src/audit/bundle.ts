// Export bundles: records, checkpoints, seals, anchors and public keys of one or more chains in one JSON file, readable offline as an AuditSource.
import { createHash, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuditSource, AuditStore } from './audit-store';
import { loadPublicKey, publicKeyPem } from './checkpoint-signer';
import { AuditError } from './errors';
import type { AuditRecord, ExportAnchor, SignedCheckpoint, SignedSeal } from './types';
import { writePrivateFile } from '../stores/private-files';

export const BUNDLE_FORMAT = 'lgsp-audit-bundle/1';

export interface BundleChain {
  chainId: string;
  records: AuditRecord[];
  checkpoints: SignedCheckpoint[];
  /** Earlier exports of this chain (linking info: which bundle holds the records before these). */
  anchors: ExportAnchor[];
  /** The chain's seal when the bundle reaches it; absent in bundles written before seals existed. */
  seal?: SignedSeal | null;
}

export interface AuditBundle {
  format: typeof BUNDLE_FORMAT;
  createdAt: string;
  /** PEM public keys of the checkpoint signers. A verifier should pin them from a separate channel (--public-key). */
  publicKeys: string[];
  chains: BundleChain[];
}

export interface ExportRange {
  chainIds?: string[];
  /** Per chain: export records with seq <= throughSeq (default: all). */
  throughSeq?: Map<string, number>;
}

/** Reads the chains (or a prefix of them) out of a store into a bundle. */
export async function buildBundle(store: AuditStore, publicKeys: KeyObject[], range: ExportRange = {}): Promise<AuditBundle> {
  const chainIds = range.chainIds ?? (await store.chainIds());
  const chains: BundleChain[] = [];
  for (const chainId of chainIds) {
    const through = range.throughSeq?.get(chainId) ?? Number.MAX_SAFE_INTEGER;
    const records: AuditRecord[] = [];
    let after = 0;
    for (;;) {
      const page = await store.records(chainId, after, 1000);
      for (const r of page) if (r.seq <= through) records.push(r);
      if (page.length < 1000 || (page[page.length - 1]?.seq ?? 0) >= through) break;
      after = page[page.length - 1]?.seq ?? after;
    }
    const checkpoints = (await store.checkpoints(chainId)).filter((c) => c.seq <= through);
    const seal = await store.seal(chainId);
    chains.push({ chainId, records, checkpoints, anchors: await store.anchors(chainId), seal: seal && seal.seq <= through ? seal : null });
  }
  return { format: BUNDLE_FORMAT, createdAt: new Date().toISOString(), publicKeys: publicKeys.map(publicKeyPem), chains };
}

/**
 * Writes the bundle owner-only (0600, in a directory created 0700): it holds audit records, and retention writes it
 * into the data directory. Returns its SHA-256 (the linking digest kept in the anchors table).
 */
export function writeBundle(file: string, bundle: AuditBundle): { file: string; digest: string; bytes: number } {
  const text = JSON.stringify(bundle);
  writePrivateFile(file, text);
  return { file, digest: createHash('sha256').update(text, 'utf8').digest('hex'), bytes: Buffer.byteLength(text) };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNullableString = (v: unknown): boolean => v === null || typeof v === 'string';
const isNullableCount = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isSafeInteger(v));

function isRecord(v: unknown): v is AuditRecord {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    ['chainId', 'prevHash', 'hash', 'at', 'step', 'outcome'].every((k) => isString(r[k])) &&
    typeof r.seq === 'number' &&
    Number.isSafeInteger(r.seq) &&
    ['messageId', 'correlationId', 'subject', 'client', 'route', 'errorCode', 'reason', 'startedAt', 'payloadDigest', 'payload', 'actor', 'details'].every((k) =>
      isNullableString(r[k]),
    ) &&
    ['durationMs', 'requestBytes', 'responseBytes'].every((k) => isNullableCount(r[k]))
  );
}

function isCheckpoint(v: unknown): v is SignedCheckpoint {
  if (v === null || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return ['chainId', 'headHash', 'at', 'keyId', 'signature'].every((k) => isString(c[k])) && typeof c.seq === 'number' && Number.isSafeInteger(c.seq);
}

function isSeal(v: unknown): v is SignedSeal {
  if (!isCheckpoint(v)) return false;
  const s = v as unknown as Record<string, unknown>;
  return isString(s.sealedBy) && isString(s.reason) && isNullableString(s.ownerLastSeenAt);
}

/** A bundle read back from a file, offered to the verifier like a store. */
export class BundleSource implements AuditSource {
  readonly publicKeys: KeyObject[];
  readonly digest: string;

  private constructor(
    readonly bundle: AuditBundle,
    digest: string,
  ) {
    this.publicKeys = bundle.publicKeys.map(loadPublicKey);
    this.digest = digest;
  }

  static read(file: string): BundleSource {
    const text = readFileSync(file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AuditError(`${file} is not a JSON audit bundle`, 'AUDIT_BUNDLE_INVALID');
    }
    const b = parsed as Partial<AuditBundle> | null;
    if (!b || b.format !== BUNDLE_FORMAT || !Array.isArray(b.chains) || !Array.isArray(b.publicKeys) || !b.publicKeys.every(isString)) {
      throw new AuditError(`${file} is not a ${BUNDLE_FORMAT} bundle`, 'AUDIT_BUNDLE_INVALID');
    }
    for (const chain of b.chains as unknown[]) {
      const c = chain as Partial<BundleChain> | null;
      if (!c || !isString(c.chainId) || !Array.isArray(c.records) || !Array.isArray(c.checkpoints) || !Array.isArray(c.anchors)) {
        throw new AuditError(`${file}: malformed chain entry`, 'AUDIT_BUNDLE_INVALID');
      }
      const badRecord = c.records.findIndex((r) => !isRecord(r));
      if (badRecord >= 0) throw new AuditError(`${file}: chain ${c.chainId} record #${badRecord + 1} is malformed`, 'AUDIT_BUNDLE_INVALID');
      if (!c.checkpoints.every(isCheckpoint)) throw new AuditError(`${file}: chain ${c.chainId} has a malformed checkpoint`, 'AUDIT_BUNDLE_INVALID');
      if (c.seal !== undefined && c.seal !== null && !isSeal(c.seal)) throw new AuditError(`${file}: chain ${c.chainId} has a malformed seal`, 'AUDIT_BUNDLE_INVALID');
    }
    return new BundleSource(b as AuditBundle, createHash('sha256').update(text, 'utf8').digest('hex'));
  }

  async chainIds(): Promise<string[]> {
    return this.bundle.chains.map((c) => c.chainId);
  }

  async records(chainId: string, afterSeq: number, limit: number): Promise<AuditRecord[]> {
    // Kept in file order: a reordered file must show up as a broken chain, not be silently re-sorted.
    const chain = this.bundle.chains.find((c) => c.chainId === chainId);
    if (!chain) return [];
    const start = chain.records.findIndex((r) => r.seq > afterSeq);
    return start < 0 ? [] : chain.records.slice(start, start + limit);
  }

  async checkpoints(chainId: string): Promise<SignedCheckpoint[]> {
    return [...(this.bundle.chains.find((c) => c.chainId === chainId)?.checkpoints ?? [])].sort((a, b) => a.seq - b.seq);
  }

  async seal(chainId: string): Promise<SignedSeal | null> {
    return this.bundle.chains.find((c) => c.chainId === chainId)?.seal ?? null;
  }
}
