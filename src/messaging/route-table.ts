// Content-based router: picks the first configured route whose message types, clients and conditions match.
import type { ResolvedRoute } from '../config/load-config';
import type { RouteCondition } from '../config/schema';
import type { JsonValue } from '../core/envelope';

export interface RoutingFacts {
  type: string;
  source: string;
  destination: string | null;
  subject: string | null;
  payload: JsonValue;
}

export type RouteDecision =
  | { ok: true; route: ResolvedRoute }
  | { ok: false; code: 'NO_ROUTE' | 'ROUTE_FORBIDDEN'; message: string };

export class RouteTable {
  private readonly patterns = new Map<RouteCondition, RegExp>();

  constructor(readonly routes: readonly ResolvedRoute[]) {
    for (const route of routes) for (const cond of route.when) if (cond.matches !== undefined) this.patterns.set(cond, new RegExp(cond.matches));
  }

  byName(name: string): ResolvedRoute | undefined {
    return this.routes.find((r) => r.name === name);
  }

  resolve(facts: RoutingFacts): RouteDecision {
    let forbidden = false;
    for (const route of this.routes) {
      if (!route.types.includes(facts.type)) continue;
      if (!route.when.every((cond) => this.holds(cond, facts))) continue;
      if (!route.clients.includes('*') && !route.clients.includes(facts.source)) {
        forbidden = true;
        continue;
      }
      return { ok: true, route };
    }
    return forbidden
      ? { ok: false, code: 'ROUTE_FORBIDDEN', message: `client ${facts.source} may not send ${facts.type} on any matching route` }
      : { ok: false, code: 'NO_ROUTE', message: `no route takes messages of type ${facts.type} with these facts` };
  }

  private holds(cond: RouteCondition, facts: RoutingFacts): boolean {
    const value = fieldValue(cond.field, facts);
    if (value === null) return false;
    if (cond.equals !== undefined) return value === cond.equals;
    if (cond.in !== undefined) return cond.in.includes(value);
    if (cond.prefix !== undefined) return value.startsWith(cond.prefix);
    return this.patterns.get(cond)?.test(value) ?? false;
  }
}

function fieldValue(field: string, facts: RoutingFacts): string | null {
  if (field === 'destination' || field === 'subject' || field === 'source' || field === 'type') return facts[field];
  let node: JsonValue | undefined = facts.payload;
  for (const key of field.split('.').slice(1)) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
    node = node[key];
  }
  return typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? String(node) : null;
}
