// Whether a bus has nothing left to deliver, so a test can check for duplicates once none can still arrive.
import type { Transport } from '../src/transport/transport';

/** No message waiting (ready or delayed) on any route and none waiting for its publish to be confirmed. */
export async function transportIdle(transport: Pick<Transport, 'stats'>): Promise<boolean> {
  const stats = await transport.stats();
  return stats.outboxSize === 0 && Object.values(stats.queueDepth).every((n) => n === 0);
}

/** transportIdle for a bus in another process, read from its /metrics (queue depth per route, outbox size). */
export async function busProcessIdle(baseUrl: string): Promise<boolean> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (!res.ok) return false;
  const samples = (await res.text()).split('\n').filter((line) => /^lgsp_(queue_depth|outbox_size)\b/.test(line));
  return samples.length > 0 && samples.every((line) => Number(line.slice(line.lastIndexOf(' ') + 1)) === 0);
}
