// The transport contract on both transports: the real RabbitMQ (its dead letters in a PostgreSQL schema of the test's
// own) and the embedded SQLite store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqlite } from '../../../src/stores/sqlite/sqlite-stores';
import { AmqpTransport } from '../../../src/transport/amqp/amqp-transport';
import { EmbeddedTransport } from '../../../src/transport/embedded/embedded-transport';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { CONTRACT_ROUTE as ROUTE, transportContract, type TransportUnderTest } from '../../../testkit/contracts/transport-contract';
import { AMQP_URL, uniqueName } from '../../../testkit/env';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';

async function amqpHarness(): Promise<TransportUnderTest> {
  const prefix = uniqueName('t').toLowerCase();
  const schema = prefix.replace(/[^a-z0-9_]/g, '_');
  await createSchema(schema);
  const make = async () => {
    const t = new AmqpTransport({ url: AMQP_URL, namePrefix: prefix, deliveryLimit: 20, deadLetterDatabase: { postgresUrl: schemaUrl(schema) } });
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
      await deleteTopology(prefix, [ROUTE]);
      await dropSchema(schema);
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
