// The gauges read from the bus's stores at each /metrics scrape: queue depth and unconfirmed publishes, dead letters
// per route, the age of each route's oldest waiting message, and whether the audit trail can be written.
import type { AuditLog } from '../audit';
import type { MessageStatusStore } from '../stores/message-status';
import type { Transport } from '../transport/transport';
import type { BusMetrics } from './metrics';

export interface ScrapeSources {
  transport: Pick<Transport, 'stats' | 'deadLetterCounts'>;
  messages: Pick<MessageStatusStore, 'oldestUnsettled'>;
  audit: Pick<AuditLog, 'isHealthy'>;
}

/**
 * Each source on its own and best effort: one that cannot be read now (the broker or the database away) keeps its
 * gauges at their last values, and the rest are still served.
 */
export async function refreshScrapeGauges(metrics: BusMetrics, sources: ScrapeSources): Promise<void> {
  metrics.setAuditWritable(sources.audit.isHealthy());
  await Promise.all([
    sources.transport.stats().then((stats) => metrics.setTransportStats(stats), () => undefined),
    sources.transport.deadLetterCounts().then((counts) => metrics.setDeadLetters(counts), () => undefined),
    sources.messages.oldestUnsettled().then((oldest) => metrics.setOldestWaiting(oldest), () => undefined),
  ]);
}
