// Config is validated at start: unknown keys, bad values and dangling references stop the bus with their names.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { brokerUrls } from '../../../src/config/broker-addresses';
import { ConfigError, loadConfig } from '../../../src/config/load-config';
import { BUS_CATALOGUE, loadBusConfig } from '../../../src/bus-config';
import { SHIPPED_FLOW_SECRET_ENV as SHIPPED_SECRETS } from '../../../testkit/production-secrets';

const repoConfig = path.resolve(__dirname, '../../../config');

function configDirWith(busYaml: string, routesYaml = readFileSync(path.join(repoConfig, 'routes.yaml'), 'utf8')): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-config-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'bus.yaml'), busYaml);
  writeFileSync(path.join(dir, 'routes.yaml'), routesYaml);
  return dir;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const shippedBus = readFileSync(path.join(repoConfig, 'bus.yaml'), 'utf8');

describe('loadConfig', () => {
  test('the shipped demo config is valid', () => {
    const config = loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS } });
    expect(config.routes.map((r) => r.name)).toEqual(expect.arrayContaining(['dossier-sync', 'dossier-progress']));
    expect(config.routes[0]!.retry.maxAttempts).toBe(8);
    expect(config.transport.amqpUrl).toBeNull();
  });

  test('every missing secret of the bus and its flows is named in one error, by config path and variable, never by value', () => {
    const { DVCQG_PASSWORD, ...others } = SHIPPED_SECRETS;
    expect(problemsOf(() => loadBusConfig({ configDir: repoConfig, env: {} }))).toEqual([
      expect.stringContaining('flows.dossier.dvcqg.password: environment variable DVCQG_PASSWORD is not set'),
      expect.stringContaining('flows.dossier.population.secretKey: environment variable POPULATION_SECRET_KEY is not set'),
      expect.stringContaining('flows.dossier.population.apiKey: environment variable POPULATION_API_KEY is not set'),
      expect.stringContaining('flows.edoc.axis.secret: environment variable EDOC_AXIS_SECRET is not set'),
      expect.stringContaining('flows.edoc.organs.000.00.03.H10.pushToken: environment variable QLVB_BUDANG_PUSH_TOKEN is not set'),
    ]);
    const oneMissing = problemsOf(() => loadBusConfig({ configDir: repoConfig, env: others }));
    expect(oneMissing).toEqual([expect.stringContaining('flows.dossier.dvcqg.password: environment variable DVCQG_PASSWORD is not set')]);
    expect(oneMissing.join('\n')).not.toContain(others.EDOC_AXIS_SECRET);
    expect(loadBusConfig({ configDir: repoConfig, env: { DVCQG_PASSWORD, ...others } }).secrets.get('flows.dossier.dvcqg.password')).toBe(DVCQG_PASSWORD);
  });

  test('e-document secrets are secret references: a file is read, a missing file or variable named by config path, the old variable-name keys refused', () => {
    const bus = YAML.parse(shippedBus) as { flows: { edoc: { axis: Record<string, unknown>; organs: Record<string, Record<string, unknown>> } } };
    const dir = configDirWith('');
    const axisFile = path.join(dir, 'axis-secret');
    writeFileSync(axisFile, 'axis-secret-from-a-mounted-file\n');
    bus.flows.edoc.axis.secret = { file: axisFile };
    bus.flows.edoc.organs['000.00.03.H10']!.pushToken = { file: path.join(dir, 'no-such-token') };
    writeFileSync(path.join(dir, 'bus.yaml'), YAML.stringify(bus));
    expect(problemsOf(() => loadBusConfig({ configDir: dir, env: { ...SHIPPED_SECRETS } }))).toEqual([
      expect.stringMatching(/flows\.edoc\.organs\.000\.00\.03\.H10\.pushToken: file .*no-such-token cannot be read \(ENOENT\)/),
    ]);
    writeFileSync(path.join(dir, 'no-such-token'), 'push-token-from-a-file');
    const config = loadBusConfig({ configDir: dir, env: {}, checkSecrets: false });
    expect(config.secrets.get('flows.edoc.axis.secret')).toBe('axis-secret-from-a-mounted-file');
    expect(config.secrets.get('flows.edoc.organs.000.00.03.H10.pushToken')).toBe('push-token-from-a-file');

    const old = YAML.parse(shippedBus) as typeof bus;
    old.flows.edoc.axis = { ...old.flows.edoc.axis, secret: undefined, secretEnv: 'EDOC_AXIS_SECRET' };
    old.flows.edoc.organs['000.00.03.H10'] = { ...old.flows.edoc.organs['000.00.03.H10'], pushToken: undefined, pushTokenEnv: 'QLVB_BUDANG_PUSH_TOKEN' };
    const problems = problemsOf(() => loadBusConfig({ configDir: configDirWith(YAML.stringify(old)), env: { ...SHIPPED_SECRETS } })).join('\n');
    expect(problems).toMatch(/flows\.edoc\.axis\.secretEnv: .*write secret: \{ env: NAME \}/);
    expect(problems).toMatch(/flows\.edoc\.organs\.000\.00\.03\.H10\.pushTokenEnv: .*write pushToken: \{ env: NAME \}/);
  });

  test('the core secrets are resolved too: an HS256 client key, an adapter token, the audit encryption key', () => {
    const bus = YAML.parse(shippedBus) as { clients: { keys?: unknown[] }[]; adapters: unknown; audit: { personalData: unknown } };
    bus.clients[0]!.keys = [{ kid: 'motcua-hs', alg: 'HS256', secretEnv: 'MOTCUA_HS_KEY' }];
    bus.adapters = { 'hook-a': { kind: 'http-push', url: 'http://127.0.0.1:9/hook', tokenEnv: 'HOOK_A_TOKEN' } };
    bus.audit.personalData = { mode: 'encrypt', encryptionKeyEnv: 'AUDIT_PD_KEY' };
    const dir = configDirWith(YAML.stringify(bus));
    expect(problemsOf(() => loadBusConfig({ configDir: dir, env: { ...SHIPPED_SECRETS, MOTCUA_HS_KEY: 'short' } }))).toEqual([
      expect.stringContaining('clients.0.keys.0.secretEnv: environment variable MOTCUA_HS_KEY must hold at least 32 bytes'),
      expect.stringContaining('audit.personalData.encryptionKeyEnv: environment variable AUDIT_PD_KEY is not set'),
      expect.stringContaining('adapters.hook-a.tokenEnv: environment variable HOOK_A_TOKEN is not set'),
    ]);
  });

  test('the rights a client may be granted are those the catalogue handed in declares, not a list in src/config', () => {
    const bus = YAML.parse(shippedBus) as { clients: { rights?: string[] }[] };
    bus.clients[0]!.rights = ['pets.feed'];
    const dir = configDirWith(YAML.stringify(bus));
    expect(problemsOf(() => loadBusConfig({ configDir: dir, env: { ...SHIPPED_SECRETS } })).join('\n')).toContain('clients.0.rights: unknown right "pets.feed"');
    const pets = { code: 'pets', title: 'Pets', contract: 'bus-api', wsdl: null, endpoints: [{ right: 'pets.feed', protocol: 'rest' as const, method: 'POST' as const, path: '/pets' }] };
    const catalogue = { ...BUS_CATALOGUE, gatewayServices: [...BUS_CATALOGUE.gatewayServices, pets] };
    const config = loadConfig({ catalogue, configDir: dir, env: { ...SHIPPED_SECRETS } });
    expect(config.knownRights).toContain('pets.feed');
    expect(config.services.map((service) => service.code)).toEqual(['message', 'pets', 'dossier', 'procedure', 'citizen', 'edoc']);
    expect(config.services.find((service) => service.code === 'edoc')!.soapPath).toBe('/soap/edoc');
    const withoutEdoc = { ...BUS_CATALOGUE, flows: { dossier: BUS_CATALOGUE.flows.dossier! } };
    expect(problemsOf(() => loadConfig({ catalogue: withoutEdoc, configDir: repoConfig, env: { ...SHIPPED_SECRETS } })).join('\n')).toContain('unknown key "flows.edoc"');
  });

  test('an unknown key in bus.yaml is named', () => {
    const dir = configDirWith(shippedBus.replace('  prefetch: 20', '  prefetch: 20\n  prefech: 100'));
    expect(problemsOf(() => loadBusConfig({ configDir: dir, env: { ...SHIPPED_SECRETS } }))).toEqual([expect.stringContaining('unknown key "transport.prefech"')]);
  });

  test('an unknown LGSP_ environment variable is named', () => {
    expect(problemsOf(() => loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS, LGSP_AMQP_ULR: 'amqp://x' } }))).toEqual([
      'environment: unknown variable "LGSP_AMQP_ULR"',
    ]);
  });

  test('environment overrides win over the file and are validated', () => {
    const config = loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS, LGSP_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672', LGSP_PREFETCH: '150' } });
    expect(config.transport.amqpUrl).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(config.transport.prefetch).toBe(150);
    expect(problemsOf(() => loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS, LGSP_PREFETCH: 'many' } }))[0]).toContain('LGSP_PREFETCH');
    expect(problemsOf(() => loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS, LGSP_AMQP_URL: 'http://x' } }))[0]).toContain('transport.amqpUrl');
  });

  test('transport.amqpUrls names the nodes of a cluster; LGSP_AMQP_URLS (comma-separated) or LGSP_AMQP_URL replaces both keys', () => {
    const nodes = ['amqp://guest:guest@127.0.0.1:5681', 'amqp://guest:guest@127.0.0.1:5682', 'amqp://guest:guest@127.0.0.1:5683'];
    const clustered = configDirWith(shippedBus.replace('  amqpUrl: null', `  amqpUrls: [${nodes.join(', ')}]`));
    const fromFile = loadBusConfig({ configDir: clustered, env: { ...SHIPPED_SECRETS } });
    expect(brokerUrls(fromFile.transport)).toEqual(nodes);
    expect(fromFile.transport.quorumInitialGroupSize).toBeUndefined();
    const single = loadBusConfig({ configDir: clustered, env: { ...SHIPPED_SECRETS, LGSP_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672' } });
    expect(brokerUrls(single.transport)).toEqual(['amqp://guest:guest@127.0.0.1:5672']);
    const fromEnv = loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS, LGSP_AMQP_URLS: ` ${nodes[0]}, ${nodes[1]},${nodes[2]} ` } });
    expect(fromEnv.transport.amqpUrl).toBeNull();
    expect(brokerUrls(fromEnv.transport)).toEqual(nodes);
    expect(brokerUrls(loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS } }).transport)).toEqual([]);
    expect(problemsOf(() => loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS, LGSP_AMQP_URLS: 'amqp://a,http://b' } }))[0]).toContain('transport.amqpUrls');
    const both = configDirWith(shippedBus.replace('  amqpUrl: null', `  amqpUrl: ${nodes[0]}\n  amqpUrls: [${nodes[1]}]`));
    expect(problemsOf(() => loadBusConfig({ configDir: both, env: { ...SHIPPED_SECRETS } }))).toEqual([expect.stringContaining('not both')]);
  });

  test('http.publicBaseUrl: optional, from LGSP_HTTP_PUBLIC_BASE_URL too, an absolute http(s) URL without a trailing slash', () => {
    expect(loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS } }).http.publicBaseUrl).toBeUndefined();
    const fromEnv = loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS, LGSP_HTTP_PUBLIC_BASE_URL: 'https://lgsp.binhphuoc.gov.vn/bus/' } });
    expect(fromEnv.http.publicBaseUrl).toBe('https://lgsp.binhphuoc.gov.vn/bus');
    expect(loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS, LGSP_HTTP_PUBLIC_BASE_URL: '' } }).http.publicBaseUrl).toBeUndefined();
    for (const bad of ['/bus', 'lgsp.binhphuoc.gov.vn', 'ftp://lgsp.binhphuoc.gov.vn', 'https://user:pw@lgsp.binhphuoc.gov.vn', 'https://lgsp.binhphuoc.gov.vn/?x=1']) {
      expect(problemsOf(() => loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_SECRETS, LGSP_HTTP_PUBLIC_BASE_URL: bad } }))[0]).toContain('http.publicBaseUrl');
    }
  });

  test('a route naming a missing adapter, a bad regex and an unknown client are all reported', () => {
    const routes = `routes:
  - name: broken
    types: [notice.push]
    clients: [nobody]
    when: [{ field: destination, matches: '([' }]
    steps: [{ kind: deliver, adapter: missing }]
`;
    const problems = problemsOf(() => loadBusConfig({ configDir: configDirWith(shippedBus, routes), env: { ...SHIPPED_SECRETS } }));
    expect(problems.join('\n')).toMatch(/steps\.0\.adapter: no adapter named "missing"/);
    expect(problems.join('\n')).toMatch(/when\.0\.matches: not a valid regular expression/);
    expect(problems.join('\n')).toMatch(/clients: unknown client "nobody"/);
  });

  test('an unknown route key, a pipeline no flow defines, and a route with both a pipeline and steps are named', () => {
    const shippedRoutes = readFileSync(path.join(repoConfig, 'routes.yaml'), 'utf8');
    const typo = shippedRoutes.replace('    pipeline: dossier-sync', '    pipeline: dossier-sync\n    pipline: x');
    expect(problemsOf(() => loadBusConfig({ configDir: configDirWith(shippedBus, typo), env: { ...SHIPPED_SECRETS } })).join('\n')).toContain('unknown key "routes.0.pipline"');
    const missing = shippedRoutes.replace('    pipeline: dossier-sync', '    pipeline: dossier-sinc');
    expect(problemsOf(() => loadBusConfig({ configDir: configDirWith(shippedBus, missing), env: { ...SHIPPED_SECRETS } })).join('\n')).toMatch(/routes\.0\.pipeline: no enabled flow defines a pipeline "dossier-sinc"/);
    const both = shippedRoutes.replace('    pipeline: dossier-sync', '    pipeline: dossier-sync\n    steps: [{ kind: validate, schema: {} }]');
    expect(problemsOf(() => loadBusConfig({ configDir: configDirWith(shippedBus, both), env: { ...SHIPPED_SECRETS } })).join('\n')).toContain('a route names a pipeline or lists generic steps, not both');
  });

  test('the bus process refuses to start on a bad key and names it', () => {
    const main = path.resolve(__dirname, '../../../dist/src/cli/start.js');
    execFileSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(main)})`]);
    const dir = configDirWith(shippedBus.replace('logging:\n  level: info', 'logging:\n  level: info\n  colour: true'));
    const result = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, LGSP_CONFIG_DIR: dir, LGSP_SIMULATORS: 'off' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown key "logging.colour"');
  });

  test('the shipped clients carry member ids, parsed into their parts', () => {
    const config = loadBusConfig({ configDir: configDirWith(shippedBus), env: { ...SHIPPED_SECRETS } });
    expect(config.clients.find((c) => c.id === 'motcua-binhphuoc')?.member).toEqual({ instance: 'VN', memberClass: 'GOV', memberCode: '000.00.00.H10', subsystem: 'MOTCUA' });
  });

  test('unknown rights, groups and throttled services, a twice-used kid, a twice-used or malformed member id and an HS256 key without secretEnv are named', () => {
    const bus = shippedBus.replace(
      '    groups: [qlvb]\n',
      `    groups: [qlvb, nosuchgroup]
    rights: [edoc.sned]
    throttle: { rate: 1, services: { dossier.submitt: { rate: 1 } } }
    keys:
      - { kid: k1, alg: HS256, secretEnv: A_SECRET }
      - { kid: k1, alg: HS256, secretEnv: B_SECRET }
