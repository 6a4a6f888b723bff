// Registration point of every upstream adapter kind: the one place the bus learns which adapters exist.
import type { AdapterConfig } from '../../config/schema';
import type { DeliveryAdapter } from './adapter';
import { createHttpPushAdapter } from './http-push';

/** `token`: the adapter's bearer token, resolved at start from its tokenEnv (absent when it names none). */
export function createAdapter(name: string, config: AdapterConfig, token: string | undefined): DeliveryAdapter {
  switch (config.kind) {
    case 'http-push':
      return createHttpPushAdapter({ name, url: config.url, token });
  }
}
