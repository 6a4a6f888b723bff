// Loads and validates all configuration (bus.yaml, routes.yaml, LGSP_* environment); the only reader of config files and env.
// It knows the flows and the gateway's services only through the catalogue its caller hands in (src/bus-config.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { rightMatches } from '../core/right-pattern';
import { knownRights, type BusCatalogue, type ServiceDeclaration } from './flow-descriptor';
import { developmentOverlayPath, mergeOverlay, PROFILE_ENV, profileOf } from './deployment-profile';
import { applyPathOverrides, PATH_OVERRIDE_PREFIX, type AppliedOverride } from './env-overrides';
import { formatMemberId } from './member-id';
import { productionProblems } from './production-guard';
import { busFileSchema, routesFileSchema, type BusFileConfig, type BusFileInput, type RetryPolicyConfig, type RouteConfig, type RoutesFileInput } from './schema';
import { resolveSecrets, type BusSecrets, type SecretDeclaration } from './secrets';

export interface ResolvedRoute extends Omit<RouteConfig, 'retry' | 'prefetch'> {
  retry: RetryPolicyConfig;
  prefetch: number;
}

export interface BusConfig extends BusFileConfig {
  configDir: string;
  /** The development profile (LGSP_PROFILE=development): demo settings allowed, never under NODE_ENV=production. */
  development: boolean;
  routes: ResolvedRoute[];
  /** The LGSP_* environment values the bus was started with, already checked to be known keys. */
  env: Readonly<Record<string, string>>;
  /** Every secret the config names, resolved at start (src/config/secrets.ts), by the config path that names it. */
  secrets: BusSecrets;
  /** The services this configuration offers (the gateway's, then each configured flow's), for the metaservices. */
  services: OfferedService[];
  /** Every right an endpoint of the bus asks for (configured flow or not): what clients and groups may be granted. */
  knownRights: readonly string[];
}

