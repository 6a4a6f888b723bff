// The AuditLog the bus sees, and its writer: one leased chain per instance, appends of a tick committed in one transaction, signed checkpoints by time and by count, fail-closed health with self-recovery.
import type { KeyObject } from 'node:crypto';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { nfc, payloadDigest } from '../core/envelope';
import type { AuditStore } from './audit-store';
import { GENESIS_HASH, linkRecords, type ChainHead, type RecordContent } from './chain';
import { thisProcess } from './chain-owner';
import type { CheckpointSigner } from './checkpoint-signer';
import { sealOrphans } from './orphan-sealer';
import { AuditError, describeError } from './errors';
import type { PersonalDataProtector } from './personal-data';
import type {
  AuditEvent,
  AuditFilter,
  AuditHealth,
  AuditPage,
  AuditActivityResult,
  AuditPageResult,
  AuditRecord,
  AuditRecordRef,
  ChainOwner,
  SignedCheckpoint,
  SignedSeal,
  VerifyReport,
} from './types';
import { verifyAudit } from './verifier';

/** The whole surface the bus uses. */
export interface AuditLog {
  /** The chain this writer appends to now (a fresh one if its chain was sealed while it lived). */
  readonly chainId: string;
  /** Resolves once the record is committed (durable); rejects with AuditError AUDIT_UNAVAILABLE when the store cannot be written. */
  append(event: AuditEvent): Promise<AuditRecordRef>;
  /** Signs and stores a checkpoint of this chain's head now; null when nothing was appended since the last one. */
  checkpoint(): Promise<SignedCheckpoint | null>;
  search(filter: AuditFilter, page?: AuditPage): Promise<AuditPageResult>;
  /** Records with since <= at < until, oldest first, at most limit (traffic charts). */
  activity(since: string, until: string, limit: number): Promise<AuditActivityResult>;
  timeline(messageIdOrCorrelationId: string): Promise<AuditRecord[]>;
  /** Verifies every chain in the store against the trusted keys. */
  verify(): Promise<VerifyReport>;
  /** Seals the chains whose owners are gone (see orphan-sealer); what it sealed. */
  sealOrphans(): Promise<SignedSeal[]>;
  health(): AuditHealth;
  /** False while the store cannot be written: intake should answer 503 STORE_UNAVAILABLE. */
  isHealthy(): boolean;
  /** Commits what is pending, writes a last checkpoint, closes the store. */
  close(): Promise<void>;
}

export interface AuditWriterOptions {
  /** This writer's chain; default `<hostname>-<pid>-<random>` (a fresh chain per process start). */
  chainId?: string;
  /** `full` keeps the (protected) payload; `metadata` keeps only its digest and sizes. */
  payloadMode: 'full' | 'metadata';
  /** Checkpoint interval; 0 turns the timer off. Default 5000. */
  checkpointIntervalMs?: number;
  /** A checkpoint as soon as this many records follow the last one, whichever of time and count comes first; 0 turns it off. Default 500. */
  checkpointEveryRecords?: number;
  /** How long the chain's lease lasts unrenewed before another process may seal the chain (default 30 000 ms); renewed every third of it. */
  leaseMs?: number;
  /** The lease's owner; default this process. */
  owner?: ChainOwner;
  /** Seal orphaned chains at open and at each lease renewal; off by default (the bus turns it on). */
  sealOrphans?: { includeUnleased: boolean };
  /** Told of each orphan this writer sealed. */
  onSealed?: (seal: SignedSeal) => void;
  /** Told when this writer's own chain was found sealed (its lease had run out while it lived) and it went on in a fresh chain. */
  onChainReplaced?: (previous: string, next: string) => void;
  /** Most records committed in one transaction (default 500). */
  maxBatch?: number;
  /** How often a down store is probed for recovery (default 1000 ms). */
  probeIntervalMs?: number;
  /** Extra keys trusted by verify() (previous keys after a rotation). */
  trustedPublicKeys?: KeyObject[];
}

interface Pending {
  record: RecordContent;
  resolve: (ref: AuditRecordRef) => void;
  reject: (error: Error) => void;
  /** Set when the batch met its chain ended once: a second time rejects instead of looping. */
  chainEnded?: boolean;
}

const OUTCOMES = new Set(['ok', 'rejected', 'error']);

/**
 * A record's text as every store keeps it: NFC, and well-formed, a lone surrogate replaced by U+FFFD. Stored as UTF-8
 * a lone surrogate can only be U+FFFD, so a record hashed with it would not verify against what was stored.
 */
function storableText(v: string): string {
  const normalized = nfc(v);
  return normalized.isWellFormed() ? normalized : normalized.toWellFormed();
}

