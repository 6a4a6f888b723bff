// A message type owned by a flow is accepted only from that flow's own endpoints and steps, never from the generic
// endpoint: posted there by every demo client of the shipped configuration, and by a client that holds every message
// right, each flow-owned type is refused with a code and nothing reaches a route. The payloads are the ones an attacker
// used: a forged document "from" the national axis into a district mailbox, a stored package copied to another
// organ's mailbox or sent to the axis, a status planted in a sender's inbox, a dossier with no citizen id.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { loadFlows } from '../../../src/flows';
import type { JsonValue } from '../../../src/core/envelope';
import { TEST_CLIENT } from '../../../testkit/bus-process';
import { startHostileWorld, type HostileWorld } from '../../../testkit/worlds/hostile-world';
import { startShippedBus, type ShippedBus } from '../../../testkit/worlds/shipped-world';

const dossier = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, JsonValue>;
const blob = { documentId: '000.00.00.G22,2026/11/30,1/VPCP', sha256: 'ab'.repeat(32), bytes: 1024 };

/** The attack payload of each flow-owned type; every owned type must have one (a new flow's types fail the test). */
const ATTACKS: Record<string, { subject: string; payload: JsonValue }[]> = {
  'dossier.submitted': [{ subject: 'H10-ATTACK-1', payload: { ...dossier, MaHoSo: 'H10-ATTACK-1', SoDinhDanh: '', ChuHoSo: 'Người Không Có Thật' } }],
  'dossier.progress': [{ subject: 'H10-ATTACK-1', payload: { MaHoSo: 'H10-ATTACK-1', TrangThaiHoSo: 'DaTraKetQua', NguoiXuLy: 'X', NoiDungXuLy: 'X', ThoiGianXuLy: '2026-11-30T10:00:00+07:00' } }],
  'edoc.send': [{ subject: blob.documentId, payload: { blob, fromOrgan: '000.00.02.H10', businessDocType: 0, recipients: [{ organId: '000.00.03.H10', delivery: 'mailbox' }] } }],
  'edoc.deliver': (['mailbox', 'push', 'axis'] as const).map((delivery) => ({
    subject: blob.documentId,
    payload: { blob, fromOrgan: '000.00.00.G22', toOrgan: delivery === 'axis' ? '000.00.00.G22' : '000.00.02.H10', delivery, businessDocType: 0 },
  })),
  'edoc.status': [{ subject: blob.documentId, payload: { blob, fromOrgan: '000.00.02.H10', toOrgan: '000.00.01.H10', delivery: 'mailbox', statusCode: '02' } }],
};
/** The attacked types; the first test holds them to the flows' own list, so a new flow's type cannot go unattacked. */
const OWNED_TYPES = Object.keys(ATTACKS);

test('every flow-owned type has an attack payload here', async () => {
  const owned = (await loadFlows()).flatMap((flow) => flow.messageTypes);
  expect([...owned].sort()).toEqual([...OWNED_TYPES].sort());
});

describe('flow-owned types on the generic endpoint, shipped demo configuration', () => {
  let shipped: ShippedBus;
  beforeAll(async () => {
    shipped = await startShippedBus();
  });
  afterAll(async () => shipped?.dispose());

  test('no demo client holds message.generic: no generic route needs it', () => {
    const genericRoutes = shipped.config.routes.filter((route) => route.types.some((type) => !OWNED_TYPES.includes(type)));
    expect(genericRoutes).toEqual([]);
    for (const client of shipped.config.clients) expect(client.rights).not.toContain('message.generic');
  });

  test.each(OWNED_TYPES)('%s, posted by each demo client, is refused with a code and never accepted', async (type) => {
    for (const client of shipped.config.clients) {
      for (const attack of ATTACKS[type]!) {
        const res = await request(shipped.bus.url())
          .post('/api/v1/messages')
          .set('Authorization', `Bearer ${shipped.token(client.id)}`)
          .send({ type, subject: attack.subject, payload: attack.payload });
        expect({ client: client.id, status: res.status >= 400 && res.status < 500 }).toEqual({ client: client.id, status: true });
        expect(typeof res.body.code).toBe('string');
      }
    }
    const received = await shipped.bus.audit.search({ step: 'received' }, { limit: 10, cursor: null });
    expect(received.records).toEqual([]);
  });
});

describe('flow-owned types on the generic endpoint, a client with every message right', () => {
  let world: HostileWorld;
  beforeAll(async () => {
    world = await startHostileWorld();
  });
  afterAll(async () => world?.dispose());

  test.each(OWNED_TYPES)('%s is refused 403 MESSAGE_TYPE_RESERVED, audited, and reaches no route', async (type) => {
    for (const attack of ATTACKS[type]!) {
      const res = await request(world.url)
        .post('/api/v1/messages')
        .set('Authorization', `Bearer ${world.token(TEST_CLIENT)}`)
        .send({ type, subject: attack.subject, payload: attack.payload })
        .expect(403);
      expect(res.body.code).toBe('MESSAGE_TYPE_RESERVED');
    }
    const received = await world.bus.audit.search({ step: 'received' }, { limit: 10, cursor: null });
    expect(received.records).toEqual([]);
    const refusals = await world.refusalRecords();
    expect(refusals.filter((r) => r.errorCode === 'MESSAGE_TYPE_RESERVED').length).toBeGreaterThanOrEqual(ATTACKS[type]!.length);
    expect(world.dvcqg.store.dossier('H10-ATTACK-1')).toBeUndefined();
  });

  test('a generic type still passes the generic endpoint', async () => {
    await request(world.url).post('/api/v1/messages').set('Authorization', `Bearer ${world.token(TEST_CLIENT)}`).send({ type: 'test.ping', subject: 'HS-1', payload: { n: 1 } }).expect(202);
  });
});
