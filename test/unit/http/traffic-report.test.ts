// The traffic page's arithmetic: nearest-rank percentiles per bucket, dead letters outstanding counted back from now,
// the worst breaker state within each bucket, calls attributed to the upstream a route's stage calls.
import type { AuditActivity } from '../../../src/audit';
import { percentile, trafficReport } from '../../../src/http/admin/traffic-report';

const MINUTE = 60_000;
const from = Date.parse('2026-11-27T01:00:00.000Z');
const at = (minute: number, second = 0) => new Date(from + minute * MINUTE + second * 1000).toISOString();
const record = (over: Partial<AuditActivity>): AuditActivity => ({ at: at(0), step: 'received', outcome: 'ok', route: 'r', errorCode: null, durationMs: null, stage: null, ...over });

describe('traffic report', () => {
  test('nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)]).toEqual([50, 95, 99]);
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.99)).toBe(7);
  });

  test('counts per bucket, latency per upstream, outstanding dead letters and breaker states', () => {
    const report = trafficReport({
      window: { from, to: from + 3 * MINUTE, bucketMs: MINUTE },
      truncated: false,
      deadLettersNow: 2,
      upstreamOf: (route, stage) => (route === 'r' && stage === 'check' ? 'pop' : undefined),
      upstreams: [{ upstream: 'pop', displayName: 'Dân cư', state: 'closed', history: [{ at: from - MINUTE, state: 'closed' }, { at: from + MINUTE + 10_000, state: 'open' }, { at: from + MINUTE + 20_000, state: 'closed' }] }],
      records: [
        record({ at: at(0) }),
        record({ at: at(0, 30) }),
        record({ at: at(2) }),
        record({ at: at(5) }), // after the window
        record({ step: 'enriched', stage: 'check', durationMs: 10, at: at(0) }),
        record({ step: 'enriched', stage: 'check', durationMs: 30, at: at(0) }),
        record({ step: 'enriched', stage: 'other', durationMs: 99, at: at(0) }),
        record({ step: 'failed', outcome: 'error', errorCode: 'NETWORK_ERROR', at: at(1) }),
        record({ step: 'rejected', outcome: 'rejected', errorCode: 'VALIDATION_FAILED', route: null, at: at(1) }),
        record({ step: 'dead-lettered', outcome: 'error', errorCode: 'X', at: at(1) }),
        record({ step: 'dead-lettered', outcome: 'error', errorCode: 'X', at: at(2) }),
        record({ step: 'replayed', at: at(2) }),
      ],
    });
    expect(report.buckets).toEqual([at(0), at(1), at(2)]);
    expect(report.routes).toEqual([{ route: 'r', received: [2, 0, 1], delivered: [0, 0, 0], failed: [0, 1, 0], deadLettered: [0, 1, 1] }]);
    const pop = report.upstreams[0]!;
    expect(pop.calls).toEqual([2, 0, 0]);
    expect(pop.p50).toEqual([10, null, null]);
    expect(pop.p99).toEqual([30, null, null]);
    expect(pop.window).toEqual({ calls: 2, p50: 10, p95: 30, p99: 30 });
    expect(pop.states).toEqual(['closed', 'open', 'closed']);
    expect(report.errors).toEqual({ total: [0, 1, 0], byCode: [{ code: 'NETWORK_ERROR', count: 1 }] });
    expect(report.refusals).toEqual({ total: [0, 1, 0], byCode: [{ code: 'VALIDATION_FAILED', count: 1 }] });
    // Two now; the bucket before the last had one fewer addition undone and one replay undone.
    expect(report.deadLetters).toEqual({ added: [0, 1, 1], replayed: [0, 0, 1], outstanding: [1, 2, 2], current: 2 });
  });
});
