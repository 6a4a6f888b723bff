// A group's CPU over a phase counts members that were born or ended during it (PostgreSQL's backends come and go with
// the pools' connections): the arithmetic on readings, and the kernel's ended-children time it relies on.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { groupCpu, groupCpuUsed, processCpu } from '../../../bench/proc-stats';

describe('groupCpuUsed', () => {
  test('a member alive at both readings counts its difference, one born in between all of its CPU', () => {
    const before = { own: new Map([[10, 5]]), endedChildren: 0 };
    const after = { own: new Map([[10, 5.5], [11, 0.25]]), endedChildren: 0 };
    expect(groupCpuUsed(before, after)).toBeCloseTo(0.75);
  });

  test('a member that ended in between counts through its parent, less what it had used before', () => {
    // Member 11 had used 2 s at the first reading and 2.4 s when it ended: the parent (10) then holds all 2.4 s.
    const before = { own: new Map([[10, 1], [11, 2]]), endedChildren: 3 };
    const after = { own: new Map([[10, 1.1]]), endedChildren: 5.4 };
    expect(groupCpuUsed(before, after)).toBeCloseTo(0.1 + 0.4);
  });
});

describe('groupCpu', () => {
  test('holds the CPU of a child that was born, worked and ended between two readings of its parent', async () => {
    // The parent starts a child that burns ~300 ms of CPU, waits for it to end, says so and idles until stdin closes.
    const parentScript = `
      const { spawnSync } = require('node:child_process');
      process.stdin.once('data', () => {
        spawnSync(process.execPath, ['-e', 'const end = process.cpuUsage().user + 300000; while (process.cpuUsage().user < end) {}']);
        process.stdout.write('ended\\n');
      });
      process.stdin.resume();`;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const before = groupCpu([parent.pid!], true);
      parent.stdin.write('go\n');
      await once(parent.stdout, 'data');
      const after = groupCpu([parent.pid!], true);
      expect(processCpu(parent.pid!).endedChildren).toBeGreaterThanOrEqual(0.3);
      expect(groupCpu([parent.pid!], false).endedChildren).toBe(0);
      expect(after.endedChildren - before.endedChildren).toBeGreaterThanOrEqual(0.3);
      expect(groupCpuUsed(before, after)).toBeGreaterThanOrEqual(0.3);
    } finally {
      parent.stdin.end();
      await once(parent, 'exit');
    }
  });
});
