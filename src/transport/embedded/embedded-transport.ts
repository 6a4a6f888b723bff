// Broker-less transport for one process: durable queues, delayed retries and dead letters in one SQLite (WAL) file.
import { parseEnvelope, serializeEnvelope, withAttempt, type Envelope } from '../../core/envelope';
import type { SqliteDatabase } from '../../stores/sqlite/sqlite-stores';
import { SqliteGroupCommit } from '../../stores/sqlite/sqlite-group-commit';
import { SqliteDeadLetters } from '../dead-letters/sqlite-dead-letters';
import { migrateSqlite } from '../../stores/sqlite/sqlite-migrator';
import { EMBEDDED_QUEUE_MIGRATIONS, EMBEDDED_QUEUE_OWNER } from './embedded-queue-migrations';
import { deliveryLimitLetter, settle } from '../settlement';
import {
  failureFromError,
  type DeadLetter,
  type DeadLetterFilter,
  type Delivery,
  type DeliveryFailure,
  type DeliveryHandler,
  type HandlerResult,
  type ReplayResult,
  type RouteTopology,
  type Transport,
  type TransportObserver,
  type TransportStats,
  notify,
} from '../transport';

interface QueueRow {
  seq: number;
  route: string;
  envelope: string;
  history: string;
  deliveries: number;
}

interface Consumer {
  route: RouteTopology;
  handler: DeliveryHandler;
  inFlight: number;
  timer: NodeJS.Timeout | null;
  /** A claim is waiting for its commit; its rows' slots are counted in inFlight already. */
  claiming: boolean;
  /** Work was signalled while a claim was waiting: claim again when it lands. */
  pumpAgain: boolean;
}

export interface EmbeddedTransportOptions {
  db: SqliteDatabase;
  /** Deliveries of one message without an outcome before it is dead-lettered (crash-loop guard). */
  deliveryLimit: number;
  /** A claimed message not settled within this time is handed out again. */
  leaseMs?: number;
  observer?: TransportObserver;
}

/**
 * The statements every handout runs, on the event loop: each must find its rows through an index (a test reads their
 * query plans), as a scan of a backlog of thousands of messages holds the loop for tenths of a second.
 */
export const QUEUE_HOT_SQL = {
  // In the order they became available (a retry waits its delay, then queues as if published then), then of publish.
  claim: `UPDATE queue_messages SET leased_until = ?, deliveries = deliveries + 1
          WHERE seq IN (SELECT seq FROM queue_messages
                        WHERE route = ? AND leased_until IS NULL AND available_at <= ? ORDER BY available_at, seq LIMIT ?)
          RETURNING seq, route, envelope, history, deliveries`,
  reclaimExpired: 'UPDATE queue_messages SET leased_until = NULL WHERE leased_until IS NOT NULL AND leased_until < ?',
  // Two index look-ups: the first unleased row to come due, and the first lease to run out. (SQL's two-argument min()
  // is NULL when either is, so the earlier of the two is taken by the caller.)
  nextWake: `SELECT (SELECT min(available_at) FROM queue_messages WHERE route = @route AND leased_until IS NULL) AS due,
                    (SELECT min(leased_until) FROM queue_messages WHERE leased_until IS NOT NULL AND route = @route) AS leaseEnds`,
} as const;

/** Longest wait between two tries of a write the queue file refused. */
const STORE_RETRY_MAX_MS = 2000;

export class EmbeddedTransport implements Transport {
  readonly kind = 'embedded' as const;
  private readonly db: SqliteDatabase;
  private readonly deadLetters: SqliteDeadLetters;
  private readonly routes = new Map<string, RouteTopology>();
  private readonly consumers = new Map<string, Consumer>();
  /** Publishes, claims and outcomes of one event-loop turn share one commit (one WAL sync). */
  private readonly group: SqliteGroupCommit;
  private stopping = false;
  private closed = false;
  private readonly leaseMs: number;
  private readonly idleWaiters = new Set<() => void>();
  private readonly stmts;

