// The RabbitMQ addresses a configuration names, from transport.amqpUrl or transport.amqpUrls.
import type { BusFileConfig } from './schema';

type TransportConfig = BusFileConfig['transport'];

/** Every broker address, in the order to try them; empty for the embedded transport. */
export function brokerUrls(transport: TransportConfig): string[] {
  if (transport.amqpUrls !== undefined) return [...transport.amqpUrls];
  return transport.amqpUrl === null ? [] : [transport.amqpUrl];
}

