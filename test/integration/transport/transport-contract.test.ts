// The transport contract on both transports: the real RabbitMQ and the embedded SQLite store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqlite, SqliteStores } from '../../../src/stores/sqlite/sqlite-stores';
import { AmqpTransport } from '../../../src/transport/amqp/amqp-transport';
import { EmbeddedTransport } from '../../../src/transport/embedded/embedded-transport';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { CONTRACT_ROUTE as ROUTE, transportContract, type TransportUnderTest } from '../../../testkit/contracts/transport-contract';
import { AMQP_URL, uniqueName } from '../../../testkit/env';

async function amqpHarness(): Promise<TransportUnderTest> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-amqp-'));
  const prefix = uniqueName('t').toLowerCase();
  const stores = new SqliteStores(openSqlite(path.join(dir, 'stores.db')));
  const make = async () => {
    const t = new AmqpTransport({ url: AMQP_URL, namePrefix: prefix, deliveryLimit: 20, deadLetters: stores.deadLetters });
    await t.start([ROUTE]);
    return t;
  };
  const harness: TransportUnderTest = {
    transport: await make(),
    async reopen() {
      await harness.transport.close();
      harness.transport = await make();
      return harness.transport;
    },
    async dispose() {
      await harness.transport.close();
      await stores.close();
      await deleteTopology(prefix, [ROUTE]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

async function embeddedHarness(): Promise<TransportUnderTest> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-embedded-'));
  const file = path.join(dir, 'queue.db');
  let db = openSqlite(file);
  const make = async () => {
    const t = new EmbeddedTransport({ db, deliveryLimit: 20 });
    await t.start([ROUTE]);
    return t;
  };
  const harness: TransportUnderTest = {
    transport: await make(),
    async reopen() {
      await harness.transport.close();
      db.close();
      db = openSqlite(file);
      harness.transport = await make();
      return harness.transport;
    },
    async dispose() {
      await harness.transport.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

transportContract('amqp', amqpHarness);
transportContract('embedded', embeddedHarness);
