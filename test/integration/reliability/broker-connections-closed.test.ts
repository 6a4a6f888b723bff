// 1,000 messages in flight while every broker connection is closed from outside: all delivered, each effect once.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';
import { startBus, type Bus } from '../../../src/bus';
import { loadBusConfig } from '../../../src/bus-config';
import { createLogger } from '../../../src/observability/logger';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { TEST_CLIENT, TEST_SIGNING_KEY, writeBusConfig } from '../../../testkit/bus-process';
import { AMQP_URL, DEVELOPMENT_PROFILE, uniqueName, waitFor } from '../../../testkit/env';
import { transportIdle } from '../../../testkit/bus-idle';
import { sendPings, testToken } from '../../../testkit/intake';

const MESSAGES = 1000;

describe('RabbitMQ connections closed from outside under load', () => {
  let receiver: ReceiverSimulator;
  let bus: Bus;
  let dir: string;
  const prefix = uniqueName('chaos').toLowerCase();

  beforeAll(async () => {
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-close-'));
    const configDir = writeBusConfig({ dir, amqpUrl: AMQP_URL, namePrefix: prefix, receiverUrl: receiver.url, port: 0, prefetch: 200 });
    bus = await startBus(loadBusConfig({ configDir, env: DEVELOPMENT_PROFILE }), { logger: createLogger('silent') });
  });

  afterAll(async () => {
    await bus?.stop();
    await receiver?.close();
    await deleteTopology(prefix, bus.config.routes.map((r) => ({ name: r.name, retry: r.retry, prefetch: r.prefetch })));
    rmSync(dir, { recursive: true, force: true });
  });

  test('all 1,000 accepted messages reach the receiver exactly once', async () => {
    // Hold each delivery at the receiver a little, so hundreds are unacked when the connections go.
    receiver.control.setFault({ mode: 'slow', delayMs: 30, durationMs: 120_000 });
    const token = testToken(TEST_CLIENT, TEST_SIGNING_KEY);
    const sending = sendPings(() => bus.url(), token, MESSAGES, 100);
    await waitFor(() => receiver.applied().length >= 150, 60_000, '150 applied');
    execFileSync('rabbitmqctl', ['close_all_connections', 'chaos test: first cut'], { stdio: 'ignore' });
    await waitFor(() => receiver.applied().length >= 500, 60_000, '500 applied');
    execFileSync('rabbitmqctl', ['close_all_connections', 'chaos test: second cut'], { stdio: 'ignore' });
    const intake = await sending;
    receiver.control.setFault({ mode: 'none' });

    expect(intake.refused).toEqual([]);
    expect(intake.accepted).toHaveLength(MESSAGES);
    await waitFor(() => receiver.applied().length >= MESSAGES, 90_000, 'all applied');
    // A duplicate could still arrive while anything is queued: wait until nothing is.
    await waitFor(() => transportIdle(bus.transport), 30_000, 'the bus with nothing left to deliver');

    const appliedKeys = receiver.applied().map((a) => a.key);
    expect(new Set(appliedKeys).size).toBe(appliedKeys.length);
    expect(new Set(appliedKeys)).toEqual(new Set(intake.accepted));
    // The bus repeats a call only after an attempt failed (a timeout under load is ambiguous: the receiver may have
    // applied it, which its Idempotency-Key absorbs); a redelivery after the cut never repeats a recorded effect.
    const repeats = intake.accepted.reduce((n, id) => n + Math.max(receiver.requestCount(id) - 1, 0), 0);
    const failedAttempts = (await bus.metrics.failed.get()).values.reduce((n, v) => n + v.value, 0);
    expect(repeats).toBeLessThanOrEqual(failedAttempts);
    expect(await bus.transport.listDeadLetters({})).toEqual([]);
    // The cuts really happened: the bus connected once at start and again after each cut.
    const connected = (await bus.metrics.brokerConnections.get()).values.find((v) => v.labels.event === 'connected');
    expect(connected?.value).toBeGreaterThanOrEqual(3);
  });
});
