// Writes the audit records of settlements (retry, dead letter, replay) in the order they happened, keeping each one
// the audit store cannot take now in an outbox in the bus's other store until it can: never lost, never written twice.
import { randomUUID } from 'node:crypto';
import { AuditError, type AuditEvent, type AuditLog } from '../audit';
import { describeError } from '../audit/errors';
import { ownerGone, thisProcess } from '../audit/chain-owner';
import type { Logger } from '../observability/logger';
import type { AuditOutboxStore, OutboxEntry, OutboxOwner } from '../stores/stores';

export interface SettlementRecorderDeps {
  audit: AuditLog;
  outbox: AuditOutboxStore;
  logger: Logger;
  /** How often a waiting recorder looks whether the audit store is back, and the stores for entries of gone processes (default 500 ms). */
  retryMs?: number;
  /** This process (default: the audit chain owner of this process). */
  self?: OutboxOwner;
}

interface Entry {
  id: string;
  keptAt: string;
  position: number;
  event: AuditEvent;
  /** Stored in the outbox: removed from it once written. */
  kept: boolean;
  /**
   * Handed to the audit log before without a clear answer (a lost connection may follow a commit), or taken over from
   * a process that is gone (it may have written it just before it died): looked up before it is written again.
   */
  mayBeWritten: boolean;
  /** In the audit log. */
  written: boolean;
  /** Resolves once the record is written or kept (in the outbox, or at worst in memory). */
  settled: () => void;
}

/** At most this many records handed to the audit log at once (one commit of the writer). */
const CHUNK = 200;

