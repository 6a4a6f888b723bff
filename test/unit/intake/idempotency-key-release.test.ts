// The Idempotency-Key of a refused message (chaos: postgres-restart exercises both rules under load).
// - A message refused before its publish frees its key, in the background once the store is back when the store is
//   away (often why it was refused): a key left pending would answer the client's resends 409 IDEMPOTENCY_KEY_IN_USE
//   until its takeover time.
// - A message refused after its publish was tried (its sequence number could not be confirmed) keeps its key: it may
//   be in the queue all the same, and a freed key would let the resend become a second message at DVCQG.
import type { AuditLog } from '../../../src/audit';
import type { ResolvedRoute } from '../../../src/config/load-config';
import { MessageTypeOwnership } from '../../../src/messaging/message-types';
import { MessageIntake } from '../../../src/messaging/message-intake';
import { createLogger } from '../../../src/observability/logger';
import { BusMetrics } from '../../../src/observability/metrics';
import { MessageLedger } from '../../../src/messaging/ledger';
import { Resequencer } from '../../../src/messaging/resequencer';
import type { RouteTable } from '../../../src/messaging/route-table';
import { PipelineRegistry } from '../../../src/messaging/pipeline';
import type { MessageStatusStore, SubjectSequenceStore } from '../../../src/stores/message-status';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';
import type { IdempotencyKeyStore, Stores } from '../../../src/stores/stores';
import type { Transport } from '../../../src/transport/transport';
import { waitFor } from '../../../testkit/env';

const storeAway = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const SUBJECT = '000.00.04.H10-261127-0001';

/** An intake on real SQLite stores whose key releases, status writes and sequence confirms can be made to fail. */
function world() {
  const stores = new SqliteStores(openSqlite(':memory:'));
  const faults = { releasesFailing: 0, statusFailing: 0, confirmsFailing: 0, keyAcceptsFailing: 0, brokerAway: false };
  let releaseAttempts = 0;
  const keys: IdempotencyKeyStore = {
    claim: (...args) => stores.idempotency.claim(...args),
    accepted: (...args) => (faults.keyAcceptsFailing-- > 0 ? Promise.reject(storeAway()) : stores.idempotency.accepted(...args)),
    takeOver: (...args) => stores.idempotency.takeOver(...args),
    renew: (...args) => stores.idempotency.renew(...args),
    release: (...args) => (++releaseAttempts, faults.releasesFailing-- > 0 ? Promise.reject(storeAway()) : stores.idempotency.release(...args)),
  };
  const messages: MessageStatusStore = Object.assign(Object.create(stores.messages) as MessageStatusStore, {
    accepted: (status: Parameters<MessageStatusStore['accepted']>[0]) => (faults.statusFailing-- > 0 ? Promise.reject(storeAway()) : stores.messages.accepted(status)),
  });
  const sequences: SubjectSequenceStore = Object.assign(Object.create(stores.sequences) as SubjectSequenceStore, {
    confirm: (subject: string, sequence: number) => (faults.confirmsFailing-- > 0 ? Promise.reject(storeAway()) : stores.sequences.confirm(subject, sequence)),
  });
  const published: string[] = [];
  const transport = {
    publish: async (_route: string, envelope: { id: string }) => {
      if (faults.brokerAway) throw new Error('broker unreachable');
      published.push(envelope.id);
    },
  } as unknown as Transport;
  const audit = { isHealthy: () => true, append: async () => ({ chainId: 'test', seq: 1, hash: '0'.repeat(64) }) } as unknown as AuditLog;
  const intake = new MessageIntake({
    transport,
    stores: { kind: 'sqlite', effects: stores.effects, messages, sequences, idempotency: keys, revokedSessions: stores.revokedSessions, auditOutbox: stores.auditOutbox, retention: stores.retention, procedures: stores.procedures, ping: async () => undefined, close: async () => undefined } satisfies Stores,
    routes: {} as RouteTable,
    pipelines: new PipelineRegistry(),
    audit,
    ledger: new MessageLedger({ messages, audit, recorder: { record: async () => undefined }, resequencer: new Resequencer(sequences), orderedRoutes: new Set(), metrics: new BusMetrics(), logger: createLogger('silent') }),
    metrics: new BusMetrics(),
    logger: createLogger('silent'),
    ownership: new MessageTypeOwnership(),
  });
  const route = { name: 'dossier-sync', ordered: true } as ResolvedRoute;
  const submit = () => intake.accept({ route, type: 'dossier.submitted', source: 'motcua', destination: null, subject: SUBJECT, payload: { MaHoSo: SUBJECT }, idempotencyKey: 'key-1' });
  return { submit, faults, published, releaseAttempts: () => releaseAttempts, close: () => stores.close() };
}

test('a message refused before its publish frees its key once the store is back; the resend is then accepted', async () => {
  const w = world();
  try {
    w.faults.statusFailing = 1;
    w.faults.releasesFailing = 2;
    expect(await w.submit()).toMatchObject({ ok: false, code: 'STORE_UNAVAILABLE' });
    // The first release failed: the key is still held for now.
    expect(await w.submit()).toMatchObject({ ok: false, code: 'IDEMPOTENCY_KEY_IN_USE' });
    await waitFor(() => w.releaseAttempts() >= 3, 5000, 'the key released in the background');
    expect(w.releaseAttempts()).toBe(3);

    const accepted = await w.submit();
    expect(accepted).toMatchObject({ ok: true });
    expect(accepted.ok && accepted.replayed).toBeFalsy();
    expect(w.published).toHaveLength(1);
  } finally {
    await w.close();
  }
});

test.each([
  // The store went away after the publish: neither the number nor the key could be confirmed.
  ['its sequence number could not be confirmed', 'STORE_UNAVAILABLE', (f: ReturnType<typeof world>['faults']) => (f.confirmsFailing = f.keyAcceptsFailing = 100)],
  ['the broker did not confirm it', 'TRANSPORT_UNAVAILABLE', (f: ReturnType<typeof world>['faults']) => (f.brokerAway = true)],
])('a message refused after its publish was tried (%s) keeps its key: a resend is not a second message', async (_why, code, fault) => {
  const w = world();
  try {
    fault(w.faults);
    expect(await w.submit()).toMatchObject({ ok: false, code });
    w.faults.confirmsFailing = w.faults.keyAcceptsFailing = 0;
    w.faults.brokerAway = false;
    // A release, in the foreground or the background, makes its first attempt before the refusal is answered, so
    // none now means none at all.
    expect(w.releaseAttempts()).toBe(0);
    expect(await w.submit()).toMatchObject({ ok: false, code: 'IDEMPOTENCY_KEY_IN_USE' });
    expect(w.published.length).toBeLessThanOrEqual(1);
  } finally {
    await w.close();
  }
}, 15_000);