  constructor(private readonly options: EmbeddedTransportOptions) {
    this.db = options.db;
    this.leaseMs = options.leaseMs ?? 10 * 60_000;
    migrateSqlite(this.db, EMBEDDED_QUEUE_OWNER, EMBEDDED_QUEUE_MIGRATIONS);
    this.deadLetters = new SqliteDeadLetters(this.db, 'dead_letters');
    this.group = new SqliteGroupCommit(this.db);
    this.stmts = {
      insert: this.db.prepare(
        'INSERT INTO queue_messages (route, message_id, envelope, history, available_at) VALUES (?, ?, ?, ?, ?)',
      ),
      claim: this.db.prepare<[number, string, number, number], QueueRow>(QUEUE_HOT_SQL.claim),
      reclaimExpired: this.db.prepare(QUEUE_HOT_SQL.reclaimExpired),
      delete: this.db.prepare('DELETE FROM queue_messages WHERE seq = ?'),
      reschedule: this.db.prepare(
        // A settled retry is an outcome: the crash-loop count starts again, as a new broker message would.
        'UPDATE queue_messages SET envelope = ?, history = ?, available_at = ?, leased_until = NULL, deliveries = 0 WHERE seq = ?',
      ),
      nextWake: this.db.prepare<[{ route: string }], { due: number | null; leaseEnds: number | null }>(QUEUE_HOT_SQL.nextWake),
      depth: this.db.prepare<[], { route: string; n: number }>('SELECT route, count(*) AS n FROM queue_messages GROUP BY route'),
    };
  }

  async start(routes: RouteTopology[]): Promise<void> {
    for (const route of routes) this.routes.set(route.name, route);
    // One process owns this file: leases left by a previous (crashed) process are handed out again now.
    this.db.prepare('UPDATE queue_messages SET leased_until = NULL WHERE leased_until IS NOT NULL').run();
  }

  publish(route: string, envelope: Envelope): Promise<void> {
    if (this.closed) return Promise.reject(new Error('transport is closed'));
    if (!this.routes.has(route)) return Promise.reject(new Error(`unknown route ${route}`));
    const text = serializeEnvelope(envelope).toString('utf8');
    // Resolved once the turn's transaction has committed: the message is on disk before its 202.
    return this.group
      .write(() => {
        this.stmts.insert.run(route, envelope.id, text, '[]', Date.now());
      })
      .then(() => this.wake(route));
  }

  async consume(route: string, handler: DeliveryHandler): Promise<void> {
    const topology = this.routes.get(route);
    if (!topology) throw new Error(`unknown route ${route}`);
    if (this.consumers.has(route)) throw new Error(`route ${route} already has a consumer`);
    this.stopping = false;
    this.consumers.set(route, { route: topology, handler, inFlight: 0, timer: null, claiming: false, pumpAgain: false });
    this.wake(route);
  }

  private wake(route: string): void {
    const consumer = this.consumers.get(route);
    if (!consumer || this.stopping || this.closed) return;
    if (consumer.timer) {
      clearTimeout(consumer.timer);
      consumer.timer = null;
    }
    this.pump(consumer);
  }

  /**
   * Claims up to the free slots of the consumer's prefetch in the turn's transaction and hands the rows out once it
   * has committed. One claim waits at a time per consumer; a wake meanwhile claims again when it lands.
   */
  private pump(consumer: Consumer): void {
    if (this.stopping || this.closed) return;
    if (consumer.claiming) {
      consumer.pumpAgain = true;
      return;
    }
    const want = consumer.route.prefetch - consumer.inFlight;
    if (want <= 0) return;
    consumer.claiming = true;
    consumer.pumpAgain = false;
    consumer.inFlight += want;
    const route = consumer.route.name;
    this.group
      .write(() => {
        const now = Date.now();
        this.stmts.reclaimExpired.run(now);
        return this.stmts.claim.all(now + this.leaseMs, route, now, want);
      })
      .then(
        (rows) => {
          consumer.claiming = false;
          consumer.inFlight -= want - rows.length;
          // Claimed rows are delivered even while consuming stops: the stop waits for them as for any delivery.
          for (const row of rows) void this.deliver(consumer, row);
          if (this.stopping || this.closed) this.notifyIdle();
          else if (rows.length === want || consumer.pumpAgain) this.pump(consumer);
          else this.scheduleWake(consumer);
        },
        () => {
          // Claiming is a write: a full or read-only disk refuses it. Nothing was handed out; look again shortly.
          consumer.claiming = false;
          consumer.inFlight -= want;
          if (this.stopping || this.closed) this.notifyIdle();
          else this.scheduleWake(consumer, STORE_RETRY_MAX_MS);
        },
      );
  }

