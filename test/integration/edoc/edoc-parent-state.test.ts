// A document's state follows its recipients', on the embedded transport and on RabbitMQ: delivered only when every
// recipient has it, partially-delivered or rejected otherwise with each recipient's detail, settled once. The national
// axis refusing the sender (not registered) is told to the sender, and no status 02 goes out in a recipient's name; the
// axis refusing the bus's credentials is a dead letter for the operator.
import request from 'supertest';
import { PARTS_NOT_DELIVERED } from '../../../src/core/message-state';
import { EDOC_SENDER_NOT_REGISTERED } from '../../../src/flows/edoc/adapters/axis-adapter';
import { waitFor } from '../../../testkit/env';
import { inboxOf, sendEdxml } from '../../../testkit/worlds/edoc/edoc-calls';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { BUS_ORGAN, CLIENT_A, CLIENT_B, ORGAN_A, ORGAN_B, ORGAN_C, ORGAN_G, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';

interface Part {
  messageId: string;
  destination: string;
  delivery?: string;
  state: string;
  code: string | null;
  reason: string | null;
}

interface ParentStatus {
  messageId: string;
  state: string;
  code: string | null;
  reason: string | null;
  parts: Part[];
}

const FINAL = ['delivered', 'partially-delivered', 'rejected', 'dead-lettered'];

describe.each([
  ['embedded', false],
  ['rabbitmq', true],
])('a document settled from its recipients on the %s transport', (_name, amqp) => {
  let edoc: EdocBus;
  let seq = 0;
  const docId = (from: string) => `${from},2025/03/14,${++seq}${amqp ? 'r' : 'e'}${Date.now() % 100000}/UBND-VP`;

  /** Sends a package and waits until its message has ended, as its sender reads it at the status URL. */
  const sendAndSettle = async (client: string, from: string, to: string[]): Promise<{ documentId: string; parent: ParentStatus }> => {
    const documentId = docId(from);
    const accepted = await sendEdxml(edoc, client, documentPackage({ from, to, documentId })).expect(202);
    const id = accepted.body.messageId as string;
    const parent = await waitFor(async () => {
      const res = await request(edoc.bus.url()).get(`/api/v1/messages/${id}`).set('Authorization', `Bearer ${edoc.token(client)}`).expect(200);
      const body = res.body as ParentStatus;
      return FINAL.includes(body.state) ? body : null;
    }, 30_000, `document ${documentId} settled`);
    return { documentId, parent };
  };

  /** The one `settled` audit record of a parent (waited for: it is written once the state is). */
  const settledRecords = async (parentId: string) => {
    await waitFor(async () => ((await edoc.bus.audit.timeline(parentId)).some((r) => r.step === 'settled' && r.messageId === parentId) ? true : null), 10_000, 'settled record');
    return (await edoc.bus.audit.timeline(parentId)).filter((r) => r.step === 'settled' && r.messageId === parentId);
  };

  /** No status message was made for a part (a 02 in its recipient's name would be one, caused by the part). */
  const statusesCausedBy = async (part: Part) => edoc.bus.stores.messages.children(part.messageId);

  beforeAll(async () => {
    // Organ B is not registered at the national axis for the bus's system: the axis refuses packages sent from it.
    edoc = await startEdocBus({ amqp, axisSenders: [ORGAN_A, ORGAN_C, BUS_ORGAN] });
  });
  afterAll(async () => {
    await edoc.stop();
  });

  test('every recipient has it (mailbox, push, axis): delivered, each part with its delivery, settled once', async () => {
    const { documentId, parent } = await sendAndSettle(CLIENT_A, ORGAN_A, [ORGAN_B, ORGAN_C, ORGAN_G]);
    expect(parent).toMatchObject({ state: 'delivered', code: null, reason: null });
    const byRecipient = Object.fromEntries(parent.parts.map((p) => [p.destination, p]));
    expect(byRecipient).toEqual({
      [ORGAN_B]: expect.objectContaining({ state: 'delivered', delivery: 'edoc-mailbox' }),
      [ORGAN_C]: expect.objectContaining({ state: 'delivered', delivery: 'edoc-push' }),
      [ORGAN_G]: expect.objectContaining({ state: 'delivered', delivery: 'edoc-axis' }),
    });
    expect(edoc.axis.inboxOf(ORGAN_G).filter((e) => e.from === ORGAN_A && e.serviceType === 'eDoc')).not.toHaveLength(0);
    expect(edoc.push.applied('edoc').filter((a) => a.routing.documentId === documentId)).toHaveLength(1);
    const settled = await settledRecords(parent.messageId);
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ outcome: 'ok', errorCode: null });
  });

  test('one recipient refuses it: partially-delivered, naming that recipient; its part carries the refusal', async () => {
    edoc.push.control.setFault({ mode: 'fail', status: 422, durationMs: 600_000 });
    try {
      const { documentId, parent } = await sendAndSettle(CLIENT_A, ORGAN_A, [ORGAN_B, ORGAN_C]);
      expect(parent.state).toBe('partially-delivered');
      const refused = parent.parts.find((p) => p.destination === ORGAN_C)!;
      expect(refused).toMatchObject({ state: 'rejected', delivery: 'edoc-push', code: expect.any(String) });
      expect(refused.reason).toContain(ORGAN_C);
      expect(parent.parts.find((p) => p.destination === ORGAN_B)).toMatchObject({ state: 'delivered', delivery: 'edoc-mailbox' });
      expect(parent.code).toBe(refused.code);
      expect(parent.reason).toContain(`1 of 2 recipient(s) not delivered: ${ORGAN_C}: rejected (${refused.code})`);
      // The push endpoint is the recipient's own system: its refusal is the recipient's, reported as status 02.
      await waitFor(async () => (await inboxOf(edoc, CLIENT_A, 'status')).find((s) => s.documentId === documentId && s.statusCode === '02'), 20_000, 'status 02 from C');
      expect(await settledRecords(parent.messageId)).toHaveLength(1);
    } finally {
      edoc.push.control.setFault({ mode: 'none' });
    }
  });

  test('the axis refuses the sender (not registered): rejected, the sender told why, and no status 02 in the recipient’s name', async () => {
    const sentBefore = edoc.axis.control.received('sendEdoc').length;
    const { documentId, parent } = await sendAndSettle(CLIENT_B, ORGAN_B, [ORGAN_G]);
    expect(parent).toMatchObject({ state: 'rejected', code: EDOC_SENDER_NOT_REGISTERED });
    expect(parent.reason).toContain(`the national axis does not take documents from ${ORGAN_B}`);
    expect(parent.parts).toEqual([expect.objectContaining({ destination: ORGAN_G, delivery: 'edoc-axis', state: 'rejected', code: EDOC_SENDER_NOT_REGISTERED })]);
    // No status about it was made for the sender, none reached the sender's mailbox, and the axis took nothing.
    expect(await statusesCausedBy(parent.parts[0]!)).toEqual([]);
    expect((await inboxOf(edoc, CLIENT_B, 'status')).filter((s) => s.documentId === documentId)).toEqual([]);
    expect(edoc.axis.inboxOf(ORGAN_G).filter((e) => e.from === ORGAN_B)).toEqual([]);
    expect(edoc.axis.control.received('sendEdoc')).toHaveLength(sentBefore);
    expect(await settledRecords(parent.messageId)).toHaveLength(1);
  });

  test('every recipient refuses it: rejected, with each recipient and its reason', async () => {
    edoc.push.control.setFault({ mode: 'fail', status: 422, durationMs: 600_000 });
    try {
      const { parent } = await sendAndSettle(CLIENT_B, ORGAN_B, [ORGAN_C, ORGAN_G]);
      expect(parent).toMatchObject({ state: 'rejected', code: PARTS_NOT_DELIVERED });
      expect(parent.parts.map((p) => p.state)).toEqual(['rejected', 'rejected']);
      for (const part of parent.parts) expect(parent.reason).toContain(`${part.destination}: rejected (${part.code})`);
      const axisPart = parent.parts.find((p) => p.destination === ORGAN_G)!;
      expect(axisPart.code).toBe(EDOC_SENDER_NOT_REGISTERED);
      expect(await statusesCausedBy(axisPart)).toEqual([]);
      expect(await settledRecords(parent.messageId)).toHaveLength(1);
    } finally {
      edoc.push.control.setFault({ mode: 'none' });
    }
  });

  test("the axis refuses the bus's credentials: the part is a dead letter for the operator, no status 02 goes out", async () => {
    edoc.axis.control.setFault({ mode: 'fail', status: 401, durationMs: 600_000 });
    try {
      const { documentId, parent } = await sendAndSettle(CLIENT_A, ORGAN_A, [ORGAN_G]);
      expect(parent.state).toBe('dead-lettered');
      const part = parent.parts[0]!;
      expect(part).toMatchObject({ destination: ORGAN_G, delivery: 'edoc-axis', state: 'dead-lettered' });
      expect(part.reason).toContain("refused the bus's credentials");
      expect(await statusesCausedBy(part)).toEqual([]);
      expect((await inboxOf(edoc, CLIENT_A, 'status')).filter((s) => s.documentId === documentId)).toEqual([]);
      expect(await edoc.bus.transport.listDeadLetters({ messageId: part.messageId })).toHaveLength(1);
    } finally {
      edoc.axis.control.setFault({ mode: 'none' });
    }
  });
});
