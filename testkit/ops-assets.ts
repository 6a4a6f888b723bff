// The operations assets shipped in docker/ (Prometheus alert rules, the Grafana dashboard) read for tests: their PromQL
// expressions, the metric names those use, and the sample names a /metrics answer serves.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { repoFile } from '../src/core/repo-files';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export const ALERTS_FILE = repoFile('docker', 'prometheus', 'alerts.yaml');
export const DASHBOARD_FILE = repoFile('docker', 'grafana', 'dashboards', 'lgsp-bus.json');

/** The rules of every group of the alert rules file, parsed as YAML. */
export function alertRules(file = ALERTS_FILE): AlertRule[] {
  const parsed = YAML.parse(readFileSync(file, 'utf8')) as { groups: { name: string; rules: AlertRule[] }[] };
  return parsed.groups.flatMap((group) => group.rules);
}

interface DashboardPanel {
  title: string;
  type: string;
  datasource?: { uid?: string };
  targets?: { expr: string }[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
}

export function dashboard(file = DASHBOARD_FILE): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

export function dashboardExprs(board: Dashboard = dashboard()): string[] {
  return board.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

/** PromQL words that are not metric names: aggregation modifiers, set and vector-matching operators. */
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects: identifiers outside strings, label matchers, range and label
 * lists, that do not call a function (a name followed by `(`) and are not PromQL words or durations.
 */
export function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const after = stripped.slice(match.index + name.length).trimStart();
    if (after.startsWith('(') || PROMQL_WORDS.has(name.toLowerCase())) continue;
    // A duration after offset (15m) starts with a digit and never matches; `e` of 1e3 is part of a number.
    if (match.index > 0 && /[0-9.]/.test(stripped[match.index - 1]!)) continue;
    names.add(name);
  }
  return [...names];
}

/** The sample names of a Prometheus text exposition (`name{labels} value` lines), histograms' _bucket/_sum/_count included. */
export function sampleNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(line)?.[0];
    if (name) names.add(name);
  }
  return names;
}

/** Series Prometheus makes itself for every scrape target: never in a /metrics answer. */
export const SCRAPE_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);
