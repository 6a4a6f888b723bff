// Error codes become metric labels; one taken from an upstream's answer must not carry personal data into them.
import { BusMetrics, codeLabel } from '../../../src/observability/metrics';

describe('metric labels', () => {
  test('codes that are identifiers are kept; free text and long digit runs are counted as OTHER', () => {
    for (const code of ['HTTP_400', 'CITIZEN_MISMATCH', 'UPSTREAM_REJECTED', 'edoc.axis:E42']) expect(codeLabel(code)).toBe(code);
    for (const code of ['Không tìm thấy công dân', 'ID_026092008262', '026092008262', '', 'x'.repeat(65)]) expect(codeLabel(code)).toBe('OTHER');
  });

  test('an upstream code with a citizen id and a name never reaches /metrics', async () => {
    const metrics = new BusMetrics();
    metrics.failed.inc({ route: 'dossier-sync', code: 'Đào Văn Tài 026092008262' });
    metrics.deadLettered.inc({ route: 'dossier-sync', code: 'HTTP_400' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('lgsp_messages_failed_total{route="dossier-sync",code="OTHER"} 1');
    expect(text).toContain('lgsp_messages_dead_lettered_total{route="dossier-sync",code="HTTP_400"} 1');
    expect(text).not.toContain('026092008262');
    expect(text).not.toContain('Đào Văn Tài');
  });
});
