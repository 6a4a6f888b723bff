// Drives the three-node RabbitMQ cluster of scripts/rabbitmq-cluster.sh (lgsp1..3@localhost, AMQP 5681..5683) for
// tests and the chaos suite: start it (reused when already up), kill or stop a node and bring it back, find a
// queue's leader, and cut a node off from its peers at the Erlang distribution level.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoFile } from '../src/core/repo-files';

const run = promisify(execFile);
const SCRIPT = repoFile('scripts', 'rabbitmq-cluster.sh');

export type ClusterNode = 1 | 2 | 3;
export const CLUSTER_NODES: readonly ClusterNode[] = [1, 2, 3];

// The same environment the script reads.
const BASE_PORT = Number(process.env.LGSP_CLUSTER_BASE_PORT ?? 5681);
const CLUSTER_DIR = process.env.LGSP_CLUSTER_DIR ?? '/tmp/lgsp-rabbitmq-cluster';

export function nodeName(node: ClusterNode): string {
  return `lgsp${node}@localhost`;
}

export function nodeOfName(name: string): ClusterNode {
  const match = /^lgsp([123])@localhost$/.exec(name.trim());
  if (!match) throw new Error(`not a node of the test cluster: ${name}`);
  return Number(match[1]) as ClusterNode;
}

export function nodeUrl(node: ClusterNode): string {
  return `amqp://guest:guest@127.0.0.1:${BASE_PORT + node - 1}`;
}

/** The cluster's addresses, the bus's `transport.amqpUrls`: node 1 first. */
export const CLUSTER_URLS: readonly string[] = CLUSTER_NODES.map(nodeUrl);

async function script(args: string[], timeoutMs: number): Promise<string> {
  const { stdout } = await run('bash', [SCRIPT, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Starts the cluster and joins it, or does nothing when it already runs joined; answers the script's report. */
export async function ensureCluster(): Promise<string> {
  return (await script(['start'], 600_000)).trim();
}

export async function clusterCtl(node: ClusterNode, ...args: string[]): Promise<string> {
  return script(['ctl', String(node), '-q', ...args], 120_000);
}

/** The OS pid of the node's Erlang VM (beam.smp), from the pid file RabbitMQ writes at boot. */
export function nodePid(node: ClusterNode): number {
  const pid = Number(readFileSync(path.join(CLUSTER_DIR, `lgsp${node}`, 'rabbit.pid'), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid for ${nodeName(node)}`);
  return pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** kill -9 of the node's VM: no goodbye to its peers or its clients, as when a machine loses power. */
export async function killNode(node: ClusterNode): Promise<void> {
  const pid = nodePid(node);
  process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 20));
}

/** Starts a node that was killed or stopped, and waits until it has rejoined and booted. */
export async function startNode(node: ClusterNode): Promise<void> {
  await script(['start-node', String(node)], 300_000);
}

/** rabbitmqctl stop_app: the node leaves the cluster's work (queues elsewhere elect new leaders); its VM stays up. */
export async function stopApp(node: ClusterNode): Promise<void> {
  await clusterCtl(node, 'stop_app');
}

export async function startApp(node: ClusterNode): Promise<void> {
  await clusterCtl(node, 'start_app');
  await clusterCtl(node, 'await_startup');
}

/** The node leading a quorum queue, asked of any running node; null when the queue has no leader it can name. */
export async function queueLeader(queue: string, askNode: ClusterNode): Promise<ClusterNode | null> {
  const out = await clusterCtl(askNode, 'list_queues', 'name', 'leader', '--no-table-headers');
  for (const line of out.split('\n')) {
    const [name, leader] = line.split('\t');
    if (name === queue && leader) return nodeOfName(leader);
  }
  return null;
}

/**
 * Cuts `node` off from its peers without touching its AMQP side: it takes a wrong cookie for each peer and drops
 * the distribution connections, so every reconnection either way fails the handshake — a partition of the Erlang
 * distribution, as a firewall rule on the distribution ports would make it (this machine has no iptables).
 * rabbitmqctl still reaches every node: the CLI is a node of its own, whose cookie is untouched.
 */
export async function isolateNode(node: ClusterNode): Promise<void> {
  const peers = CLUSTER_NODES.filter((n) => n !== node).map((n) => `'${nodeName(n)}'`).join(', ');
  await clusterCtl(
    node,
    'eval',
    `[begin erlang:set_cookie(P, 'lgsp_partitioned'), erlang:disconnect_node(P) end || P <- [${peers}]], ok.`,
  );
}

/** Gives an isolated node its peers' cookie again and reconnects it; pause_minority lets it resume on its own. */
export async function healNode(node: ClusterNode): Promise<void> {
  const peers = CLUSTER_NODES.filter((n) => n !== node).map((n) => `'${nodeName(n)}'`).join(', ');
  await clusterCtl(node, 'eval', `[begin erlang:set_cookie(P, erlang:get_cookie()), net_kernel:connect_node(P) end || P <- [${peers}]], ok.`);
}

/** The running members node 1..3 each sees (only those that answer). */
export async function runningNodes(node: ClusterNode): Promise<ClusterNode[]> {
  const out = await clusterCtl(node, 'cluster_status', '--formatter', 'json');
  const parsed = JSON.parse(out) as { running_nodes?: string[] };
  return (parsed.running_nodes ?? []).map(nodeOfName).sort();
}