  private scheduleWake(consumer: Consumer, fixedDelayMs?: number): void {
    if (consumer.timer) clearTimeout(consumer.timer);
    const next = fixedDelayMs === undefined ? this.nextWakeAt(consumer.route.name) : Date.now() + fixedDelayMs;
    // Without known work, poll now and then anyway: cheap, and covers rows written by another connection.
    const delay = next === null ? 1000 : Math.min(Math.max(next - Date.now(), 0), Math.max(1000, fixedDelayMs ?? 0));
    consumer.timer = setTimeout(() => {
      consumer.timer = null;
      this.pump(consumer);
    }, delay);
    consumer.timer.unref();
  }

  /** When the route has work next: its first unleased row's due time or its first lease's end, whichever is earlier. */
  private nextWakeAt(route: string): number | null {
    const row = this.stmts.nextWake.get({ route });
    const times = [row?.due, row?.leaseEnds].filter((t): t is number => typeof t === 'number');
    return times.length > 0 ? Math.min(...times) : null;
  }

  private async deliver(consumer: Consumer, row: QueueRow): Promise<void> {
    const route = consumer.route;
    let envelope: Envelope;
    let history: DeliveryFailure[];
    try {
      envelope = parseEnvelope(row.envelope);
      history = JSON.parse(row.history) as DeliveryFailure[];
    } catch (error) {
      await this.writeOutcome(() => this.quarantine(row, error));
      this.finish(consumer);
      return;
    }
    const delivery: Delivery = { envelope, route: route.name, redelivered: row.deliveries > 1, history };
    try {
      if (row.deliveries > this.options.deliveryLimit) {
        const letter = deliveryLimitLetter(route.name, envelope, history, row.deliveries);
        await notify(() => this.options.observer?.onDeadLetter?.(route.name, delivery, letter.history[letter.history.length - 1]!, letter));
        await this.writeOutcome(() => this.moveToDeadLetters(row.seq, letter));
        return;
      }
      let result: HandlerResult;
      try {
        result = await consumer.handler(delivery);
      } catch (error) {
        result = { outcome: 'retry', ...failureFromError(error) };
      }
      if (this.closed) return;
      const settlement = settle(delivery, result, route.retry);
      switch (settlement.action) {
        case 'ack':
          await notify(() => this.options.observer?.onAck?.(route.name, delivery));
          await this.writeOutcome(() => this.stmts.delete.run(row.seq));
          break;
        case 'retry': {
          await notify(() => this.options.observer?.onRetry?.(route.name, delivery, settlement.failure, settlement.delayMs));
          const envelopeText = serializeEnvelope(settlement.envelope).toString('utf8');
          const availableAt = Date.now() + settlement.delayMs;
          await this.writeOutcome(() => this.stmts.reschedule.run(envelopeText, JSON.stringify(settlement.history), availableAt, row.seq));
          break;
        }
        case 'dead-letter':
          await notify(() => this.options.observer?.onDeadLetter?.(route.name, delivery, settlement.failure, settlement.letter));
          await this.writeOutcome(() => this.moveToDeadLetters(row.seq, settlement.letter));
          break;
      }
    } catch {
      // Only a transport closed under the delivery gets here: the next start hands the message out again.
    } finally {
      this.finish(consumer);
    }
  }

