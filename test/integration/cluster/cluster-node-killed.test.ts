// 1,000 messages through a bus on the three-node RabbitMQ cluster while the node it is connected to, which also
// leads its queue, is killed with SIGKILL: the bus fails over to another node, keeps accepting, and every accepted
// message reaches the receiver exactly once. The cluster (scripts/rabbitmq-cluster.sh) is started if it is not up,
// and left running with the killed node started again, so the next run reuses it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBus, type Bus } from '../../../src/bus';
import { loadBusConfig } from '../../../src/bus-config';
import { createLogger } from '../../../src/observability/logger';
import { topologyNames } from '../../../src/transport/amqp/topology';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { TEST_CLIENT, TEST_SIGNING_KEY, writeBusConfig } from '../../../testkit/bus-process';
import { DEVELOPMENT_PROFILE, uniqueName, waitFor } from '../../../testkit/env';
import { transportIdle } from '../../../testkit/bus-idle';
import { sendPings, testToken } from '../../../testkit/intake';
import { CLUSTER_URLS, ensureCluster, killNode, nodeUrl, queueLeader, startNode } from '../../../testkit/rabbitmq-cluster';
import { startReceiverSimulator, type ReceiverSimulator } from '../../../testkit/simulators/receiver/simulator';

const MESSAGES = 1000;

async function connectedCount(bus: Bus): Promise<number> {
  return (await bus.metrics.brokerConnections.get()).values.find((v) => v.labels.event === 'connected')?.value ?? 0;
}

describe('a RabbitMQ cluster node killed under load', () => {
  let receiver: ReceiverSimulator;
  let bus: Bus | undefined;
  let dir: string;
  let killed = false;
  const prefix = uniqueName('cluster').toLowerCase();

  beforeAll(async () => {
    await ensureCluster();
    receiver = await startReceiverSimulator();
    dir = mkdtempSync(path.join(tmpdir(), 'lgsp-cluster-'));
    const configDir = writeBusConfig({ dir, amqpUrl: null, amqpUrls: CLUSTER_URLS, namePrefix: prefix, receiverUrl: receiver.url, port: 0, prefetch: 200 });
    bus = await startBus(loadBusConfig({ configDir, env: DEVELOPMENT_PROFILE }), { logger: createLogger('silent') });
  }, 660_000);

  afterAll(async () => {
    await bus?.stop();
    await receiver?.close();
    // Leave the cluster whole for the next test run: the killed node back in it.
    if (killed) await startNode(1);
    if (bus) await deleteTopology(prefix, bus.config.routes.map((r) => ({ name: r.name, retry: r.retry, prefetch: r.prefetch })), nodeUrl(2));
    rmSync(dir, { recursive: true, force: true });
  }, 360_000);

  test('the bus fails over to another node, refuses nothing, and delivers every accepted message once', async () => {
    const running = bus!;
    // The bus connects to the first address, node 1, which declared the queue and so leads it.
    expect(await queueLeader(topologyNames(prefix).routeQueue('chaos'), 2)).toBe(1);
    receiver.control.setFault({ mode: 'slow', delayMs: 30, durationMs: 180_000 });
    const token = testToken(TEST_CLIENT, TEST_SIGNING_KEY);
    const sending = sendPings(() => running.url(), token, MESSAGES, 100);
    await waitFor(() => receiver.applied().length >= 150, 60_000, '150 applied');
    const before = await connectedCount(running);
    const killedAt = performance.now();
    await killNode(1);
    killed = true;
    await waitFor(async () => (await connectedCount(running)) > before, 60_000, 'the bus connected to another node');
    const failoverMs = performance.now() - killedAt;
    const intake = await sending;
    receiver.control.setFault({ mode: 'none' });
    process.stdout.write(`cluster failover: reconnected ${Math.round(failoverMs)} ms after the kill; ${intake.accepted.length} accepted, ${intake.refused.length} refused\n`);

    expect(intake.refused).toEqual([]);
    expect(intake.accepted).toHaveLength(MESSAGES);
    await waitFor(() => receiver.applied().length >= MESSAGES, 120_000, 'all applied');
    // A duplicate could still arrive while anything is queued: wait until nothing is.
    await waitFor(() => transportIdle(running.transport), 30_000, 'the bus with nothing left to deliver');
    const appliedKeys = receiver.applied().map((a) => a.key);
    expect(new Set(appliedKeys).size).toBe(appliedKeys.length);
    expect(new Set(appliedKeys)).toEqual(new Set(intake.accepted));
    expect(await running.transport.listDeadLetters({})).toEqual([]);
    // The queue lives on under a new leader among the two nodes left.
    expect([2, 3]).toContain(await queueLeader(topologyNames(prefix).routeQueue('chaos'), 2));
  });
});
