// The naming rule that lets the environment override any key of bus.yaml: LGSP__<PATH>, path segments joined by a
// double underscore, each written in upper snake case (docs/configuration.md, "Environment overrides").
//
//   LGSP__FLOWS__DOSSIER__DVCQG__URL=https://adapter.dvc.gov.vn        → flows.dossier.dvcqg.url
//   LGSP__HTTP__BODY_LIMIT_BYTES=2097152                               → http.bodyLimitBytes
//   LGSP__FLOWS__EDOC__ORGANS__000_00_03_H10__PUSH_URL=https://…       → flows.edoc.organs["000.00.03.H10"].pushUrl
//   LGSP__CLIENTS__0__NAME=…                                           → clients[0].name
//
// A segment names the key of the mapping it is in whose upper snake form equals it (so map keys such as organ ids and
// adapter names, whose dots and dashes become underscores, must already be in the file); a segment no key matches is
// the camelCase of the segment (BODY_LIMIT_BYTES → bodyLimitBytes), for settings the file leaves to their defaults;
// a number indexes a list. The value replaces a string setting as it is (leading zeros, "true" kept); anything else is
// read as a YAML value ("8080" → 8080, "true" → true, "null" → null, "[a, b]" → a list).
import YAML from 'yaml';

export const PATH_OVERRIDE_PREFIX = 'LGSP__';

/** `bodyLimitBytes` → `BODY_LIMIT_BYTES`, `000.00.03.H10` → `000_00_03_H10`, `hook-a` → `HOOK_A`. */
export function envSegmentOf(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** `BODY_LIMIT_BYTES` → `bodyLimitBytes`. */
function camelCaseOf(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** The variable that overrides a config path, e.g. ['flows', 'dossier', 'dvcqg', 'url'] → LGSP__FLOWS__DOSSIER__DVCQG__URL. */
export function envNameOf(path: readonly string[]): string {
  return PATH_OVERRIDE_PREFIX + path.map(envSegmentOf).join('__');
}

export interface AppliedOverride {
  variable: string;
  /** The config path it set, in dotted form (flows.edoc.organs.000.00.03.H10.pushUrl). */
  path: string;
}

export interface OverrideResult {
  applied: AppliedOverride[];
  problems: string[];
}

type Node = Record<string, unknown> | unknown[];

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object';
}

function valueOf(raw: string, current: unknown): unknown {
  if (typeof current === 'string') return raw;
  try {
    return YAML.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * Applies every LGSP__ variable of `env` to the raw bus.yaml mapping (before validation, which then checks the
 * result as it checks the file). Variables are applied in name order, so a longer path wins over a shorter one that
 * contains it.
 */
export function applyPathOverrides(raw: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): OverrideResult {
  const applied: AppliedOverride[] = [];
  const problems: string[] = [];
  const variables = Object.keys(env)
    .filter((name) => name.startsWith(PATH_OVERRIDE_PREFIX))
    .sort();
  for (const variable of variables) {
    const value = env[variable];
    if (value === undefined) continue;
    const segments = variable.slice(PATH_OVERRIDE_PREFIX.length).split('__');
    if (segments.some((segment) => !/^[A-Z0-9]+(_[A-Z0-9]+)*$/.test(segment))) {
      problems.push(`environment: ${variable}: segments are upper-case letters, digits and single underscores, joined by __`);
      continue;
    }
    let node: Node = raw;
    const path: string[] = [];
    let failed = false;
    for (const [i, segment] of segments.entries()) {
      const last = i === segments.length - 1;
      let key: string | number;
      if (Array.isArray(node)) {
        const index = Number(segment);
        if (!/^\d+$/.test(segment) || index >= node.length) {
          problems.push(`environment: ${variable}: ${path.join('.')} is a list of ${node.length}; ${segment} is not an index in it`);
          failed = true;
          break;
        }
        key = index;
      } else {
        key = Object.keys(node).find((existing) => envSegmentOf(existing) === segment) ?? camelCaseOf(segment);
      }
      path.push(String(key));
      const current: unknown = Array.isArray(node) ? node[key as number] : node[key as string];
      if (last) {
        const next = valueOf(value, current);
        if (Array.isArray(node)) node[key as number] = next;
        else node[key as string] = next;
        break;
      }
      if (current === undefined || current === null) {
        const created: Record<string, unknown> = {};
        if (Array.isArray(node)) node[key as number] = created;
        else node[key as string] = created;
        node = created;
      } else if (isNode(current)) {
        node = current;
      } else {
        problems.push(`environment: ${variable}: ${path.join('.')} is a single value, not a mapping`);
        failed = true;
        break;
      }
    }
    if (!failed) applied.push({ variable, path: path.join('.') });
  }
  return { applied, problems };
}
