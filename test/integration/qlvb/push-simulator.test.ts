// End-to-end over real sockets: the QLVB push client against the district push-endpoint simulator.
import { createHash, randomBytes } from 'node:crypto';
import { QlvbPushClient, QlvbPushError } from '../../../src/upstreams/qlvb-push/index';
import { startQlvbPushSimulator, type QlvbPushSimulator } from '../../../testkit/simulators/qlvb-push';

const TOKEN = 'district-token';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('QLVB push simulator', () => {
  let sim: QlvbPushSimulator;
  let client: QlvbPushClient;

  beforeEach(async () => {
    sim = await startQlvbPushSimulator({ port: 0, token: TOKEN, maxBodyBytes: 40 * 1024 * 1024 });
    client = new QlvbPushClient({ endpoint: sim.url, token: TOKEN, timeoutMs: 30_000 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('applies a repeated Idempotency-Key once and replays the first receipt', async () => {
    const content = '<edXML>văn bản</edXML>';
    const routing = { fromOrgan: '000.00.00.H41', toOrgan: '000.00.01.H41', documentId: '000.00.00.H41,2024/03/05,7816/VPCP-TTĐT' };
    const first = await client.pushEdoc({ idempotencyKey: 'msg-1', content, routing });
    const second = await client.pushEdoc({ idempotencyKey: 'msg-1', content, routing });
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ ...first, duplicate: true });
    expect(sim.control.received('edoc')).toHaveLength(2);
    expect(sim.applied('edoc')).toHaveLength(1);
    expect(sim.applied()[0].routing.documentId).toBe(routing.documentId);
    expect(sim.applied()[0].content.toString('utf8')).toBe(content);
  });

  it('keeps documents and status packets apart and refuses a reused key with a different body', async () => {
    await client.pushStatus({ idempotencyKey: 'st-1', content: '<edXML>status</edXML>', routing: { statusCode: '03' } });
    await client.pushEdoc({ idempotencyKey: 'doc-1', content: '<edXML>doc</edXML>' });
    expect(sim.applied('status')).toHaveLength(1);
    expect(sim.applied('status')[0].routing.statusCode).toBe('03');
    await expect(client.pushEdoc({ idempotencyKey: 'doc-1', content: '<edXML>other</edXML>' })).rejects.toMatchObject({
      status: 422,
      code: 'QLVB_IDEMPOTENCY_KEY_REUSED',
      transient: false,
    });
    expect(sim.applied('edoc')).toHaveLength(1);
  });

  it('rejects a wrong bearer token with 401, not transient', async () => {
    const wrong = new QlvbPushClient({ endpoint: sim.url, token: 'nope' });
    const error = await wrong.pushEdoc({ idempotencyKey: 'k', content: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QlvbPushError);
    expect(error).toMatchObject({ status: 401, code: 'QLVB_UNAUTHORIZED', transient: false });
    expect(sim.applied()).toHaveLength(0);
  });

  it('turns a simulated failure into a transient error, then succeeds once the fault clears', async () => {
    sim.control.setFault({ mode: 'fail', status: 502, durationMs: 10_000 });
    await expect(client.pushEdoc({ idempotencyKey: 'k', content: 'x' })).rejects.toMatchObject({ status: 502, transient: true });
    sim.control.setFault({ mode: 'none' });
    await expect(client.pushEdoc({ idempotencyKey: 'k', content: 'x' })).resolves.toMatchObject({ duplicate: false });
  });

  it('aborts a slow push promptly through its AbortSignal', async () => {
    sim.control.setFault({ mode: 'slow', delayMs: 10_000, durationMs: 20_000 });
    const started = Date.now();
    const error = await client
      .pushEdoc({ idempotencyKey: 'slow', content: 'x' }, { signal: AbortSignal.timeout(200) })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ code: 'QLVB_ABORTED', status: null, transient: true });
  });

  it('delivers a 20 MiB package intact and records only metadata', async () => {
    const big = randomBytes(20 * 1024 * 1024 + 7);
    const receipt = await client.pushEdoc({ idempotencyKey: 'big', content: big });
    expect(receipt.sha256).toBe(sha(big));
    expect(sha(sim.applied()[0].content)).toBe(sha(big));
    expect(JSON.stringify(sim.control.received('edoc')).length).toBeLessThan(10_000);
  });

  it('requires an Idempotency-Key', async () => {
    const res = await fetch(`${sim.url}/edoc`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'QLVB_IDEMPOTENCY_KEY_REQUIRED' });
  });
});