export class SettlementRecorder {
  private readonly queue: Entry[] = [];
  private readonly self: OutboxOwner;
  private position = 0;
  private draining: Promise<void> | null = null;
  /** True while the audit store is away: a new record is kept at once instead of waiting its turn. */
  private waiting = false;
  private closed = false;
  private toRemove: string[] = [];
  /** Said once per stretch of the outbox being unwritable, not once per record. */
  private inMemorySaid = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: SettlementRecorderDeps) {
    this.self = deps.self ?? thisProcess();
  }

  /** Takes over what processes now gone had kept, and looks for more (and retries removals) on a timer. */
  async start(): Promise<void> {
    await this.adoptOrphans().catch((error: unknown) => this.deps.logger.warn({ code: 'AUDIT_OUTBOX_UNREADABLE', err: describeError(error) }, 'audit outbox not read; trying again'));
    this.timer = setInterval(() => void this.adoptOrphans().catch(() => undefined), Math.max(this.deps.retryMs ?? 500, 5000));
    this.timer.unref();
  }

  /** Resolves once the record is in the audit log or kept until it can be; it is written after every earlier one. */
  record(event: AuditEvent): Promise<void> {
    return new Promise<void>((settled) => {
      const entry: Entry = {
        id: randomUUID(),
        keptAt: new Date().toISOString(),
        position: this.position++,
        // The time is the settlement's, whenever the record is written; the id finds the record again.
        event: { at: new Date().toISOString(), ...event },
        kept: false,
        mayBeWritten: false,
        written: false,
        settled,
      };
      entry.event = { ...entry.event, details: { ...(event.details ?? {}), settlementId: entry.id } };
      this.queue.push(entry);
      if (this.waiting) void this.keep([entry]);
      this.kick();
    });
  }

  /** Records not yet in the audit log (kept in the outbox or in memory). */
  pending(): number {
    return this.queue.length;
  }

  /** Writes what it can while the audit log takes it, keeps the rest, stops. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.draining;
    await this.keep(this.queue.filter((e) => !e.kept));
    await this.removeWritten();
  }

  private kick(): void {
    if (this.draining || this.closed) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.queue.length > 0 && !this.closed) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const chunk = await this.unwritten(this.queue.slice(0, CHUNK));
      const results = await Promise.allSettled(chunk.map((e) => this.deps.audit.append(e.event)));
      const failed: Entry[] = [];
      chunk.forEach((entry, i) => {
        const result = results[i];
        if (result?.status === 'fulfilled') this.written(entry);
        else if (result?.reason instanceof AuditError && result.reason.code === 'AUDIT_INVALID_EVENT') {
          // It can never be written: waiting for it would hold every later record back.
          this.deps.logger.error({ code: 'SETTLEMENT_RECORD_INVALID', messageId: entry.event.messageId, err: result.reason.message }, 'settlement record refused by the audit log; dropped');
          this.written(entry);
        } else {
          entry.mayBeWritten = true;
          failed.push(entry);
        }
      });
      await this.removeWritten();
      if (failed.length === 0) continue;
      // The writer fails what was queued behind a failed record, so what was written is a prefix: order is kept.
      // Waiting is said before keeping, so a record arriving meanwhile is kept at once rather than left unanswered.
      this.waiting = true;
      await this.keep(failed.filter((e) => !e.kept));
      this.deps.logger.warn({ code: 'SETTLEMENT_RECORD_KEPT', pending: this.queue.length }, 'audit store unavailable: settlement records kept until it is back');
      while (!this.deps.audit.isHealthy() && !this.closed) await new Promise((r) => setTimeout(r, this.deps.retryMs ?? 500));
      this.waiting = false;
    }
  }

  /** Drops (as written) the entries whose record the audit log already holds. */
  private async unwritten(chunk: Entry[]): Promise<Entry[]> {
    const fresh: Entry[] = [];
    for (const entry of chunk) {
      if (entry.mayBeWritten && (await this.alreadyWritten(entry))) this.written(entry);
      else fresh.push(entry);
    }
    return fresh;
  }

  private async alreadyWritten(entry: Entry): Promise<boolean> {
    const messageId = entry.event.messageId;
    if (!messageId) return false;
    const marker = `"settlementId":${JSON.stringify(entry.id)}`;
    try {
      return (await this.deps.audit.timeline(messageId)).some((r) => r.step === entry.event.step && (r.details ?? '').includes(marker));
    } catch {
      // Cannot tell now: it stays queued and is looked up again before the next try.
      return false;
    }
  }

  private written(entry: Entry): void {
    const at = this.queue.indexOf(entry);
    if (at >= 0) this.queue.splice(at, 1);
    entry.written = true;
    if (entry.kept) this.toRemove.push(entry.id);
    entry.settled();
  }

  private async removeWritten(): Promise<void> {
    if (this.toRemove.length === 0) return;
    const ids = this.toRemove;
    this.toRemove = [];
    try {
      await this.deps.outbox.remove(ids);
    } catch {
      // Tried again after the next write or on the timer; until then a restart looks each one up before writing it.
      this.toRemove.push(...ids);
    }
  }

  private async keep(entries: Entry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.deps.outbox.keep(entries.map((e) => ({ id: e.id, owner: this.self, keptAt: e.keptAt, position: e.position, event: JSON.stringify(e.event) })));
      for (const e of entries) {
        e.kept = true;
        // Written while it was being kept: its row goes at once.
        if (e.written) this.toRemove.push(e.id);
      }
      this.inMemorySaid = false;
    } catch (error) {
      // The other store is away too (one PostgreSQL for both): held in memory, written when the audit store is back,
      // lost only if this process dies before that.
      if (!this.inMemorySaid) {
        this.deps.logger.error({ code: 'SETTLEMENT_RECORD_IN_MEMORY', count: entries.length, err: describeError(error) }, 'settlement records held in memory only: the outbox cannot be written either');
      }
      this.inMemorySaid = true;
    } finally {
      for (const e of entries) e.settled();
    }
  }

  private async adoptOrphans(): Promise<void> {
    await this.removeWritten();
    for (const owner of await this.deps.outbox.owners()) {
      if (!ownerGone(owner, this.self)) continue;
      const entries = (await this.deps.outbox.takeOver(owner, this.self)).map((e) => this.fromKept(e)).filter((e): e is Entry => e !== null);
      if (entries.length === 0) continue;
      this.deps.logger.warn({ code: 'SETTLEMENT_RECORDS_TAKEN_OVER', count: entries.length }, 'writing the settlement records a bus that is gone had kept');
      // They happened before this process's own pending records.
      this.queue.unshift(...entries);
      this.kick();
    }
  }

  private fromKept(kept: OutboxEntry): Entry | null {
    const event = parseEvent(kept.event);
    if (!event) {
      this.deps.logger.error({ code: 'AUDIT_OUTBOX_ENTRY_INVALID', id: kept.id }, 'an audit outbox entry is not an audit event; left in the outbox');
      return null;
    }
    return { id: kept.id, keptAt: kept.keptAt, position: kept.position, event, kept: true, mayBeWritten: true, written: false, settled: () => undefined };
  }
}

function parseEvent(text: string): AuditEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const { step, outcome } = value as { step?: unknown; outcome?: unknown };
  if (typeof step !== 'string' || typeof outcome !== 'string') return null;
  // The writer checks every field again when it turns the event into a record.
  return value as AuditEvent;
}

