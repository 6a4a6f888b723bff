// The bus's own counters around a scenario (from /metrics), as evidence that the fault reached it: reconnects,
// failed attempts, retries, refusals at intake, redelivered effects skipped. A bus process started during the
// scenario begins again from zero, so these are what the running process saw, not the scenario's exact total.
export interface BusEvidence {
  brokerDisconnects: number;
  failedAttempts: number;
  retries: number;
  intakeRefused: number;
  effectsSkipped: number;
  effectsFoundUpstream: number;
  rejected: number;
}

const METRICS: Record<keyof BusEvidence, { name: string; labels?: Record<string, string> }> = {
  brokerDisconnects: { name: 'lgsp_broker_connection_events_total', labels: { event: 'disconnected' } },
  failedAttempts: { name: 'lgsp_messages_failed_total' },
  retries: { name: 'lgsp_messages_retried_total' },
  intakeRefused: { name: 'lgsp_intake_refused_total' },
  effectsSkipped: { name: 'lgsp_effects_skipped_total' },
  effectsFoundUpstream: { name: 'lgsp_effects_found_upstream_total' },
  rejected: { name: 'lgsp_messages_rejected_total' },
};

/** Sums of the counters in a Prometheus text exposition; null when the bus does not answer. */
export async function readBusEvidence(busUrl: string): Promise<BusEvidence | null> {
  const text = await fetch(`${busUrl}/metrics`).then((r) => (r.ok ? r.text() : null), () => null);
  if (text === null) return null;
  const out = {} as BusEvidence;
  for (const [key, metric] of Object.entries(METRICS) as [keyof BusEvidence, (typeof METRICS)[keyof BusEvidence]][]) {
    out[key] = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${metric.name}{`) && !line.startsWith(`${metric.name} `)) continue;
      if (metric.labels && !Object.entries(metric.labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
      out[key] += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
    }
  }
  return out;
}

/** after − before, or after alone when the process was restarted in between (its counters started from zero). */
export function evidenceDelta(before: BusEvidence | null, after: BusEvidence | null, restarted: boolean): BusEvidence | null {
  if (!after) return null;
  if (!before || restarted) return after;
  const out = { ...after };
  for (const key of Object.keys(out) as (keyof BusEvidence)[]) out[key] = after[key] - before[key];
  return out;
}