/** A service of a configured flow, with the path its SOAP operations are served at (null: none). */
export interface OfferedService extends ServiceDeclaration {
  soapPath: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Every LGSP_* variable the bus understands; any other LGSP_* variable is a typo and stops the start. Besides these
 * short names, LGSP__<PATH> overrides any key of bus.yaml (env-overrides.ts); both are listed in docs/configuration.md.
 */
const ENV_OVERRIDES: Record<string, (cfg: Record<string, unknown>, value: string) => void> = {
  LGSP_HTTP_HOST: (c, v) => set(c, ['http', 'host'], v),
  LGSP_HTTP_PORT: (c, v) => set(c, ['http', 'port'], toInt('LGSP_HTTP_PORT', v)),
  LGSP_HTTP_PUBLIC_BASE_URL: (c, v) => set(c, ['http', 'publicBaseUrl'], v === '' ? undefined : v),
  // Either variable replaces both keys of the file: the environment names the broker whole.
  LGSP_AMQP_URL: (c, v) => {
    set(c, ['transport', 'amqpUrl'], v === '' ? null : v);
    set(c, ['transport', 'amqpUrls'], undefined);
  },
  LGSP_AMQP_URLS: (c, v) => {
    const urls = v.split(',').map((u) => u.trim()).filter((u) => u !== '');
    set(c, ['transport', 'amqpUrls'], urls.length > 0 ? urls : undefined);
    set(c, ['transport', 'amqpUrl'], null);
  },
  LGSP_PREFETCH: (c, v) => set(c, ['transport', 'prefetch'], toInt('LGSP_PREFETCH', v)),
  LGSP_QUEUE_PREFIX: (c, v) => set(c, ['transport', 'namePrefix'], v),
  LGSP_DATABASE_URL: (c, v) => set(c, ['stores', 'databaseUrl'], v === '' ? null : v),
  LGSP_DATA_DIR: (c, v) => set(c, ['stores', 'dataDir'], v),
  LGSP_LOG_LEVEL: (c, v) => set(c, ['logging', 'level'], v),
};
/** Variables read elsewhere (secrets, simulator ports, the config location itself). */
const ENV_PASSTHROUGH = new Set([
  'LGSP_CONFIG_DIR',
  PROFILE_ENV,
  'LGSP_JWT_SECRET',
  'LGSP_ADMIN_SESSION_KEY',
  'LGSP_PUSH_TOKEN',
  'LGSP_SIMULATORS',
  // Read by npm run audit:verify / audit:export.
  'LGSP_AUDIT_SIGNING_KEY_FILE',
  'LGSP_AUDIT_PUBLIC_KEY_FILE',
]);
const ENV_PASSTHROUGH_PATTERN = /^LGSP_(SIM_[A-Z0-9_]+|ADAPTER_[A-Z0-9_]+_TOKEN)$/;
/** LGSP_ADAPTER_<NAME>_URL points a configured adapter elsewhere (dashes in NAME written as underscores). */
const ADAPTER_URL_PATTERN = /^LGSP_ADAPTER_([A-Z0-9_]+)_URL$/;

function set(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function toInt(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new ConfigError([`${name}: must be a whole number, got "${value}"`]);
  return Number(value);
}

function readYaml(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = YAML.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`${file}: not valid YAML (${(error as Error).message})`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError([`${file}: must be a YAML mapping`]);
  return parsed as Record<string, unknown>;
}

function describeIssues(file: string, error: z.ZodError, prefix: string[] = [], overrides: readonly AppliedOverride[] = []): string[] {
  // A problem with a value the environment set names the variable, not only the file.
  const origin = (path: string) => {
    const override = overrides.find((o) => path === o.path || path.startsWith(`${o.path}.`) || o.path.startsWith(`${path}.`));
    return override ? ` (set by ${override.variable})` : '';
  };
  return error.issues.map((issue) => {
    const where = [...prefix, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((k) => {
          const key = `${where ? `${where}.` : ''}${k}`;
          return `${file}: unknown key "${key}"${origin(key)}`;
        })
        .join('; ');
    }
    return `${file}: ${where || '(root)'}: ${issue.message}${origin(where)}`;
  });
}

export interface LoadConfigOptions {
  /** The flows (schemas, pipelines, secrets, services) and the gateway's services the config is checked against. */
  catalogue: BusCatalogue;
  configDir?: string;
  /**
   * bus.yaml's and routes.yaml's contents themselves, read instead of configDir's files (tests build them in memory);
   * the development overlay and the environment apply to them as to the files. configDir still anchors relative paths.
   */
  documents?: { bus: BusFileInput; routes: RoutesFileInput };
  env?: NodeJS.ProcessEnv;
  /**
   * False for tools that read the config without running the bus (a token for a client, the routes' queue names):
   * the secrets present are resolved, missing or refused ones are not reported. Default true: the bus's start.
   */
  checkSecrets?: boolean;
}

export function loadConfig(options: LoadConfigOptions): BusConfig {
  const { catalogue } = options;
  const flows = catalogue.flows;
  const rights = knownRights(catalogue);
  const env = options.env ?? process.env;
  const configDir = path.resolve(options.configDir ?? env.LGSP_CONFIG_DIR ?? 'config');
  const problems: string[] = [];

  const knownEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('LGSP_') || value === undefined) continue;
    if (key.startsWith(PATH_OVERRIDE_PREFIX) || key in ENV_OVERRIDES || ENV_PASSTHROUGH.has(key) || ENV_PASSTHROUGH_PATTERN.test(key) || ADAPTER_URL_PATTERN.test(key)) knownEnv[key] = value;
    else problems.push(`environment: unknown variable "${key}"`);
  }

  const profile = profileOf(env[PROFILE_ENV]);
  if (profile === null) problems.push(`environment: ${PROFILE_ENV} must be production or development, got "${env[PROFILE_ENV]}"`);
  const documents = options.documents;
  const busFile = documents ? 'bus.yaml (given in memory)' : path.join(configDir, 'bus.yaml');
  const routesFile = documents ? 'routes.yaml (given in memory)' : path.join(configDir, 'routes.yaml');
  // A copy: the environment overrides below write into it.
  let rawBus: Record<string, unknown> = documents ? structuredClone(documents.bus) : existsSync(busFile) ? readYaml(busFile) : {};
  const overlay = profile === 'development' ? developmentOverlayPath(configDir) : null;
  if (overlay) rawBus = mergeOverlay(rawBus, readYaml(overlay));
  if (!documents && !existsSync(routesFile)) problems.push(`${routesFile}: file not found`);
  const rawRoutes: Record<string, unknown> = documents ? structuredClone(documents.routes) : existsSync(routesFile) ? readYaml(routesFile) : { routes: [] };

