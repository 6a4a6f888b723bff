// Registration point of every upstream adapter kind: the one place the bus learns which adapters exist.
import type { AdapterConfig } from '../../config/schema';
import type { DeliveryAdapter } from './adapter';
import { createHttpPushAdapter } from './http-push';

export type SecretLookup = (envName: string) => string | undefined;

export function createAdapter(name: string, config: AdapterConfig, secret: SecretLookup): DeliveryAdapter {
  switch (config.kind) {
    case 'http-push':
      return createHttpPushAdapter({ name, url: config.url, token: config.tokenEnv ? secret(config.tokenEnv) : undefined });
  }
}
