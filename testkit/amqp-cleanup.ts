// Removes the queues and exchanges a test declared on the shared RabbitMQ, so runs do not pile up quorum queues.
import amqp from 'amqplib';
import { delayTiers, topologyNames } from '../src/transport/amqp/topology';
import type { RouteTopology } from '../src/transport/transport';
import { AMQP_URL } from './env';

/** `url`: the broker (any node of a cluster) holding the topology; the machine's default node when absent. */
export async function deleteTopology(prefix: string, routes: RouteTopology[], url: string = AMQP_URL): Promise<void> {
  const names = topologyNames(prefix);
  const model = await amqp.connect(url);
  try {
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    const queues = [names.deadQueue, ...routes.map((r) => names.routeQueue(r.name)), ...delayTiers(routes).map(names.delayQueue)];
    const exchanges = [names.work, names.deadExchange, ...delayTiers(routes).map(names.delayExchange)];
    for (const q of queues) await channel.deleteQueue(q);
    for (const e of exchanges) await channel.deleteExchange(e);
    await channel.close();
  } finally {
    await model.close();
  }
}