  for (const [key, apply] of Object.entries(ENV_OVERRIDES)) {
    const value = knownEnv[key];
    if (value === undefined) continue;
    try {
      apply(rawBus, value);
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else throw error;
    }
  }

  const pathOverrides = applyPathOverrides(rawBus, knownEnv);
  problems.push(...pathOverrides.problems);

  for (const [key, value] of Object.entries(knownEnv)) {
    const match = ADAPTER_URL_PATTERN.exec(key);
    if (!match) continue;
    const name = match[1]!.toLowerCase().replace(/_/g, '-');
    const adapters = (rawBus.adapters ?? {}) as Record<string, unknown>;
    if (!(name in adapters)) problems.push(`environment: ${key} names no configured adapter "${name}"`);
    else set(rawBus, ['adapters', name, 'url'], value);
  }

  const bus = busFileSchema.safeParse(rawBus);
  if (!bus.success) problems.push(...describeIssues(busFile, bus.error, [], pathOverrides.applied));
  const routes = routesFileSchema.safeParse(rawRoutes);
  if (!routes.success) problems.push(...describeIssues(routesFile, routes.error));
  if (!bus.success || !routes.success || problems.length > 0) throw new ConfigError(problems);

  const resolved = routes.data.routes.map(
    (route): ResolvedRoute => ({
      ...route,
      retry: { ...bus.data.retry, ...route.retry },
      prefetch: route.prefetch ?? bus.data.transport.prefetch,
    }),
  );
  for (const [name, section] of Object.entries(bus.data.flows)) {
    const descriptor = flows[name];
    if (!descriptor) {
      problems.push(`${busFile}: unknown key "flows.${name}" (known flows: ${Object.keys(flows).join(', ') || 'none'})`);
      continue;
    }
    const parsed = descriptor.schema.safeParse(section ?? {});
    if (!parsed.success) {
      problems.push(...describeIssues(busFile, parsed.error, ['flows', name], pathOverrides.applied));
    } else {
      bus.data.flows[name] = parsed.data;
    }
  }
  problems.push(...crossCheck(bus.data, resolved, routesFile, catalogue, rights));
  if (problems.length > 0) throw new ConfigError(problems);
  const development = profile === 'development';
  const secretEnv = { ...process.env, ...env };
  problems.push(...productionProblems({ profile: development ? 'development' : 'production', config: bus.data, env: secretEnv }));
  const declarations = [
    ...coreSecrets(bus.data, development, problems),
    ...Object.entries(bus.data.flows).flatMap(([name, settings]) => flows[name]!.secrets(settings)),
  ];
  const { secrets, problems: secretProblems } = resolveSecrets(declarations, { env: secretEnv, development });
  if (options.checkSecrets !== false) problems.push(...secretProblems.map((p) => `${busFile}: ${p}`));
  if (problems.length > 0) throw new ConfigError(problems);

  const audit = { ...bus.data.audit, generateSigningKey: bus.data.audit.generateSigningKey ?? development };
  const services: OfferedService[] = [
    ...catalogue.gatewayServices.map((service) => ({ ...service, soapPath: null })),
    ...Object.entries(bus.data.flows).flatMap(([name, settings]) => {
      const flow = flows[name]!;
      return flow.services.map((service) => ({ ...service, soapPath: flow.soapPath(settings) }));
    }),
  ];
  return { ...bus.data, audit, configDir, development, routes: resolved, env: knownEnv, secrets, services, knownRights: rights };
}

/** Config paths of the bus's own secrets (flows declare theirs in their descriptors). */
export const CORE_SECRETS = {
  sharedClientKey: 'auth.signingKeyEnv',
  adminSessionKey: 'auth.adminSessionKeyEnv',
  auditEncryptionKey: 'audit.personalData.encryptionKeyEnv',
  clientKey: (client: number, key: number) => `clients.${client}.keys.${key}.secretEnv`,
  adapterToken: (adapter: string) => `adapters.${adapter}.tokenEnv`,
} as const;

