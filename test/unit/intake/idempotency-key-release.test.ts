// Found by the chaos suite (postgres-restart): a message refused while the store was away left its Idempotency-Key
// pending (freeing it failed too), so the client's resends were answered 409 IDEMPOTENCY_KEY_IN_USE until the
// key's 30 s takeover time, past a careful client's resend budget. The key is now freed once the store is back.
import type { AuditLog } from '../../../src/audit';
import type { ResolvedRoute } from '../../../src/config/load-config';
import { MessageIntake } from '../../../src/intake/message-intake';
import { createLogger } from '../../../src/observability/logger';
import { BusMetrics } from '../../../src/observability/metrics';
import { Resequencer } from '../../../src/routing/resequencer';
import type { RouteTable } from '../../../src/routing/route-table';
import type { StepRegistry } from '../../../src/routing/step-registry';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite-stores';
import type { IdempotencyKeyStore, Stores } from '../../../src/stores/stores';
import type { Transport } from '../../../src/transport/transport';

const storeAway = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

test('the key of a message refused while the store was away is freed once it is back; the resend is then accepted', async () => {
  const stores = new SqliteStores(openSqlite(':memory:'));
  let releaseAttempts = 0;
  const keys: IdempotencyKeyStore = {
    claim: (...args) => stores.idempotency.claim(...args),
    accepted: (...args) => stores.idempotency.accepted(...args),
    takeOver: (...args) => stores.idempotency.takeOver(...args),
    // The store is away for the first two tries.
    release: (...args) => (++releaseAttempts <= 2 ? Promise.reject(storeAway()) : stores.idempotency.release(...args)),
  };
  let brokerAway = true;
  const published: string[] = [];
  const transport = {
    publish: async (_route: string, envelope: { id: string }) => {
      if (brokerAway) throw new Error('broker unreachable');
      published.push(envelope.id);
    },
  } as unknown as Transport;
  const audit = { isHealthy: () => true, append: async () => ({ chainId: 'test', seq: 1, hash: '0'.repeat(64) }) } as unknown as AuditLog;
  const intake = new MessageIntake({
    transport,
    stores: { kind: 'sqlite', effects: stores.effects, deadLetters: stores.deadLetters, messages: stores.messages, sequences: stores.sequences, idempotency: keys, ping: async () => undefined, close: async () => undefined } satisfies Stores,
    routes: {} as RouteTable,
    registry: {} as StepRegistry,
    resequencer: new Resequencer(stores.sequences),
    audit,
    metrics: new BusMetrics(),
    logger: createLogger('silent'),
  });
  const route = { name: 'dossier-sync', ordered: true } as ResolvedRoute;
  const submit = () =>
    intake.accept({ route, type: 'dossier.submitted', source: 'motcua', destination: null, subject: '000.00.04.H10-261127-0001', payload: { MaHoSo: '000.00.04.H10-261127-0001' }, idempotencyKey: 'key-1' });

  try {
    expect(await submit()).toMatchObject({ ok: false, code: 'TRANSPORT_UNAVAILABLE' });
    // The first release failed: the key is still held for now.
    expect(await submit()).toMatchObject({ ok: false, code: 'IDEMPOTENCY_KEY_IN_USE' });
    const deadline = Date.now() + 5000;
    while (releaseAttempts < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(releaseAttempts).toBe(3);

    brokerAway = false;
    const accepted = await submit();
    expect(accepted).toMatchObject({ ok: true });
    expect(accepted.ok && accepted.replayed).toBeFalsy();
    expect(published).toHaveLength(1);
  } finally {
    await stores.close();
  }
});
