// A bus process killed with SIGKILL while it holds unacked messages: after a restart every accepted message is
// delivered and applied once — on RabbitMQ and on the embedded SQLite transport.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { spawnReadyBus, TEST_CLIENT, TEST_SIGNING_KEY, writeBusConfig, type BusProcess } from '../../../testkit/bus-process';
import { AMQP_URL, uniqueName, waitFor } from '../../../testkit/env';
import { busProcessIdle } from '../../../testkit/bus-idle';
import { sendPings, testToken } from '../../../testkit/intake';

const MESSAGES = 400;
const PREFETCH = 50;

describe.each([
  ['amqp', AMQP_URL],
  ['embedded', null],
])('bus process killed with SIGKILL (%s transport)', (_kind, amqpUrl) => {
  let receiver: ReceiverSimulator;
  let dir: string;
  let bus: BusProcess | null = null;
  const prefix = uniqueName('kill').toLowerCase();

  beforeAll(async () => {
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-kill-'));
  });

  afterAll(async () => {
    bus?.child.kill('SIGKILL');
    await receiver.close();
    if (amqpUrl) {
      await deleteTopology(prefix, [{ name: 'chaos', prefetch: PREFETCH, retry: { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2, maxAgeMs: 86_400_000 } }]);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('every accepted message is applied once after the restart', async () => {
    const configDir = writeBusConfig({ dir, amqpUrl, namePrefix: prefix, receiverUrl: receiver.url, port: 0, prefetch: PREFETCH });
    bus = await spawnReadyBus(configDir);
    // Slow receiver: the bus holds up to PREFETCH unacked deliveries when it dies.
    receiver.control.setFault({ mode: 'slow', delayMs: 250, durationMs: 120_000 });
    const token = testToken(TEST_CLIENT, TEST_SIGNING_KEY);
    const first = bus;
    const intake = await sendPings(() => first.url, token, MESSAGES, 50);
    expect(intake.refused).toEqual([]);
    await waitFor(() => receiver.applied().length >= 60, 60_000, '60 applied');
    first.child.kill('SIGKILL');
    await first.exited;
    const appliedAtKill = receiver.applied().length;
    expect(appliedAtKill).toBeLessThan(MESSAGES);

    bus = await spawnReadyBus(configDir);
    await waitFor(() => receiver.applied().length >= MESSAGES, 90_000, 'all applied after restart');
    receiver.control.setFault({ mode: 'none' });
    // A duplicate could still arrive while anything is queued: wait until nothing is.
    await waitFor(() => busProcessIdle(bus!.url), 30_000, 'the bus with nothing left to deliver');

    const keys = receiver.applied().map((a) => a.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(keys)).toEqual(new Set(intake.accepted));
    // Only calls cut off mid-flight by the kill may reach the receiver twice (its Idempotency-Key absorbs them);
    // redeliveries of effects the bus had recorded are not repeated.
    const repeated = intake.accepted.filter((id) => receiver.requestCount(id) > 1);
    expect(repeated.length).toBeLessThanOrEqual(PREFETCH);
    const res = await fetch(`${bus.url}/api/v1/admin/dead-letters`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
    bus.child.kill('SIGTERM');
    expect(await bus.exited).toBe(0);
    bus = null;
  });
});
