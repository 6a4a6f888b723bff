// A RabbitMQ transport of a test's own: a unique name prefix, its dead-letter table in a temporary directory, and a raw
// amqplib connection beside it for what the test does to the broker directly; all of it removed afterwards.
import amqp, { type ChannelModel } from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AmqpTransport, type AmqpTransportOptions } from '../src/transport/amqp/amqp-transport';
import { topologyNames, type TopologyNames } from '../src/transport/amqp/topology';
import type { RouteTopology } from '../src/transport/transport';
import { deleteTopology } from './amqp-cleanup';
import { AMQP_URL, uniqueName } from './env';

export interface AmqpTransportWorld {
  /** Started on the routes given. */
  transport: AmqpTransport;
  raw: ChannelModel;
  prefix: string;
  names: TopologyNames;
}

/** Runs `body` with a started transport on `routes`; `label` names the prefix and the temporary directory. */
export async function withAmqpTransport(
  label: string,
  routes: RouteTopology[],
  options: Omit<AmqpTransportOptions, 'url' | 'urls' | 'namePrefix' | 'deadLetterDatabase'>,
  body: (world: AmqpTransportWorld) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), `lgsp-${label}-`));
  const prefix = uniqueName(label).toLowerCase();
  const transport = new AmqpTransport({ ...options, url: AMQP_URL, namePrefix: prefix, deadLetterDatabase: { sqliteFile: path.join(dir, 'dead-letters.db') } });
  const raw = await amqp.connect(AMQP_URL);
  try {
    await transport.start(routes);
    await body({ transport, raw, prefix, names: topologyNames(prefix) });
  } finally {
    await raw.close().catch(() => undefined);
    await transport.close();
    await deleteTopology(prefix, routes);
    rmSync(dir, { recursive: true, force: true });
  }
}