/** The secrets bus.yaml's own sections name. A setting that needs a secret but names none is reported in `problems`. */
function coreSecrets(bus: BusFileConfig, development: boolean, problems: string[]): SecretDeclaration[] {
  const declarations: SecretDeclaration[] = [
    // Optional: clients may all have keys of their own. In development the development key stands in.
    {
      path: CORE_SECRETS.sharedClientKey,
      ref: { env: bus.auth.signingKeyEnv, ...(development && bus.auth.developmentSigningKey !== undefined ? { value: bus.auth.developmentSigningKey } : {}) },
      required: false,
    },
    // Required in production when admins exist; the development profile makes a random key per process without one.
    { path: CORE_SECRETS.adminSessionKey, ref: { env: bus.auth.adminSessionKeyEnv }, required: !development && bus.admins.length > 0 },
  ];
  bus.clients.forEach((client, i) =>
    client.keys.forEach((key, j) => {
      if (key.secretEnv !== undefined) declarations.push({ path: CORE_SECRETS.clientKey(i, j), ref: { env: key.secretEnv }, minBytes: 32 });
    }),
  );
  const personalData = bus.audit.personalData;
  if (personalData.encryptionKeyEnv !== undefined) {
    declarations.push({ path: CORE_SECRETS.auditEncryptionKey, ref: { env: personalData.encryptionKeyEnv }, required: personalData.mode === 'encrypt' });
  } else if (personalData.mode === 'encrypt') {
    problems.push(`bus.yaml: audit.personalData.encryptionKeyEnv: required for mode encrypt`);
  }
  for (const [name, adapter] of Object.entries(bus.adapters)) {
    if (adapter.tokenEnv !== undefined) declarations.push({ path: CORE_SECRETS.adapterToken(name), ref: { env: adapter.tokenEnv } });
  }
  return declarations;
}

function crossCheck(bus: BusFileConfig, routes: ResolvedRoute[], routesFile: string, catalogue: BusCatalogue, rights: readonly string[]): string[] {
  const problems: string[] = [];
  const enabled = Object.keys(bus.flows).map((name) => catalogue.flows[name]).filter((d) => d !== undefined);
  const pipelines = new Set(enabled.flatMap((d) => d.pipelines));
  const adapters = new Set(Object.keys(bus.adapters));
  if (bus.transport.amqpUrl !== null && bus.transport.amqpUrls !== undefined) {
    problems.push('transport: give amqpUrl (one broker) or amqpUrls (the nodes of a cluster), not both');
  }
  const seen = new Set<string>();
  routes.forEach((route, i) => {
    if (seen.has(route.name)) problems.push(`${routesFile}: routes.${i}.name: duplicate route "${route.name}"`);
    seen.add(route.name);
    if (route.pipeline !== undefined && !pipelines.has(route.pipeline)) {
      problems.push(`${routesFile}: routes.${i}.pipeline: no enabled flow defines a pipeline "${route.pipeline}" (defined: ${[...pipelines].join(', ') || 'none'})`);
    }
    const steps = route.steps ?? [];
    steps.forEach((step, j) => {
      if (step.kind === 'deliver' && !adapters.has(step.adapter)) problems.push(`${routesFile}: routes.${i}.steps.${j}.adapter: no adapter named "${step.adapter}" in bus.yaml adapters`);
    });
    if (route.steps !== undefined && (steps.filter((s) => s.kind === 'deliver').length !== 1 || steps[steps.length - 1]!.kind !== 'deliver')) {
      problems.push(`${routesFile}: routes.${i}.steps: a generic route's steps are validate steps, then one deliver`);
    }
    if (route.retry.maxDelayMs < route.retry.initialDelayMs) {
      problems.push(`${routesFile}: routes.${i}.retry: maxDelayMs is smaller than initialDelayMs`);
    }
    route.when.forEach((cond, j) => {
      if (cond.matches !== undefined) {
        try {
          new RegExp(cond.matches);
        } catch {
          problems.push(`${routesFile}: routes.${i}.when.${j}.matches: not a valid regular expression`);
        }
      }
    });
  });
  problems.push(...effectWindowProblems(bus, routes, routesFile));
  const clientIds = new Set(bus.clients.map((c) => c.id));
  problems.push(...accessProblems(bus, rights));
  routes.forEach((route, i) =>
    route.clients.forEach((client) => {
      if (client !== '*' && !clientIds.has(client)) problems.push(`${routesFile}: routes.${i}.clients: unknown client "${client}"`);
    }),
  );
  return problems;
}

