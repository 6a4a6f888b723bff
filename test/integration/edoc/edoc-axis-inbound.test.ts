// Documents from the national axis, on the embedded transport and on RabbitMQ + PostgreSQL, with the bus as a child
// process: a document the axis holds for a mailbox organ and a push organ reaches each byte-exact and is acknowledged
// to the axis once; the recipient's status goes back through the axis; the audit trail records fetch, intake,
// delivery and acknowledgement; a package it cannot take is reported failed once; a bus killed between intake and
// acknowledgement delivers once after its restart.
import { createHash } from 'node:crypto';
import request from 'supertest';
import { waitFor } from '../../../testkit/env';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { CLIENT_B, ORGAN_B, ORGAN_C, ORGAN_G } from '../../../testkit/worlds/edoc/edoc-bus';
import { downloadPackage } from '../../../testkit/worlds/edoc/edoc-calls';
import { AUDITOR, startAxisInboundWorld, type AxisInboundWorld } from '../../../testkit/worlds/edoc/axis-inbound-world';

interface InboxItem {
  id: string;
  documentId: string;
  fromOrgan: string;
  sha256: string;
}

interface AuditView {
  step: string;
  outcome: string;
  messageId: string | null;
  correlationId: string | null;
  details: Record<string, unknown> | null;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe.each([
  ['embedded', false],
  ['RabbitMQ and PostgreSQL', true],
])('documents from the national axis (%s)', (_name, amqpAndPostgres) => {
  let world: AxisInboundWorld;
  let seq = 0;
  const docId = () => `${ORGAN_G},2026/12/04,${++seq}${amqpAndPostgres ? 'r' : 'e'}${Date.now() % 100000}/VPCP-VP`;
  const inboxOf = async (documentId: string): Promise<InboxItem[]> => {
    const res = await request(world.url()).get('/api/v1/edocs/inbox?kind=edoc').set('Authorization', `Bearer ${world.token(CLIENT_B)}`).expect(200);
    return (res.body.items as InboxItem[]).filter((i) => i.documentId === documentId);
  };
  const download = (entryId: string): Promise<Buffer> => downloadPackage(world.url(), world.token(CLIENT_B), entryId);
  const pushedOf = (documentId: string) => world.push.applied('edoc').filter((a) => a.routing.documentId === documentId);
  const statusesSet = (axisDocId: string, status: string) =>
    world.axis.control.received('updateStatus').filter((r) => (r.body as { docId: string }).docId === axisDocId && (r.body as { status: string }).status === status);
  const polls = () => world.axis.control.received('getReceivedEdocList').length;
  /** Waits until the bus has asked the axis `n` more times, so anything it would do again had its chance. */
  const afterPolls = async (n: number) => {
    const from = polls();
    await waitFor(() => polls() >= from + n, 20_000, `${n} more polls`);
  };
  const audit = async (): Promise<AuditView[]> =>
    (await request(world.url()).get('/api/v1/admin/audit?limit=1000').set('Authorization', `Bearer ${world.token(AUDITOR)}`).expect(200)).body.records as AuditView[];

  beforeAll(async () => {
    world = await startAxisInboundWorld({ amqpAndPostgres, pollIntervalMs: 150 });
  });
  afterAll(async () => {
    await world?.stop();
  });

  test('a document for a mailbox organ and a push organ: each gets the exact bytes, the axis one acknowledgement each; a status goes back; the audit trail has each hop', async () => {
    const documentId = docId();
    const sent = documentPackage({ from: ORGAN_G, to: [ORGAN_B, ORGAN_C], documentId });
    const queued = world.axis.queueInbound({ from: ORGAN_G, to: [ORGAN_B, ORGAN_C], content: sent });
    const [forB, forC] = queued.docIds as [string, string];

    const [entry] = await waitFor(async () => ((await inboxOf(documentId)).length > 0 ? inboxOf(documentId) : null), 30_000, 'mailbox entry');
    expect(entry).toMatchObject({ fromOrgan: ORGAN_G, sha256: sha256(sent) });
    expect(sha256(await download(entry!.id))).toBe(sha256(sent));
    const [pushed] = await waitFor(() => (pushedOf(documentId).length > 0 ? pushedOf(documentId) : null), 30_000, 'push delivery');
    expect(pushed!.routing).toMatchObject({ fromOrgan: ORGAN_G, toOrgan: ORGAN_C });
    expect(sha256(pushed!.content)).toBe(sha256(sent));

    await waitFor(() => statusesSet(forB, 'done').length > 0 && statusesSet(forC, 'done').length > 0, 20_000, 'acknowledgements');
    await afterPolls(4);
    expect(statusesSet(forB, 'done')).toHaveLength(1);
    expect(statusesSet(forC, 'done')).toHaveLength(1);
    expect(await inboxOf(documentId)).toHaveLength(1);
    expect(pushedOf(documentId)).toHaveLength(1);
    expect(world.axis.control.received('getEdoc').filter((r) => [forB, forC].includes((r.body as { docId: string }).docId))).toHaveLength(2);

    // The recipient's status goes back on the document it came with, and the axis carries it to the sender.
    await request(world.url())
      .post(`/api/v1/edocs/${entry!.id}/status`)
      .set('Authorization', `Bearer ${world.token(CLIENT_B)}`)
      .send({ statusCode: '03', description: 'Văn thư đã tiếp nhận', staff: 'Lê Thị Hoài' })
      .expect(202);
    await waitFor(() => statusesSet(forB, 'acceptance').length === 1, 20_000, 'status 03 back to the axis');
    expect(world.axis.inboxOf(ORGAN_G).some((e) => e.serviceType === 'status' && e.responseForDocId === queued.senderDocId)).toBe(true);
    // 01 (mailbox took it) is what the acknowledgement said: not reported twice.
    expect(statusesSet(forB, 'done')).toHaveLength(1);

    const records = await waitFor(async () => {
      const all = await audit();
      const hops = all.filter((r) => r.details?.axisDocId === forB);
      return hops.some((r) => r.step === 'acknowledged') ? { all, hops } : null;
    }, 20_000, 'audit records');
    expect(records.hops.map((r) => r.step)).toEqual(expect.arrayContaining(['fetched', 'received', 'acknowledged']));
    const received = records.hops.find((r) => r.step === 'received')!;
    expect(received.details).toMatchObject({ via: 'national-axis', axisDocId: forB });
    // The fetch is on the message's own timeline: its record carries the message id the intake gave the document.
    expect(received.messageId).toEqual(expect.any(String));
    expect(records.hops.find((r) => r.step === 'fetched')).toMatchObject({ messageId: received.messageId, correlationId: received.correlationId });
    expect(records.all.some((r) => r.step === 'delivered' && r.correlationId === received.messageId)).toBe(true);
  });

  test('a package the bus cannot take is reported to the axis as failed once, recorded as refused and not fetched again', async () => {
    const { docIds } = world.axis.queueInbound({ from: ORGAN_G, to: [ORGAN_B], content: Buffer.from('<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><oops></edXML>') });
    const broken = docIds[0]!;
    await waitFor(() => statusesSet(broken, 'fail').length === 1, 20_000, 'failure reported to the axis');
    await afterPolls(4);
    expect(statusesSet(broken, 'fail')).toHaveLength(1);
    expect(world.axis.control.received('getEdoc').filter((r) => (r.body as { docId: string }).docId === broken)).toHaveLength(1);
    const refusal = (await audit()).find((r) => r.details?.axisDocId === broken && r.step === 'rejected');
    expect(refusal).toMatchObject({ outcome: 'rejected' });
  });

  test('a failure report the axis does not take is sent again until it lands, across a restart of the bus', async () => {
    world.axis.holdAcks(true, ['fail']);
    try {
      const { docIds } = world.axis.queueInbound({ from: ORGAN_G, to: [ORGAN_B], content: Buffer.from('<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><oops/></edXML>') });
      const broken = docIds[0]!;
      const tries = () => world.axis.control.received('updateStatus:held').filter((r) => (r.body as { docId: string }).docId === broken).length;
      // Tried, refused by the axis, and tried again at a later poll rather than dropped.
      await waitFor(() => tries() >= 2, 20_000, 'the failure report tried twice');
      await world.kill();
      world.axis.holdAcks(false);
      expect(statusesSet(broken, 'fail')).toHaveLength(0);

      await world.start();
      await waitFor(() => statusesSet(broken, 'fail').length === 1, 30_000, 'failure reported after the restart');
      await afterPolls(4);
      expect(statusesSet(broken, 'fail')).toHaveLength(1);
      expect(world.axis.inboxOf(ORGAN_B).find((e) => e.docId === broken)?.status).toBe('fail');
      // Refused once: not fetched again to be refused again.
      expect(world.axis.control.received('getEdoc').filter((r) => (r.body as { docId: string }).docId === broken)).toHaveLength(1);
    } finally {
      world.axis.holdAcks(false);
    }
  });

  // Organ B's copy is found in the register of fetched documents; organ C's register row is deleted while the bus is
  // down (as if it died before writing it), so its copy is fetched and taken in again, and recognised as a resend.
  test('killed between intake and acknowledgement: after the restart the document is delivered once and acknowledged once', async () => {
    const documentId = docId();
    const sent = documentPackage({ from: ORGAN_G, to: [ORGAN_B, ORGAN_C], documentId });
    world.axis.holdAcks(true);
    try {
      const queued = world.axis.queueInbound({ from: ORGAN_G, to: [ORGAN_B, ORGAN_C], content: sent });
      const [forB, forC] = queued.docIds as [string, string];
      const held = (axisDocId: string) => world.axis.control.received('updateStatus:held').some((r) => (r.body as { docId: string }).docId === axisDocId);
      await waitFor(async () => (await inboxOf(documentId)).length === 1 && pushedOf(documentId).length === 1, 30_000, 'delivered before the acknowledgement');
      await waitFor(() => held(forB) && held(forC), 20_000, 'acknowledgements tried and held');
      await world.kill();
      await world.forgetFetched(forC);
      const fetchesOf = (axisDocId: string) => world.axis.control.received('getEdoc').filter((r) => (r.body as { docId: string }).docId === axisDocId).length;
      expect([fetchesOf(forB), fetchesOf(forC)]).toEqual([1, 1]);
      world.axis.holdAcks(false);
      expect(statusesSet(forB, 'done')).toHaveLength(0);
      expect(world.axis.inboxOf(ORGAN_B).find((e) => e.docId === forB)?.status).toBe('inbox');

      await world.start();
      await waitFor(() => statusesSet(forB, 'done').length > 0 && statusesSet(forC, 'done').length > 0, 30_000, 'acknowledgements after the restart');
      await afterPolls(4);
      expect(statusesSet(forB, 'done')).toHaveLength(1);
      expect(statusesSet(forC, 'done')).toHaveLength(1);
      expect([fetchesOf(forB), fetchesOf(forC)]).toEqual([1, 2]);
      expect(await inboxOf(documentId)).toHaveLength(1);
      expect(pushedOf(documentId)).toHaveLength(1);
      expect((await inboxOf(documentId))[0]!.sha256).toBe(sha256(sent));
      expect(sha256(pushedOf(documentId)[0]!.content)).toBe(sha256(sent));
    } finally {
      world.axis.holdAcks(false);
    }
  });
});
