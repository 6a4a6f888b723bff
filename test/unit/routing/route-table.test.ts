// Content-based routing: first matching route by type, conditions and client rights.
import type { ResolvedRoute } from '../../../src/config/load-config';
import { RouteTable } from '../../../src/messaging/route-table';

const retry = { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 100, multiplier: 2, jitter: 0, maxAgeMs: 86_400_000 };
const route = (name: string, extra: Partial<ResolvedRoute>): ResolvedRoute => ({
  name,
  types: ['edoc.send'],
  clients: ['*'],
  when: [],
  steps: [{ kind: 'deliver', adapter: 'x' }],
  retry,
  prefetch: 10,
  ordered: false,
  deadlineSeconds: 3600,
  ...extra,
});

const table = new RouteTable([
  route('in-province', { when: [{ field: 'destination', prefix: '000.00.' }] }),
  route('by-payload', { when: [{ field: 'payload.header.kind', in: ['urgent'] }], clients: ['qlvb-a'] }),
  route('national', { when: [{ field: 'destination', matches: '^G[0-9]{2}' }] }),
]);

const facts = (destination: string | null, payload: object = {}, source = 'qlvb-a') => ({
  type: 'edoc.send',
  source,
  destination,
  subject: null,
  payload: payload as never,
});

describe('RouteTable', () => {
  test('picks the first route whose conditions hold', () => {
    expect(table.resolve(facts('000.00.31.H10'))).toMatchObject({ ok: true, route: { name: 'in-province' } });
    expect(table.resolve(facts('G12.34'))).toMatchObject({ ok: true, route: { name: 'national' } });
  });

  test('conditions can look into the payload', () => {
    expect(table.resolve(facts('X', { header: { kind: 'urgent' } }))).toMatchObject({ ok: true, route: { name: 'by-payload' } });
  });

  test('a client outside a matching route is forbidden; unmatched facts have no route', () => {
    expect(table.resolve(facts('X', { header: { kind: 'urgent' } }, 'qlvb-b'))).toMatchObject({ ok: false, code: 'ROUTE_FORBIDDEN' });
    expect(table.resolve(facts('nowhere'))).toMatchObject({ ok: false, code: 'NO_ROUTE' });
    expect(table.resolve({ ...facts('000.00.31.H10'), type: 'dossier.submitted' })).toMatchObject({ ok: false, code: 'NO_ROUTE' });
  });
});
