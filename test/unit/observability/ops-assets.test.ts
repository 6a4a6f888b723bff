// The alert rules and dashboard shipped in docker/ parse, hold the alerts the operations centre needs, and are
// mounted by the compose stack; the metric names they use are checked against a live bus in
// test/integration/observability/operator-signals.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { repoFile } from '../../../src/core/repo-files';
import { alertRules, dashboard, dashboardExprs, metricNamesOf } from '../../../testkit/ops-assets';

test('metric names are read out of PromQL: not functions, label values, modifiers or durations', () => {
  expect(metricNamesOf('sum by (upstream) (rate(lgsp_upstream_call_duration_seconds_count{outcome=~"failed|timeout"}[5m])) > 0.5').sort()).toEqual(['lgsp_upstream_call_duration_seconds_count']);
  expect(metricNamesOf('max by (route) (lgsp_dead_letters) > max by (route) (lgsp_dead_letters offset 15m)')).toEqual(['lgsp_dead_letters']);
  expect(metricNamesOf('a_total > on (route) group_left b_seconds or vector(0) * 1e3').sort()).toEqual(['a_total', 'b_seconds']);
  expect(metricNamesOf('up{job="lgsp-bus"} == 0')).toEqual(['up']);
});

test('the alert rules parse and cover what the operations centre is warned of', () => {
  const rules = alertRules();
  expect(rules.map((r) => r.alert)).toEqual(
    expect.arrayContaining(['LgspUpstreamFailing', 'LgspBreakerOpen', 'LgspDeadLettersGrowing', 'LgspAuditNotWritable', 'LgspMessageOverdue']),
  );
  expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  for (const rule of rules) {
    expect(rule.expr.trim()).not.toBe('');
    expect(metricNamesOf(rule.expr).length).toBeGreaterThan(0);
    expect(['critical', 'warning']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
    if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
  }
  // "Open for minutes": the breaker alert waits before it fires.
  expect(rules.find((r) => r.alert === 'LgspBreakerOpen')?.for).toMatch(/^([2-9]|\d\d+)m$/);
});

test('the dashboard parses, every panel asks the provisioned data source, and the compose stack mounts it and the rules', () => {
  const board = dashboard();
  expect(board.uid).toBe('lgsp-bus');
  const datasources = YAML.parse(readFileSync(repoFile('docker', 'grafana', 'provisioning', 'datasources', 'prometheus.yaml'), 'utf8')) as { datasources: { uid: string }[] };
  const uid = datasources.datasources[0]!.uid;
  for (const panel of board.panels) {
    expect(panel.datasource?.uid).toBe(uid);
    expect(panel.targets?.length).toBeGreaterThan(0);
  }
  expect(dashboardExprs(board).every((expr) => metricNamesOf(expr).length > 0)).toBe(true);

  const compose = YAML.parse(readFileSync(repoFile('docker', 'compose.yaml'), 'utf8')) as { services: Record<string, { volumes?: string[] }> };
  const mounted = (service: string) => (compose.services[service]?.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => v.split(':'));
  const prometheus = mounted('prometheus');
  const grafana = mounted('grafana');
  for (const [host] of [...prometheus, ...grafana]) expect(existsSync(path.join(repoFile('docker'), host!))).toBe(true);
  expect(prometheus.map(([host]) => host)).toEqual(expect.arrayContaining(['./prometheus/alerts.yaml', './prometheus/prometheus.yaml']));
  expect(grafana.map(([host]) => host)).toEqual(expect.arrayContaining(['./grafana/provisioning', './grafana/dashboards']));
  const config = YAML.parse(readFileSync(repoFile('docker', 'prometheus', 'prometheus.yaml'), 'utf8')) as { rule_files: string[] };
  const rulesMount = prometheus.find(([host]) => host === './prometheus/alerts.yaml')![1];
  expect(config.rule_files).toContain(rulesMount);
});
