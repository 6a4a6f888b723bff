// reports/chaos.json ({scenarios: [{name, sent, accepted, delivered, duplicates, deadLettered, lost, …}]} plus the
// machine and settings) and the short table printed at the end of a run.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MachineInfo } from '../bench/machine-info';
import type { BusEvidence } from './bus-metrics';
import type { EffectCount } from './effect-count';
import type { ChaosSettings } from './settings';

export interface ScenarioResult extends EffectCount {
  name: string;
  description: string;
  /** From the first request to the end of the drain wait. */
  durationMs: number;
  /** From the end of the load until every accepted message was delivered or dead-lettered (null: deadline reached). */
  drainMs: number | null;
  /** Sends skipped while too many requests waited for an answer. */
  loadSkipped: number;
  /** Times the bus had died without the scenario killing it and was started again. */
  unexpectedBusRestarts: number;
  /** Accepted progress updates that reached DVCQG before an earlier accepted update of the same dossier. */
  progressOutOfOrder: number;
  /** The bus's counters over the scenario (null: /metrics did not answer). */
  busEvidence: BusEvidence | null;
  /** The scenario's own failure (the fault could not be injected), if any. */
  error: string | null;
  /** What the scenario observed of its fault (cluster scenarios: the node hit, the bus's reconnection time). */
  fault: Record<string, string | number | boolean | null> | null;
}

export interface ChaosReport extends MachineInfo {
  mode: ChaosSettings['mode'];
  startedAt: string;
  finishedAt: string;
  settings: ChaosSettings;
  /** Bus processes started during the run (1 + the restarts of bus-sigkill + any the run needed). */
  busStarts: number;
  scenarios: ScenarioResult[];
  passed: boolean;
}

export function failed(result: ScenarioResult): boolean {
  return result.lost > 0 || result.duplicates > 0 || result.error !== null;
}

export function writeReport(file: string, report: ChaosReport): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

export function formatTable(report: ChaosReport): string {
  const header = ['scenario', 'sent', 'accepted', 'delivered', 'duplicates', 'deadLettered', 'lost', 'drain s', 'result'];
  const rows = report.scenarios.map((s) => [
    s.name,
    String(s.sent),
    String(s.accepted),
    String(s.delivered),
    String(s.duplicates),
    String(s.deadLettered),
    String(s.lost),
    s.drainMs === null ? 'timeout' : (s.drainMs / 1000).toFixed(1),
    failed(s) ? 'FAIL' : 'ok',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [`LGSP chaos (${report.mode}): ${report.settings.note}`, line(header), ...rows.map(line)];
  for (const s of report.scenarios) {
    const e = s.busEvidence;
    if (s.progressOutOfOrder > 0) out.push(`  ${s.name}: ${s.progressOutOfOrder} progress updates reached DVCQG out of order`);
    if (s.absorbedRepeats > 0) out.push(`  ${s.name}: ${s.absorbedRepeats} e-document pushes repeated after a lost answer, absorbed by the endpoint's Idempotency-Key`);
    if (s.resent > 0) out.push(`  ${s.name}: ${s.resent} requests sent again under their Idempotency-Key (${s.resends} extra sends), ${s.accepted} of ${s.sent} accepted in the end`);
    if (e) out.push(`  ${s.name}: bus saw ${e.brokerDisconnects} broker disconnects, ${e.failedAttempts} failed attempts, ${e.retries} retries, ${e.intakeRefused} intake refusals, ${e.effectsSkipped} repeated effects skipped, ${e.effectsFoundUpstream} found already at the upstream`);
    if (s.fault) out.push(`  ${s.name}: ${Object.entries(s.fault).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
    if (Object.keys(s.refused).length > 0) out.push(`  ${s.name}: answers other than 202 by status: ${JSON.stringify(s.refused)}`);
    if (s.error) out.push(`  ${s.name}: ${s.error}`);
    for (const r of s.deadLetterReasons) out.push(`  ${s.name}: dead-lettered ${r.count} × ${r.code}: ${r.reason}`);
  }
  return `${out.join('\n')}\n`;
}
