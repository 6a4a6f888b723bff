// What the console knows of each upstream: the name an operator knows it by, its breaker's state changes since this
// process started (kept in memory, bounded), and which route stages call it (so audit records can be counted per upstream).
import type { BreakerState } from './breaker';
import type { Pipeline } from './pipeline';

/** One state a breaker entered, and when. */
export interface BreakerChange {
  at: number;
  state: BreakerState;
}

/** Changes kept per upstream: a flapping breaker keeps its last ones, enough for the hours a chart shows. */
const MAX_CHANGES = 2000;

export class UpstreamDirectory {
  private readonly names = new Map<string, string>();
  private readonly changes = new Map<string, BreakerChange[]>();
  private readonly stages = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** An upstream's breaker was created: its display name (the machine id when none is given) and its first state. */
  add(upstream: string, displayName: string | undefined, state: BreakerState): void {
    this.names.set(upstream, displayName?.trim() ? displayName.trim().normalize('NFC') : upstream);
    if (!this.changes.has(upstream)) this.changes.set(upstream, [{ at: this.now(), state }]);
  }

  /** The name an operator knows the upstream by (its machine id when it has none). */
  displayName(upstream: string): string {
    return this.names.get(upstream) ?? upstream;
  }

  recordChange(upstream: string, state: BreakerState): void {
    const list = this.changes.get(upstream) ?? [];
    list.push({ at: this.now(), state });
    if (list.length > MAX_CHANGES) list.splice(0, list.length - MAX_CHANGES);
    this.changes.set(upstream, list);
  }

  /** The breaker's changes, oldest first (the first is its state when it was created or the oldest kept). */
  history(upstream: string): readonly BreakerChange[] {
    return this.changes.get(upstream) ?? [];
  }

  /** Notes which upstream each stage of a route's pipeline (and its delivery) calls. */
  addRoute(route: string, pipeline: Pipeline): void {
    for (const stage of pipeline.stages) if (stage.upstream !== undefined) this.stages.set(stageKey(route, stage.name), stage.upstream);
    if (pipeline.delivery.upstream !== undefined) this.stages.set(stageKey(route, pipeline.delivery.name), pipeline.delivery.upstream);
  }

  /** The upstream a route's stage calls, or undefined for a stage that calls none (or guards its own calls). */
  upstreamOf(route: string, stage: string): string | undefined {
    return this.stages.get(stageKey(route, stage));
  }
}

function stageKey(route: string, stage: string): string {
  return `${route}\u0000${stage}`;
}
