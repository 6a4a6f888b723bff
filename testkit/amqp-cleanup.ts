// Removes the queues and exchanges a test declared on the shared RabbitMQ, so runs do not pile up quorum queues.
import amqp from 'amqplib';
import { delayTiers, topologyNames } from '../src/transport/amqp/topology';
import type { RouteTopology } from '../src/transport/transport';
import { AMQP_URL } from './env';

export async function deleteTopology(prefix: string, routes: RouteTopology[]): Promise<void> {
  const names = topologyNames(prefix);
  const model = await amqp.connect(AMQP_URL);
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
