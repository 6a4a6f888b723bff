// A dead letter met an audit log that could not be written (it restarted): the audit append failed first and the
// rest of the bookkeeping never ran, so the message's status stayed "in progress" and, on an ordered route, its
// sequence number was never settled (the subject's later messages waited). Each record is now written on its own.
import { Writable } from 'node:stream';
import { AuditError } from '../../../src/audit';
import { createEnvelope } from '../../../src/envelope/envelope';
import { createLogger } from '../../../src/observability/logger';
import { BusMetrics } from '../../../src/observability/metrics';
import { Resequencer } from '../../../src/routing/resequencer';
import { createSettlementObserver } from '../../../src/routing/settlement-observer';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite-stores';

test('an audit log that cannot be written does not keep a dead letter from its status and its sequence number', async () => {
  const stores = new SqliteStores(openSqlite(':memory:'));
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  const observer = createSettlementObserver({
    audit: { append: () => Promise.reject(new AuditError('audit store unreachable', 'AUDIT_UNAVAILABLE')) } as never,
    messages: stores.messages,
    resequencer: new Resequencer(stores.sequences),
    orderedRoutes: new Set(['dossier-progress']),
    metrics: new BusMetrics(),
    logger: createLogger('info', sink),
  });
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
  expect(lines.join('')).toContain('SETTLEMENT_RECORD_FAILED');
  await stores.close();
});
