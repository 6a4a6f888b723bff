// Logs calls without credentials to paths the bus does not serve by sample: the first at once, then at most one line
// a minute saying how many came since, so a scanner fills neither the log nor the disk.
import type { Logger } from '../observability/logger';
import { loggableText } from '../observability/log-fields';

/** At most one line per this interval. */
export const PROBE_LOG_INTERVAL_MS = 60_000;

export class ProbeLogSampler {
  private lastLineAtMs = Number.NEGATIVE_INFINITY;
  private unlogged = 0;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  seen(method: string, path: string): void {
    const now = this.now();
    this.unlogged++;
    if (now - this.lastLineAtMs < PROBE_LOG_INTERVAL_MS) return;
    this.logger.warn(
      { code: 'UNAUTHENTICATED_PROBE', method, path: loggableText(path, 200), probes: this.unlogged },
      'calls without credentials to paths the bus does not serve (sampled: one line a minute at most; count in lgsp_unauthenticated_probes_total)',
    );
    this.lastLineAtMs = now;
    this.unlogged = 0;
  }
}
