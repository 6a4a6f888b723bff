// The faults, one per scenario, injected while the steady load runs. Each `inject` returns once the fault is over
// (the service is back, the upstream recovered, the bus restarted); whatever it broke is put back even if it fails.
// The cluster scenarios run a bus of their own on the three-node test cluster (scripts/rabbitmq-cluster.sh).
import { performance } from 'node:perf_hooks';
import {
  CLUSTER_NODES,
  healNode,
  isolateNode,
  killNode,
  nodeName,
  nodeUrl,
  queueLeader,
  runningNodes,
  startApp,
  startNode,
  stopApp,
  type ClusterNode,
} from '../testkit/rabbitmq-cluster';
import { closeAllBrokerConnections, startPostgres, startRabbitMq, stopPostgres, stopRabbitMq } from './infrastructure';
import type { ChaosSettings } from './settings';
import type { ChaosWorld } from './world';
import type { FaultRequest } from '../testkit/simulators/kit/simulator-control';

export interface ScenarioContext {
  world: ChaosWorld;
  settings: ChaosSettings;
  log(line: string): void;
}

/** What a scenario observed of its fault (which node it hit, how long the bus took to reconnect), for the report. */
export type FaultFacts = Record<string, string | number | boolean | null>;

export interface Scenario {
  name: string;
  /** What the scenario does, for the report. */
  description(settings: ChaosSettings): string;
  /** 'cluster': the bus runs on the three-node cluster; absent: on the machine's RabbitMQ. */
  broker?: 'cluster';
  inject(context: ScenarioContext): Promise<FaultFacts | void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fault of one reference simulator for as long as the fault request says, then none. */
function simulatorFault(
  name: string,
  simulator: 'dvcqg' | 'push' | 'axis',
  fault: (settings: ChaosSettings) => FaultRequest & { durationMs: number },
  description: (settings: ChaosSettings) => string,
): Scenario {
  return {
    name,
    description,
    async inject({ world, settings }) {
      const request = fault(settings);
      const control = world.simulators[simulator].control;
      control.setFault(request);
      try {
        await sleep(request.durationMs);
      } finally {
        control.setFault({ mode: 'none' });
      }
    },
  };
}

/** A service of the machine stopped for serviceDownMs, then started again whatever happened. */
function serviceOutage(name: string, description: (settings: ChaosSettings) => string, stop: () => Promise<void>, start: () => Promise<void>): Scenario {
  return {
    name,
    description,
    async inject({ settings }) {
      await stop();
      try {
        await sleep(settings.serviceDownMs);
      } finally {
        await start();
      }
    },
  };
}

/** The cluster node behind the bus's current connection, from the last "broker connected" line of its log. */
function connectedNode(world: ChaosWorld): ClusterNode {
  const address = world.brokerConnections().at(-1);
  const node = CLUSTER_NODES.find((n) => address !== undefined && address.endsWith(`:${new URL(nodeUrl(n)).port}`));
  if (node === undefined) throw new Error(`the bus is not connected to a node of the test cluster (last connection: ${address ?? 'none'})`);
  return node;
}

/** Waits (up to a minute) for the bus to connect again after `before` connections; answers the ms it took, or null. */
async function reconnected(world: ChaosWorld, before: number, since: number): Promise<number | null> {
  while (performance.now() - since < 60_000) {
    if (world.brokerConnections().length > before) return Math.round(performance.now() - since);
    await sleep(50);
  }
  return null;
}

async function leaderOf(world: ChaosWorld, route: string, except: ClusterNode | null): Promise<ClusterNode | null> {
  const ask = CLUSTER_NODES.find((n) => n !== except)!;
  return queueLeader(world.routeQueue(route), ask).catch(() => null);
}

/** The route whose queue's leader a cluster scenario follows: the dossiers every journey starts with. */
const FOLLOWED_ROUTE = 'dossier-sync';

const CLUSTER_SCENARIOS: readonly Scenario[] = [
  {
    name: 'cluster-node-killed',
    broker: 'cluster',
    description: (s) => `kill -9 of the Erlang VM of the cluster node the bus is connected to, started again after ${s.serviceDownMs / 1000} s`,
    async inject({ world, settings }) {
      const node = connectedNode(world);
      const leaderBefore = await leaderOf(world, FOLLOWED_ROUTE, null);
      const before = world.brokerConnections().length;
      const killedAt = performance.now();
      await killNode(node);
      try {
        const reconnectMs = await reconnected(world, before, killedAt);
        const leaderAfter = await leaderOf(world, FOLLOWED_ROUTE, node);
        await sleep(Math.max(settings.serviceDownMs - (performance.now() - killedAt), 0));
        return { node: nodeName(node), wasLeader: leaderBefore === node, reconnectMs, reconnectedTo: world.brokerConnections().at(-1) ?? null, newLeader: leaderAfter && nodeName(leaderAfter) };
      } finally {
        await startNode(node);
      }
    },
  },
  {
    name: 'cluster-leader-stopped',
    broker: 'cluster',
    description: (s) => `rabbitmqctl stop_app on the node leading the ${FOLLOWED_ROUTE} queue, ${s.serviceDownMs / 1000} s down, start_app`,
    async inject({ world, settings }) {
      const leader = await leaderOf(world, FOLLOWED_ROUTE, null);
      if (leader === null) throw new Error(`no leader for the ${FOLLOWED_ROUTE} queue`);
      const connected = connectedNode(world);
      const before = world.brokerConnections().length;
      const stoppedAt = performance.now();
      await stopApp(leader);
      try {
        // Stopping the node the bus is connected to also closes its connection: then it fails over as well.
        const reconnectMs = connected === leader ? await reconnected(world, before, stoppedAt) : null;
        const leaderAfter = await leaderOf(world, FOLLOWED_ROUTE, leader);
        const electedMs = Math.round(performance.now() - stoppedAt);
        await sleep(Math.max(settings.serviceDownMs - (performance.now() - stoppedAt), 0));
        return { node: nodeName(leader), wasConnectedNode: connected === leader, reconnectMs, newLeader: leaderAfter && nodeName(leaderAfter), newLeaderSeenAfterMs: electedMs };
      } finally {
        await startApp(leader);
      }
    },
  },
  {
    name: 'cluster-node-partitioned',
    broker: 'cluster',
    description: (s) =>
      `the node the bus is connected to cut off from both peers (Erlang distribution refused both ways; no iptables on this machine) for ${s.serviceDownMs / 1000} s; pause_minority stops its AMQP side`,
    async inject({ world, settings }) {
      const node = connectedNode(world);
      const before = world.brokerConnections().length;
      const cutAt = performance.now();
      await isolateNode(node);
      try {
        const reconnectMs = await reconnected(world, before, cutAt);
        const majority = await runningNodes(CLUSTER_NODES.find((n) => n !== node)!);
        await sleep(Math.max(settings.serviceDownMs - (performance.now() - cutAt), 0));
        return { node: nodeName(node), reconnectMs, reconnectedTo: world.brokerConnections().at(-1) ?? null, majoritySaw: majority.map(nodeName).join(',') };
      } finally {
        await healNode(node);
        // pause_minority brings the node's app back by itself once it sees the majority again; wait for that.
        for (const deadline = performance.now() + 120_000; performance.now() < deadline; await sleep(1000)) {
          if ((await runningNodes(node).catch(() => [])).length === CLUSTER_NODES.length) break;
        }
      }
    },
  },
];

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'broker-connections-closed',
    description: () => 'rabbitmqctl close_all_connections',
    async inject() {
      await closeAllBrokerConnections('lgsp chaos: broker-connections-closed');
    },
  },
  serviceOutage('rabbitmq-restart', (s) => `rabbitmqctl stop_app, ${s.serviceDownMs / 1000} s down, start_app`, stopRabbitMq, startRabbitMq),
  {
    name: 'bus-sigkill',
    description: (s) => `SIGKILL the bus process and start it again on the same config and port, ${s.busKills} times ${s.betweenKillsMs / 1000} s apart`,
    async inject({ world, settings }) {
      for (let kill = 1; kill <= settings.busKills; kill++) {
        if (kill > 1) await sleep(settings.betweenKillsMs);
        await world.killBus();
        await world.startBus();
      }
    },
  },
  simulatorFault('upstream-outage', 'dvcqg', (s) => ({ mode: 'fail', status: 503, durationMs: s.upstreamOutageMs }), (s) => `DVCQG simulator answers 503 to every call for ${s.upstreamOutageMs / 1000} s`),
  simulatorFault(
    'upstream-slow',
    'dvcqg',
    (s) => ({ mode: 'slow', delayMs: s.slowAnswerMs, durationMs: s.upstreamSlowMs }),
    (s) => `DVCQG simulator holds every answer ${s.slowAnswerMs} ms (breaker timeout ${s.breakerTimeoutMs} ms) for ${s.upstreamSlowMs / 1000} s`,
  ),
  simulatorFault('upstream-answer-lost', 'dvcqg', (s) => ({ mode: 'lose-answer', durationMs: s.answerLostMs }), (s) => `DVCQG simulator carries out every call but cuts the connection before answering, for ${s.answerLostMs / 1000} s`),
  simulatorFault('push-answer-lost', 'push', (s) => ({ mode: 'lose-answer', durationMs: s.answerLostMs }), (s) => `QLVB push endpoint takes every e-document but cuts the connection before answering, for ${s.answerLostMs / 1000} s`),
  simulatorFault('axis-answer-lost', 'axis', (s) => ({ mode: 'lose-answer', durationMs: s.answerLostMs }), (s) => `national axis takes every package but cuts the connection before answering, for ${s.answerLostMs / 1000} s`),
  serviceOutage('postgres-restart', (s) => `pg_ctlcluster stop, ${s.serviceDownMs / 1000} s down, start`, stopPostgres, startPostgres),
  ...CLUSTER_SCENARIOS,
];
