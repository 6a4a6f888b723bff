// Per-service rights of a client: what it may call, from clients[].rights and the rights of its groups.
import type { BusFileConfig, ClientConfig } from '../../config/schema';

/** Every right an endpoint of the bus asks for; a right in config outside this list (or its wildcards) stops the start. */
export const KNOWN_RIGHTS = [
  'dossier.submit',
  'dossier.progress',
  'citizen.verify',
  'edoc.send',
  'edoc.inbox',
  'edoc.status',
  'message.status',
  'message.generic',
] as const;

export type Right = (typeof KNOWN_RIGHTS)[number];

/** True when a configured right (`*`, `edoc.*`, `edoc.send`) names at least one known right. */
export function isKnownRightPattern(pattern: string): boolean {
  return KNOWN_RIGHTS.some((right) => rightMatches(pattern, right));
}

function rightMatches(pattern: string, right: string): boolean {
  if (pattern === '*' || pattern === right) return true;
  return pattern.endsWith('.*') && right.startsWith(pattern.slice(0, -1));
}

/** The rights of a client: its own plus those of its groups, wildcards kept. */
export function rightsOf(config: Pick<BusFileConfig, 'groups'>, client: ClientConfig): readonly string[] {
  const fromGroups = client.groups.flatMap((name) => config.groups[name]?.rights ?? []);
  return [...new Set([...client.rights, ...fromGroups])];
}

export function hasRight(granted: readonly string[], right: Right): boolean {
  return granted.some((pattern) => rightMatches(pattern, right));
}