export function defaultChainId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export class ChainedAuditLog implements AuditLog {
  private currentChain: string;
  private head: ChainHead = { seq: 0, hash: GENESIS_HASH };
  private headKnown = false;
  private lastCheckpointSeq = 0;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  private closed = false;
  private downSince: string | null = null;
  private lastError: string | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private checkpointTimer: NodeJS.Timeout | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private sweptUnleased = false;

  private constructor(
    private readonly store: AuditStore,
    private readonly signer: CheckpointSigner,
    private readonly protector: PersonalDataProtector,
    private readonly options: AuditWriterOptions,
  ) {
    this.currentChain = options.chainId ?? defaultChainId();
    if (this.currentChain.length === 0 || this.currentChain.length > 200) throw new AuditError('audit chain id must be 1–200 characters', 'AUDIT_CONFIG');
  }

  get chainId(): string {
    return this.currentChain;
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 30_000;
  }

  /** Opens the writer; a store that is down now leaves it unhealthy and probing, not failed. */
  static async open(store: AuditStore, signer: CheckpointSigner, protector: PersonalDataProtector, options: AuditWriterOptions): Promise<ChainedAuditLog> {
    const log = new ChainedAuditLog(store, signer, protector, options);
    try {
      await log.loadHead();
    } catch (error) {
      log.markDown(error);
    }
    const interval = options.checkpointIntervalMs ?? 5000;
    if (interval > 0) {
      log.checkpointTimer = setInterval(() => void log.checkpoint().catch(() => undefined), interval);
      log.checkpointTimer.unref();
    }
    log.leaseTimer = setInterval(() => void log.keepLease(), Math.max(1, Math.floor(log.leaseMs / 3)));
    log.leaseTimer.unref();
    if (log.headKnown) await log.sweep().catch(() => undefined);
    return log;
  }

  /** Takes this chain's lease (going on in a fresh chain if it was sealed), then reads its head. */
  private async loadHead(): Promise<void> {
    const owner = this.options.owner ?? thisProcess();
    while ((await this.store.claimChain(this.currentChain, owner, this.leaseMs)) === 'sealed') {
      const previous = this.currentChain;
      this.currentChain = this.options.chainId ? `${this.options.chainId}-${randomBytes(4).toString('hex')}` : defaultChainId();
      this.options.onChainReplaced?.(previous, this.currentChain);
    }
    this.head = (await this.store.head(this.currentChain)) ?? { seq: 0, hash: GENESIS_HASH };
    const checkpoints = await this.store.checkpoints(this.currentChain);
    this.lastCheckpointSeq = checkpoints[checkpoints.length - 1]?.seq ?? 0;
    this.headKnown = true;
  }

  /** Renews the lease (idle chains too: appends renew it as well) and seals orphans; a store that is away is the probe's business. */
  private async keepLease(): Promise<void> {
    if (this.closed || !this.headKnown) return;
    try {
      if (!(await this.store.renewChain(this.currentChain))) this.headKnown = false;
      await this.sweep();
    } catch {
      // The next append or probe reports the store.
    }
  }

  private async sweep(): Promise<SignedSeal[]> {
    const sweep = this.options.sealOrphans;
    if (!sweep) return [];
    const includeUnleased = sweep.includeUnleased && !this.sweptUnleased;
    const seals = await sealOrphans(this.store, this.signer, { sealedBy: this.currentChain, includeUnleased });
    this.sweptUnleased ||= includeUnleased;
    for (const seal of seals) this.options.onSealed?.(seal);
    return seals;
  }

  sealOrphans(): Promise<SignedSeal[]> {
    return this.sweep();
  }

  append(event: AuditEvent): Promise<AuditRecordRef> {
    if (this.closed) return Promise.reject(new AuditError('the audit log is closed', 'AUDIT_CLOSED'));
    let record: RecordContent;
    try {
      record = this.toRecord(event);
    } catch (error) {
      return Promise.reject(error instanceof AuditError ? error : new AuditError(`invalid audit event: ${describeError(error)}`, 'AUDIT_INVALID_EVENT'));
    }
    return new Promise<AuditRecordRef>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.schedule();
    });
  }

  private toRecord(event: AuditEvent): RecordContent {
    if (typeof event.step !== 'string' || event.step.length === 0) throw new AuditError('audit event needs a step', 'AUDIT_INVALID_EVENT');
    if (!OUTCOMES.has(event.outcome)) throw new AuditError(`audit outcome ${String(event.outcome)} is not ok, rejected or error`, 'AUDIT_INVALID_EVENT');
    const count = (name: string, v: number | null | undefined): number | null => {
      if (v === undefined || v === null) return null;
      if (!Number.isSafeInteger(v) || v < 0) throw new AuditError(`audit ${name} must be a non-negative integer`, 'AUDIT_INVALID_EVENT');
      return v;
    };
    const at = event.at ?? new Date().toISOString();
    if (Number.isNaN(Date.parse(at))) throw new AuditError('audit event time is not ISO 8601', 'AUDIT_INVALID_EVENT');
    const payload = event.payload;
    const text = (v: string | null | undefined): string | null => (v === undefined || v === null ? null : storableText(v));
    return {
      at,
      step: event.step,
      outcome: event.outcome,
      messageId: text(event.messageId),
      correlationId: text(event.correlationId),
      subject: text(event.subject),
      client: text(event.client),
      route: text(event.route),
      errorCode: text(event.errorCode),
      reason: text(event.reason),
      startedAt: text(event.startedAt),
      durationMs: count('durationMs', event.durationMs),
      requestBytes: count('requestBytes', event.requestBytes),
      responseBytes: count('responseBytes', event.responseBytes),
      payloadDigest: text(event.payloadDigest) ?? (payload === undefined ? null : payloadDigest(payload)),
      payload: payload === undefined || this.options.payloadMode === 'metadata' ? null : this.protector.canonicalJson(payload),
      actor: text(event.actor),
      details: event.details ? this.protector.canonicalJson(event.details) : null,
    };
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const maxBatch = this.options.maxBatch ?? 500;
    const every = this.options.checkpointEveryRecords ?? 500;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, maxBatch);
      try {
        if (!this.headKnown) await this.loadHead();
        const linked = linkRecords(this.head, this.currentChain, batch.map((p) => p.record));
        await this.store.appendBatch(linked.records);
        this.head = linked.head;
        this.markUp();
        linked.records.forEach((r, i) => batch[i]?.resolve({ chainId: r.chainId, seq: r.seq, hash: r.hash }));
        if (every > 0 && this.head.seq - this.lastCheckpointSeq >= every) await this.checkpoint().catch(() => undefined);
      } catch (error) {
        // The commit may or may not have happened (lost connection): re-read the head (and the lease) before the next write.
        this.headKnown = false;
        if (error instanceof AuditError && error.code === 'AUDIT_CHAIN_ENDED' && !batch.some((p) => p.chainEnded)) {
          // Nothing was written: the lease is taken again, or the writer goes on in a fresh chain, and the batch with it.
          for (const p of batch) p.chainEnded = true;
          this.queue.unshift(...batch);
          continue;
        }
        this.markDown(error);
        const failure = new AuditError(`audit store unavailable: ${describeError(error)}`, 'AUDIT_UNAVAILABLE', { cause: error });
        // What is queued behind a failed batch fails with it: a later record is never committed before an earlier one
        // that failed, so whoever writes them again keeps their order.
        for (const p of [...batch, ...this.queue.splice(0)]) p.reject(failure);
      }
    }
  }

  private markDown(error: unknown): void {
    this.lastError = describeError(error);
    if (this.downSince === null) this.downSince = new Date().toISOString();
    if (this.probeTimer === null && !this.closed) {
      this.probeTimer = setInterval(() => void this.probe(), this.options.probeIntervalMs ?? 1000);
      this.probeTimer.unref();
    }
  }

  private markUp(): void {
    this.downSince = null;
    if (this.probeTimer !== null) {
      clearInterval(this.probeTimer);
      this.probeTimer = null;
    }
  }

  private probing = false;
  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.store.ping();
      if (!this.headKnown) await this.loadHead();
      this.markUp();
    } catch (error) {
      this.lastError = describeError(error);
    } finally {
      this.probing = false;
    }
  }

  async checkpoint(): Promise<SignedCheckpoint | null> {
    if (!this.headKnown || this.head.seq === 0 || this.head.seq <= this.lastCheckpointSeq) return null;
    const head = this.head;
    const signed = this.signer.sign({ chainId: this.currentChain, seq: head.seq, headHash: head.hash, at: new Date().toISOString() });
    try {
      await this.store.saveCheckpoint(signed);
    } catch (error) {
      this.markDown(error);
      throw new AuditError(`audit checkpoint not stored: ${describeError(error)}`, 'AUDIT_UNAVAILABLE', { cause: error });
    }
    if (signed.chainId === this.currentChain) this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq, head.seq);
    return signed;
  }

  search(filter: AuditFilter, page: AuditPage = {}): Promise<AuditPageResult> {
    return this.store.search(filter, page);
  }

  activity(since: string, until: string, limit: number): Promise<AuditActivityResult> {
    return this.store.activity(since, until, limit);
  }

  timeline(id: string): Promise<AuditRecord[]> {
    return this.store.timeline(id);
  }

  verify(): Promise<VerifyReport> {
    return verifyAudit(this.store, { publicKeys: [this.signer.publicKey, ...(this.options.trustedPublicKeys ?? [])] });
  }

  health(): AuditHealth {
    return {
      status: this.downSince === null ? 'up' : 'down',
      chainId: this.currentChain,
      headSeq: this.head.seq,
      pending: this.queue.length,
      downSince: this.downSince,
      lastError: this.lastError,
    };
  }

  isHealthy(): boolean {
    return this.downSince === null && !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    while (this.scheduled || this.flushing || this.queue.length > 0) {
      if (this.flushing) await this.flushing;
      else await new Promise((r) => setImmediate(r));
    }
    // A chain whose head is signed is closed by its owner, and nobody seals it; otherwise its lease runs out and the
    // next sweep seals its tail.
    const signed = await this.checkpoint().then(
      () => this.headKnown,
      () => false,
    );
    if (signed) await this.store.releaseChain(this.currentChain).catch(() => undefined);
    await this.store.close();
  }
}
