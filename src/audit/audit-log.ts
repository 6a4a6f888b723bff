// The AuditLog the bus sees, and its writer: one chain per instance, appends of a tick committed in one transaction, periodic signed checkpoints, fail-closed health with self-recovery.
import type { KeyObject } from 'node:crypto';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { canonicalJson, payloadDigest } from '../envelope/envelope';
import type { AuditStore } from './audit-store';
import { GENESIS_HASH, linkRecords, type ChainHead } from './chain';
import type { CheckpointSigner } from './checkpoint-signer';
import { AuditError, describeError } from './errors';
import type { PersonalDataProtector } from './personal-data';
import type {
  AuditEvent,
  AuditFilter,
  AuditHealth,
  AuditPage,
  AuditPageResult,
  AuditRecord,
  AuditRecordRef,
  SignedCheckpoint,
  UnsignedRecord,
  VerifyReport,
} from './types';
import { verifyAudit } from './verifier';

/** The whole surface the bus uses. */
export interface AuditLog {
  readonly chainId: string;
  /** Resolves once the record is committed (durable); rejects with AuditError AUDIT_UNAVAILABLE when the store cannot be written. */
  append(event: AuditEvent): Promise<AuditRecordRef>;
  /** Signs and stores a checkpoint of this chain's head now; null when nothing was appended since the last one. */
  checkpoint(): Promise<SignedCheckpoint | null>;
  search(filter: AuditFilter, page?: AuditPage): Promise<AuditPageResult>;
  timeline(messageIdOrCorrelationId: string): Promise<AuditRecord[]>;
  /** Verifies every chain in the store against the trusted keys. */
  verify(): Promise<VerifyReport>;
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
  /** Checkpoint interval; 0 turns the timer off (checkpoints then only on demand and at close). Default 60 000. */
  checkpointIntervalMs?: number;
  /** Most records committed in one transaction (default 500). */
  maxBatch?: number;
  /** How often a down store is probed for recovery (default 1000 ms). */
  probeIntervalMs?: number;
  /** Extra keys trusted by verify() (previous keys after a rotation). */
  trustedPublicKeys?: KeyObject[];
}

interface Pending {
  record: Omit<UnsignedRecord, 'seq' | 'prevHash'>;
  resolve: (ref: AuditRecordRef) => void;
  reject: (error: Error) => void;
}

const OUTCOMES = new Set(['ok', 'rejected', 'error']);

export function defaultChainId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export class ChainedAuditLog implements AuditLog {
  readonly chainId: string;
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

  private constructor(
    private readonly store: AuditStore,
    private readonly signer: CheckpointSigner,
    private readonly protector: PersonalDataProtector,
    private readonly options: AuditWriterOptions,
  ) {
    this.chainId = options.chainId ?? defaultChainId();
    if (this.chainId.length === 0 || this.chainId.length > 200) throw new AuditError('audit chain id must be 1–200 characters', 'AUDIT_CONFIG');
  }

  /** Opens the writer; a store that is down now leaves it unhealthy and probing, not failed. */
  static async open(store: AuditStore, signer: CheckpointSigner, protector: PersonalDataProtector, options: AuditWriterOptions): Promise<ChainedAuditLog> {
    const log = new ChainedAuditLog(store, signer, protector, options);
    try {
      await log.loadHead();
    } catch (error) {
      log.markDown(error);
    }
    const interval = options.checkpointIntervalMs ?? 60_000;
    if (interval > 0) {
      log.checkpointTimer = setInterval(() => void log.checkpoint().catch(() => undefined), interval);
      log.checkpointTimer.unref();
    }
    return log;
  }

  private async loadHead(): Promise<void> {
    this.head = (await this.store.head(this.chainId)) ?? { seq: 0, hash: GENESIS_HASH };
    const checkpoints = await this.store.checkpoints(this.chainId);
    this.lastCheckpointSeq = checkpoints[checkpoints.length - 1]?.seq ?? 0;
    this.headKnown = true;
  }

  append(event: AuditEvent): Promise<AuditRecordRef> {
    if (this.closed) return Promise.reject(new AuditError('the audit log is closed', 'AUDIT_CLOSED'));
    let record: Omit<UnsignedRecord, 'seq' | 'prevHash'>;
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

  private toRecord(event: AuditEvent): Omit<UnsignedRecord, 'seq' | 'prevHash'> {
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
    const text = (v: string | null | undefined): string | null => (v === undefined || v === null ? null : v.normalize('NFC'));
    return {
      chainId: this.chainId,
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
      payload: payload === undefined || this.options.payloadMode === 'metadata' ? null : canonicalJson(this.protector.protect(payload)),
      actor: text(event.actor),
      details: event.details ? canonicalJson(this.protector.protect(event.details)) : null,
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
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, maxBatch);
      try {
        if (!this.headKnown) await this.loadHead();
        const linked = linkRecords(this.head, batch.map((p) => p.record));
        await this.store.appendBatch(linked.records);
        this.head = linked.head;
        this.markUp();
        linked.records.forEach((r, i) => batch[i]?.resolve({ chainId: r.chainId, seq: r.seq, hash: r.hash }));
      } catch (error) {
        // The commit may or may not have happened (lost connection): re-read the head before the next write.
        this.headKnown = false;
        this.markDown(error);
        const failure = new AuditError(`audit store unavailable: ${describeError(error)}`, 'AUDIT_UNAVAILABLE', { cause: error });
        for (const p of batch) p.reject(failure);
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
    const signed = this.signer.sign({ chainId: this.chainId, seq: head.seq, headHash: head.hash, at: new Date().toISOString() });
    try {
      await this.store.saveCheckpoint(signed);
    } catch (error) {
      this.markDown(error);
      throw new AuditError(`audit checkpoint not stored: ${describeError(error)}`, 'AUDIT_UNAVAILABLE', { cause: error });
    }
    this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq, head.seq);
    return signed;
  }

  search(filter: AuditFilter, page: AuditPage = {}): Promise<AuditPageResult> {
    return this.store.search(filter, page);
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
      chainId: this.chainId,
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
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    while (this.scheduled || this.flushing || this.queue.length > 0) {
      if (this.flushing) await this.flushing;
      else await new Promise((r) => setImmediate(r));
    }
    await this.checkpoint().catch(() => undefined);
    await this.store.close();
  }
}
