// End-to-end over real sockets: the document-axis client against the axis simulator (routing, status, HMAC, faults, abort, 20 MiB).
import { createHash, randomBytes } from 'node:crypto';
import { DocumentAxisClient, DocumentAxisError } from '../../../src/upstreams/document-axis';
import { parseEdxmlStatus } from '../../../src/upstreams/edxml';
import { startDocumentAxisSimulator, type DocumentAxisSimulator } from '../../../testkit/simulators/document-axis';

const SENDER = '000.00.00.H41';
const ORGAN_A = '000.00.01.H41';
const ORGAN_B = '000.00.04.H40';
const SECRETS = { [SENDER]: 'sender-secret', [ORGAN_A]: 'a-secret', [ORGAN_B]: 'b-secret' };
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('document axis simulator', () => {
  let sim: DocumentAxisSimulator;
  const client = (systemId: string, secret = SECRETS[systemId as keyof typeof SECRETS]): DocumentAxisClient =>
    new DocumentAxisClient({ endpoint: sim.url, systemId, secret, timeoutMs: 30_000 });

  beforeEach(async () => {
    sim = await startDocumentAxisSimulator({ port: 0, secrets: SECRETS, maxBodyBytes: 40 * 1024 * 1024 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('delivers one package to two organs; each lists and gets it; updateStatus routes back to the sender', async () => {
    const edxml = Buffer.from('<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">VPCP-TTĐT</edXML>', 'utf8');
    const senderDocId = await client(SENDER).sendEdoc({ from: SENDER, to: [ORGAN_A, ORGAN_B], content: edxml });
    expect(senderDocId).toMatch(/.+/);

    for (const organ of [ORGAN_A, ORGAN_B]) {
      const receiver = client(organ);
      const list = await receiver.getReceivedEdocList();
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ from: SENDER, to: organ, serviceType: 'eDoc', messageType: 'edoc', status: 'inbox' });
      const fetched = await receiver.getEdoc(list[0].docId);
      expect(fetched.content.equals(edxml)).toBe(true);
      await receiver.updateStatus(list[0].docId, 'done');
      expect(await receiver.getReceivedEdocList()).toHaveLength(0);
    }

    const sender = client(SENDER);
    expect(await sender.getReceivedEdocList()).toHaveLength(0);
    const statuses = await sender.getReceivedEdocList({ serviceType: 'status' });
    expect(statuses.map((s) => s.from).sort()).toEqual([ORGAN_A, ORGAN_B].sort());
    for (const s of statuses) {
      expect(s).toMatchObject({ to: SENDER, serviceType: 'status', messageType: 'status', responseForDocId: senderDocId });
      const packet = (await sender.getEdoc(s.docId)).content.toString('utf8');
      expect(packet).toContain(`<edXML:DocumentId>${senderDocId}</edXML:DocumentId>`);
      expect(packet).toContain('<edXML:StatusCode>01</edXML:StatusCode>');
      // The SDK's shape: the fields straight under MessageHeader, no <Status> wrapper; the bus's parser reads it.
      expect(packet).toMatch(/<edXML:MessageHeader><edXML:From>[\s\S]*<edXML:StatusCode>01<\/edXML:StatusCode>[\s\S]*<\/edXML:MessageHeader>/);
      expect(packet).not.toMatch(/<edXML:Status[\s>]/);
      expect(parseEdxmlStatus(packet)).toMatchObject({ statusCode: '01', responseFor: { organId: SENDER, documentId: senderDocId } });
    }
    const sent = await sender.getSentEdocList();
    expect(sent.map((r) => [r.toCode, r.receiveStatus]).sort()).toEqual([[ORGAN_A, 'done'], [ORGAN_B, 'done']].sort());

    const recorded = sim.control.received('sendEdoc');
    expect(recorded).toHaveLength(1);
    expect(recorded[0].body).toMatchObject({ bytes: edxml.length, sha256: sha(edxml), to: [ORGAN_A, ORGAN_B] });
  });

  it('answers a bad HMAC with 401 and a code, as a non-transient error', async () => {
    const error = await client(SENDER, 'wrong-secret')
      .sendEdoc({ from: SENDER, to: [ORGAN_A], content: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentAxisError);
    expect(error).toMatchObject({ status: 401, code: 'AXIS_SIGNATURE_MISMATCH', transient: false });
    expect(sim.inboxOf(ORGAN_A)).toHaveLength(0);
  });

  it('refuses to send for an organ the system does not serve (403, not transient)', async () => {
    await expect(client(SENDER).sendEdoc({ from: ORGAN_A, to: [ORGAN_B], content: 'x' })).rejects.toMatchObject({
      status: 403,
      code: 'AXIS_SENDER_NOT_REGISTERED',
      transient: false,
    });
  });

  it('turns a simulated failure into a transient error', async () => {
    sim.control.setFault({ mode: 'fail', status: 503, durationMs: 10_000 });
    await expect(client(ORGAN_A).getReceivedEdocList()).rejects.toMatchObject({ status: 503, transient: true, code: 'SIM_FAULT' });
    sim.control.setFault({ mode: 'fail', status: 429, durationMs: 10_000 });
    await expect(client(ORGAN_A).getReceivedEdocList()).rejects.toMatchObject({ status: 429, transient: true });
  });

  it('aborts a slow call promptly through its AbortSignal', async () => {
    sim.control.setFault({ mode: 'slow', delayMs: 10_000, durationMs: 20_000 });
    const started = Date.now();
    const error = await client(ORGAN_A)
      .getReceivedEdocList({}, { signal: AbortSignal.timeout(200) })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ code: 'AXIS_ABORTED', status: null, transient: true });
  });

  it('reports a refused connection as a transient network error', async () => {
    const dead = new DocumentAxisClient({ endpoint: 'http://127.0.0.1:1', systemId: SENDER, secret: 'x' });
    await expect(dead.getReceivedEdocList()).rejects.toMatchObject({ code: 'AXIS_NETWORK', status: null, transient: true });
  });

  it('carries a 20 MiB package intact', async () => {
    const big = randomBytes(20 * 1024 * 1024 + 123);
    await client(SENDER).sendEdoc({ from: SENDER, to: [ORGAN_A], content: big });
    const [item] = await client(ORGAN_A).getReceivedEdocList();
    const fetched = await client(ORGAN_A).getEdoc(item.docId);
    expect(sha(fetched.content)).toBe(sha(big));
    const rec = sim.control.received('sendEdoc')[0];
    expect(JSON.stringify(rec).length).toBeLessThan(10_000);
  });

  it('rejects a body over the cap with 413', async () => {
    const small = await startDocumentAxisSimulator({ port: 0, secrets: SECRETS, maxBodyBytes: 1024 });
    try {
      const c = new DocumentAxisClient({ endpoint: small.url, systemId: SENDER, secret: SECRETS[SENDER] });
      await expect(c.sendEdoc({ from: SENDER, to: [ORGAN_A], content: Buffer.alloc(4096, 1) })).rejects.toMatchObject({
        status: 413,
        code: 'AXIS_FILE_TOO_LARGE',
        transient: false,
      });
    } finally {
      await small.close();
    }
  });
});