const DAY_MS = 86_400_000;

/**
 * Time an effect record must outlive the longest retry age: a redelivery after a lost acknowledgement (lease, broker
 * redelivery), instances whose clocks differ, and the pruning interval all fall well within it.
 */
export const EFFECT_WINDOW_MARGIN_MS = DAY_MS;

/**
 * The effect window must cover every retry: a message is retried until it has been failing for retry.maxAgeMs, and a
 * retry whose effect record was pruned would reach its upstream a second time.
 */
function effectWindowProblems(bus: BusFileConfig, routes: ResolvedRoute[], routesFile: string): string[] {
  const longest = routes.reduce<ResolvedRoute | null>((found, route) => (found === null || route.retry.maxAgeMs > found.retry.maxAgeMs ? route : found), null);
  const longestAgeMs = longest?.retry.maxAgeMs ?? bus.retry.maxAgeMs;
  const windowMs = bus.retention.effectRecordsDays * DAY_MS;
  if (windowMs >= longestAgeMs + EFFECT_WINDOW_MARGIN_MS) return [];
  const days = (ms: number) => Number((ms / DAY_MS).toFixed(2));
  const where = longest ? `route "${longest.name}" (${routesFile})` : 'bus.yaml retry';
  return [
    `bus.yaml: retention.effectRecordsDays: ${bus.retention.effectRecordsDays} days is too short: ${where} retries a message for up to ` +
      `${days(longestAgeMs)} days (retry.maxAgeMs ${longestAgeMs}), and a retry after its effect record is pruned would reach the upstream again; ` +
      `keep effect records at least ${Math.ceil(days(longestAgeMs + EFFECT_WINDOW_MARGIN_MS))} days (retry.maxAgeMs plus ${days(EFFECT_WINDOW_MARGIN_MS)} day) or lower retry.maxAgeMs`,
  ];
}

/** Rights, groups, keys and throttles of the clients: names that exist, kids and member ids used once. */
function accessProblems(bus: BusFileConfig, rights: readonly string[]): string[] {
  const problems: string[] = [];
  const rightProblem = (where: string, pattern: string) => {
    if (!rights.some((right) => rightMatches(pattern, right))) problems.push(`bus.yaml: ${where}: unknown right "${pattern}" (known: ${rights.join(', ')})`);
  };
  for (const [name, group] of Object.entries(bus.groups)) group.rights.forEach((r) => rightProblem(`groups.${name}.rights`, r));
  const kids = new Map<string, string>();
  const members = new Map<string, string>();
  bus.clients.forEach((client, i) => {
    if (client.member) {
      const member = formatMemberId(client.member);
      const owner = members.get(member);
      if (owner !== undefined) problems.push(`bus.yaml: clients.${i}.member: "${member}" is already the member id of ${owner}`);
      members.set(member, client.id);
    }
    client.rights.forEach((r) => rightProblem(`clients.${i}.rights`, r));
    client.groups.forEach((g) => {
      if (!(g in bus.groups)) problems.push(`bus.yaml: clients.${i}.groups: unknown group "${g}"`);
    });
    client.keys.forEach((key, j) => {
      const owner = kids.get(key.kid);
      if (owner !== undefined) problems.push(`bus.yaml: clients.${i}.keys.${j}.kid: "${key.kid}" is already a key of ${owner}`);
      kids.set(key.kid, client.id);
    });
    for (const service of Object.keys(client.throttle?.services ?? {})) {
      if (!rights.includes(service)) problems.push(`bus.yaml: clients.${i}.throttle.services: unknown right "${service}"`);
    }
  });
  return problems;
}
