// A dead letter met an audit log that could not be written (it restarted): each record is written on its own, so the
// message's status and its sequence number are settled all the same, and the audit record is kept in the outbox
// (with the reason logged) to be written once the audit log is back — not dropped with only a log line.
import { Writable } from 'node:stream';
import { AuditError, type AuditLog } from '../../../src/audit';
import { createEnvelope } from '../../../src/core/envelope';
import { createLogger } from '../../../src/observability/logger';
import { BusMetrics } from '../../../src/observability/metrics';
import { Resequencer } from '../../../src/messaging/resequencer';
import { MessageLedger } from '../../../src/messaging/ledger';
import { createSettlementObserver } from '../../../src/messaging/settlement-observer';
import { SettlementRecorder } from '../../../src/messaging/settlement-recorder';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';

test('an audit log that cannot be written does not keep a dead letter from its status and its sequence number, and its record is kept', async () => {
  const stores = new SqliteStores(openSqlite(':memory:'));
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  const logger = createLogger('info', sink);
  const unreachable: Pick<AuditLog, 'append' | 'isHealthy' | 'timeline'> = {
    append: () => Promise.reject(new AuditError('audit store unreachable', 'AUDIT_UNAVAILABLE')),
    isHealthy: () => false,
    timeline: () => Promise.reject(new AuditError('audit store unreachable', 'AUDIT_UNAVAILABLE')),
  };
  const recorder = new SettlementRecorder({ audit: unreachable as AuditLog, outbox: stores.auditOutbox, logger, retryMs: 20 });
  const ledger = new MessageLedger({
    recorder,
    audit: unreachable,
    messages: stores.messages,
    resequencer: new Resequencer(stores.sequences),
    orderedRoutes: new Set(['dossier-progress']),
    metrics: new BusMetrics(),
    logger,
  });
  const observer = createSettlementObserver(ledger, logger);
  const subject = '000.00.04.H10-261127-0009';
  const sequence = await stores.sequences.next(subject);
  const envelope = { ...createEnvelope({ type: 'dossier.progress', source: 'motcua', subject, payload: { MaHoSo: subject } }), sequence };
  await stores.messages.accepted({ messageId: envelope.id, correlationId: envelope.correlationId, causationId: null, type: envelope.type, source: envelope.source, subject, destination: 'dvcqg', route: 'dossier-progress', acceptedAt: envelope.createdAt });
  const failure = { attempt: 6, at: new Date().toISOString(), code: 'RETRIES_EXHAUSTED', reason: 'DVCQG kept failing' };
  await observer.onDeadLetter!('dossier-progress', { envelope, route: 'dossier-progress', redelivered: false, history: [] }, failure, {
    id: 'dl-1',
    route: 'dossier-progress',
    envelope,
    code: 'RETRIES_EXHAUSTED',
    reason: 'DVCQG kept failing',
    history: [failure],
    deadAt: failure.at,
    replayedAt: null,
  });
  expect(await stores.messages.get(envelope.id)).toMatchObject({ state: 'dead-lettered', code: 'RETRIES_EXHAUSTED' });
  expect(await stores.sequences.isSettled(subject, sequence)).toBe(true);
  const kept = stores.db.prepare('SELECT event FROM audit_outbox').all() as { event: string }[];
  expect(kept.map((k) => JSON.parse(k.event) as { step: string; messageId: string })).toEqual([expect.objectContaining({ step: 'dead-lettered', messageId: envelope.id })]);
  expect(lines.join('')).toContain('SETTLEMENT_RECORD_KEPT');
  expect(recorder.pending()).toBe(1);
  await recorder.close();
  await stores.close();
});
