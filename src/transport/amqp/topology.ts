// Names and declares the bus's RabbitMQ topology: a work exchange, one quorum queue per route, delay tiers that
// dead-letter back to the work exchange, and the dead-letter exchange and queue.
import type { Channel } from 'amqplib';
import { backoffDelayMs, type RouteTopology } from '../transport';

export interface TopologyNames {
  work: string;
  deadExchange: string;
  deadQueue: string;
  routeQueue(route: string): string;
  delayExchange(tierMs: number): string;
  delayQueue(tierMs: number): string;
}

export function topologyNames(prefix: string): TopologyNames {
  return {
    work: `${prefix}.work`,
    deadExchange: `${prefix}.dead`,
    deadQueue: `${prefix}.dead-letters`,
    routeQueue: (route) => `${prefix}.route.${route}`,
    delayExchange: (tierMs) => `${prefix}.delay.${tierMs}ms`,
    delayQueue: (tierMs) => `${prefix}.delay.${tierMs}ms`,
  };
}

/** Every backoff step any route can take; each is one delay queue (per-message TTL only jitters within a tier). */
export function delayTiers(routes: RouteTopology[]): number[] {
  const tiers = new Set<number>();
  for (const route of routes) {
    for (let attempt = 1; attempt <= Math.max(route.retry.maxAttempts, 1); attempt++) tiers.add(backoffDelayMs(route.retry, attempt));
  }
  return [...tiers].sort((a, b) => a - b);
}

export interface QuorumSettings {
  /** Safety net against crash loops: the broker dead-letters a message delivered this many times. */
  deliveryLimit: number;
  /** Replicas at declaration (on a cluster: every node, so a queue survives the loss of any minority). */
  quorumInitialGroupSize?: number;
}

function replicaArgs(settings: QuorumSettings): Record<string, unknown> {
  const args: Record<string, unknown> = { 'x-queue-type': 'quorum' };
  if (settings.quorumInitialGroupSize !== undefined) args['x-quorum-initial-group-size'] = settings.quorumInitialGroupSize;
  return args;
}

/** Quorum queues keep at-least-once dead-lettering only with reject-publish overflow (RabbitMQ ≥ 3.10). */
function quorumArgs(deadLetterExchange: string, settings: QuorumSettings): Record<string, unknown> {
  return {
    ...replicaArgs(settings),
    'x-delivery-limit': settings.deliveryLimit,
    'x-dead-letter-exchange': deadLetterExchange,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

export async function declareTopology(
  channel: Channel,
  names: TopologyNames,
  routes: RouteTopology[],
  settings: QuorumSettings,
): Promise<void> {
  await channel.assertExchange(names.work, 'direct', { durable: true });
  await channel.assertExchange(names.deadExchange, 'fanout', { durable: true });
  await channel.assertQueue(names.deadQueue, { durable: true, arguments: replicaArgs(settings) });
  await channel.bindQueue(names.deadQueue, names.deadExchange, '');
  for (const route of routes) {
    const queue = names.routeQueue(route.name);
    await channel.assertQueue(queue, { durable: true, arguments: quorumArgs(names.deadExchange, settings) });
    await channel.bindQueue(queue, names.work, route.name);
  }
  for (const tier of delayTiers(routes)) {
    // No dead-letter routing key: an expired message goes back to the work exchange under its own route key.
    await channel.assertExchange(names.delayExchange(tier), 'fanout', { durable: true });
    await channel.assertQueue(names.delayQueue(tier), {
      durable: true,
      arguments: quorumArgs(names.work, settings),
    });
    await channel.bindQueue(names.delayQueue(tier), names.delayExchange(tier), '');
  }
}