`,
    );
    const problems = problemsOf(() => loadBusConfig({ configDir: configDirWith(bus), env: { ...SHIPPED_SECRETS } })).join('\n');
    expect(problems).toMatch(/clients\.1\.rights: unknown right "edoc\.sned"/);
    expect(problems).toMatch(/clients\.1\.groups: unknown group "nosuchgroup"/);
    expect(problems).toMatch(/throttle\.services: unknown right "dossier\.submitt"/);
    expect(problems).toMatch(/keys\.1\.kid: "k1" is already a key of qlvb-dongxoai/);
    const twiceMember = shippedBus.replace('    member: VN/GOV/000.00.02.H10/QLVB\n', '    member: VN/GOV/000.00.01.H10/QLVB\n');
    expect(problemsOf(() => loadBusConfig({ configDir: configDirWith(twiceMember), env: { ...SHIPPED_SECRETS } })).join('\n')).toMatch(/clients\.2\.member: "VN\/GOV\/000\.00\.01\.H10\/QLVB" is already the member id of qlvb-dongxoai/);
    const badMember = shippedBus.replace('    member: VN/GOV/000.00.02.H10/QLVB\n', '    member: VN/GOV\n');
    expect(problemsOf(() => loadBusConfig({ configDir: configDirWith(badMember), env: { ...SHIPPED_SECRETS } })).join('\n')).toMatch(/clients\.2\.member: a member id is INSTANCE/);
    const noSecret = shippedBus.replace('    groups: [qlvb]\n', '    groups: [qlvb]\n    keys: [{ kid: k1, alg: HS256 }]\n');
    expect(problemsOf(() => loadBusConfig({ configDir: configDirWith(noSecret), env: { ...SHIPPED_SECRETS } })).join('\n')).toMatch(/HS256 keys need secretEnv/);
  });

  test('retention: defaults documented in the schema; an effect window shorter than the longest retry age plus a day is refused', () => {
    const withoutRetention = shippedBus.replace(/^retention:\n(  .*\n)+/m, '');
    expect(withoutRetention).not.toMatch(/^retention:/m);
    expect(loadBusConfig({ configDir: configDirWith(withoutRetention), env: { ...SHIPPED_SECRETS } }).retention).toEqual({ idempotencyKeysDays: 30, effectRecordsDays: 30, intervalMs: 3_600_000, batchSize: 1000 });

    // retry.maxAgeMs 7 days: 8 days of effect records is enough, 7 is not.
    const effectDays = (days: number) => shippedBus.replace('  effectRecordsDays: 30', `  effectRecordsDays: ${days}`);
    expect(loadBusConfig({ configDir: configDirWith(effectDays(8)), env: { ...SHIPPED_SECRETS } }).retention.effectRecordsDays).toBe(8);
    expect(problemsOf(() => loadBusConfig({ configDir: configDirWith(effectDays(7)), env: { ...SHIPPED_SECRETS } }))).toEqual([
      expect.stringMatching(/retention\.effectRecordsDays: 7 days is too short: route "[a-z-]+" .* retries a message for up to 7 days .* keep effect records at least 8 days/),
    ]);

    // One route retrying for 40 days needs 41 days of effect records, whatever the bus-wide retry says.
    const routes = readFileSync(path.join(repoConfig, 'routes.yaml'), 'utf8');
    const longRetry = YAML.parse(routes) as { routes: { name: string; retry?: Record<string, number> }[] };
    longRetry.routes[0]!.retry = { ...longRetry.routes[0]!.retry, maxAgeMs: 40 * 86_400_000 };
    const problems = problemsOf(() => loadBusConfig({ configDir: configDirWith(shippedBus, YAML.stringify(longRetry)), env: { ...SHIPPED_SECRETS } }));
    expect(problems).toEqual([expect.stringContaining(`route "${longRetry.routes[0]!.name}"`)]);
    expect(problems[0]).toMatch(/at least 41 days/);
    expect(problemsOf(() => loadBusConfig({ configDir: configDirWith(shippedBus.replace('  idempotencyKeysDays: 30', '  idempotencyKeysDays: 0')), env: { ...SHIPPED_SECRETS } }))).toEqual([
      expect.stringContaining('retention.idempotencyKeysDays'),
    ]);
  });
});
