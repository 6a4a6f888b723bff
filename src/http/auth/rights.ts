// Per-service rights of a client: what it may call, from clients[].rights and the rights of its groups.
import type { BusFileConfig, ClientConfig } from '../../config/schema';
import { rightMatches } from '../../core/right-pattern';

/**
 * A right, `<service>.<operation>`: the services the gateway and the flows declare (src/config/flow-descriptor.ts)
 * name every right there is; loadConfig refuses a config granting one outside them (BusConfig.knownRights).
 */
export type Right = string;

/** The rights of a client: its own plus those of its groups, wildcards kept. */
export function rightsOf(config: Pick<BusFileConfig, 'groups'>, client: ClientConfig): readonly string[] {
  const fromGroups = client.groups.flatMap((name) => config.groups[name]?.rights ?? []);
  return [...new Set([...client.rights, ...fromGroups])];
}

export function hasRight(granted: readonly string[], right: Right): boolean {
  return granted.some((pattern) => rightMatches(pattern, right));
}
