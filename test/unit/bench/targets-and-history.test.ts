// The bench's judgement of its figures against issue #16's targets, and the history of full runs it reads the last
// three end-to-end p99s from.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateTargets } from '../../../bench/targets';
import { appendHistory, lastFullRunP99s, type HistoryEntry } from '../../../bench/history';

const run = (e2eP99Ms: number | null, n: number): HistoryEntry => ({ startedAt: `2026-12-0${n}T00:00:00Z`, commit: `c${n}`, e2eP99Ms, e2ePerSec: 900, intakeCpuRatio: 2.5, busDeliveryCpuMs: 0.7 });

describe('targets', () => {
  it('judges each figure against its limit, and says "not measured" rather than met when a figure is missing', () => {
    const targets = evaluateTargets({
      intakeCpuRatio: 1.9,
      busIntakeCpuMs: 0.5,
      rawBaselineCpuMs: 0.26,
      busDeliveryCpuMs: 0.61,
      e2ePerSec: 1000,
      e2eP99Ms: 50,
      e2eP99MsLastThreeRuns: [40, 51, 30],
      acceptPerSec: 800,
      embeddedAcceptPerSec: 799,
      embeddedAcceptP99Ms: 99,
      edocPerSec: 50,
      edocBusCpuMsPerMiB: 8.1,
      largeEdocPeakRssMb: null,
      largeEdocMaxLoopStallMs: null,
      standInCpuMsPerCall: 0.05,
      standInsAccepted: false,
    });
    const met = Object.fromEntries(Object.entries(targets).map(([key, check]) => [key, check.met]));
    expect(met).toEqual({
      intakeCpuRatio: true,
      busDeliveryCpuMs: false,
      e2ePerSec: true,
      e2eP99Ms: true,
      e2eP99MsLastThreeRuns: false,
      embeddedAcceptPerSec: false,
      embeddedAcceptP99Ms: true,
      edocPerSec: true,
      edocBusCpuMsPerMiB: false,
      largeEdocPeakRssMb: null,
      largeEdocMaxLoopStallMs: null,
      standInCpuMsPerCall: true,
      standInsAccepted: false,
    });
    expect(targets.largeEdocPeakRssMb!.value).toBe('not measured');
    expect(targets.standInCpuMsPerCall!.value).toBe('50 µs');
  });

  it('needs three full runs before the p99 target can be met', () => {
    expect(evaluateTargets({ e2eP99MsLastThreeRuns: [10, 20] }).e2eP99MsLastThreeRuns!.met).toBeNull();
    expect(evaluateTargets({ e2eP99MsLastThreeRuns: [10, 20, 30] }).e2eP99MsLastThreeRuns!.met).toBe(true);
    expect(evaluateTargets({ e2eP99MsLastThreeRuns: [10, null, 30] }).e2eP99MsLastThreeRuns!.met).toBe(false);
  });
});

describe('history of full runs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-history-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends each run and answers the p99 of the last three, oldest first', () => {
    const file = path.join(dir, 'results', 'history.json');
    expect(lastFullRunP99s(file, 3)).toEqual([]);
    appendHistory(file, run(60, 1));
    expect(lastFullRunP99s(file, 3)).toEqual([60]);
    for (const [i, p99] of [45, null, 48].entries()) appendHistory(file, run(p99, i + 2));
    expect(lastFullRunP99s(file, 3)).toEqual([45, null, 48]);
    expect((JSON.parse(readFileSync(file, 'utf8')) as HistoryEntry[]).map((e) => e.commit)).toEqual(['c1', 'c2', 'c3', 'c4']);
  });
});