  /**
   * Writes a delivery's outcome, trying again (100 ms doubling to STORE_RETRY_MAX_MS) while the file refuses it — a
   * full or read-only disk, a lock held too long — until it is written or consuming stops. The outcome is known and
   * kept: left to the lease, the message would wait leaseMs (minutes) after the disk is back before it moved on. The
   * consumer's slot stays taken meanwhile, so a disk that takes nothing also stops new handouts. A stop gives up the
   * write (the stop would otherwise wait for the disk): the next start hands the message out again, and its effect
   * record keeps the upstream from acting twice.
   */
  private async writeOutcome(write: () => unknown): Promise<void> {
    for (let delay = 100; ; delay = Math.min(delay * 2, STORE_RETRY_MAX_MS)) {
      try {
        await this.group.write(write);
        return;
      } catch {
        if (this.closed || this.stopping) return;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private finish(consumer: Consumer): void {
    consumer.inFlight--;
    if (this.stopping || this.closed) this.notifyIdle();
    else this.pump(consumer);
  }

  private notifyIdle(): void {
    if (this.totalInFlight() === 0) for (const done of this.idleWaiters) done();
  }

  private quarantine(row: QueueRow, error: unknown): void {
    // A row that no longer parses cannot be replayed as an envelope; keep its raw text in the dead letters' reason.
    const { reason } = failureFromError(error);
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR IGNORE INTO dead_letters (id, message_id, route, type, subject, code, reason, envelope, history, dead_at)
           VALUES (?, ?, ?, 'unknown', NULL, 'ENVELOPE_MALFORMED', ?, ?, ?, ?)`,
        )
        .run(`quarantine-${row.seq}`, `row-${row.seq}`, row.route, reason, row.envelope, row.history, new Date().toISOString());
      this.stmts.delete.run(row.seq);
    })();
  }

  private moveToDeadLetters(seq: number, letter: DeadLetter): void {
    this.db.transaction(() => {
      this.deadLetters.putSync(letter);
      this.stmts.delete.run(seq);
    })();
  }

  private totalInFlight(): number {
    let n = 0;
    for (const c of this.consumers.values()) n += c.inFlight;
    return n;
  }

  async stopConsuming(): Promise<void> {
    this.stopping = true;
    for (const c of this.consumers.values()) if (c.timer) clearTimeout(c.timer);
    if (this.totalInFlight() > 0) await new Promise<void>((resolve) => this.idleWaiters.add(resolve));
    this.consumers.clear();
  }

  async deadLetterCounts(): Promise<Record<string, number>> {
    return this.deadLetters.countByRoute();
  }

  async listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    return this.deadLetters.list(filter);
  }

  async replay(filter: DeadLetterFilter): Promise<ReplayResult> {
    const letters = (await this.deadLetters.list(filter)).filter((l) => l.replayedAt === null && this.routes.has(l.route));
    const at = new Date().toISOString();
    const now = Date.now();
    // Re-queue and mark replayed in one transaction: a crash cannot replay a letter twice or lose it.
    this.db.transaction(() => {
      for (const letter of letters) {
        const envelope = withAttempt(letter.envelope, 1);
        this.stmts.insert.run(letter.route, envelope.id, serializeEnvelope(envelope).toString('utf8'), '[]', now);
      }
      this.deadLetters.markReplayedSync(letters.map((l) => l.id), at);
    })();
    for (const letter of letters) {
      await notify(() => this.options.observer?.onReplay?.(letter.route, letter.envelope, at));
      this.wake(letter.route);
    }
    return { replayed: letters.map((l) => ({ deadLetterId: l.id, messageId: l.envelope.id, route: l.route })) };
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async stats(): Promise<TransportStats> {
    const queueDepth: Record<string, number> = {};
    for (const name of this.routes.keys()) queueDepth[name] = 0;
    for (const row of this.stmts.depth.all()) queueDepth[row.route] = row.n;
    return { queueDepth, outboxSize: this.group.waiting };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.stopping) await this.stopConsuming();
    await this.group.drained();
    this.closed = true;
  }
}
