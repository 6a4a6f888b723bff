// Config is validated at start: unknown keys, bad values and dangling references stop the bus with their names.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brokerUrls } from '../../../src/config/broker-addresses';
import { ConfigError, loadConfig } from '../../../src/config/load-config';

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
    const config = loadConfig({ configDir: repoConfig, env: {} });
    expect(config.routes.map((r) => r.name)).toEqual(expect.arrayContaining(['dossier-sync', 'dossier-progress']));
    expect(config.routes[0]!.retry.maxAttempts).toBe(8);
    expect(config.transport.amqpUrl).toBeNull();
  });

  test('an unknown key in bus.yaml is named', () => {
    const dir = configDirWith(shippedBus.replace('  prefetch: 20', '  prefetch: 20\n  prefech: 100'));
    expect(problemsOf(() => loadConfig({ configDir: dir, env: {} }))).toEqual([expect.stringContaining('unknown key "transport.prefech"')]);
  });

  test('an unknown LGSP_ environment variable is named', () => {
    expect(problemsOf(() => loadConfig({ configDir: repoConfig, env: { LGSP_AMQP_ULR: 'amqp://x' } }))).toEqual([
      'environment: unknown variable "LGSP_AMQP_ULR"',
    ]);
  });

  test('environment overrides win over the file and are validated', () => {
    const config = loadConfig({ configDir: repoConfig, env: { LGSP_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672', LGSP_PREFETCH: '150' } });
    expect(config.transport.amqpUrl).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(config.transport.prefetch).toBe(150);
    expect(problemsOf(() => loadConfig({ configDir: repoConfig, env: { LGSP_PREFETCH: 'many' } }))[0]).toContain('LGSP_PREFETCH');
    expect(problemsOf(() => loadConfig({ configDir: repoConfig, env: { LGSP_AMQP_URL: 'http://x' } }))[0]).toContain('transport.amqpUrl');
  });

  test('transport.amqpUrls names the nodes of a cluster; LGSP_AMQP_URLS (comma-separated) or LGSP_AMQP_URL replaces both keys', () => {
    const nodes = ['amqp://guest:guest@127.0.0.1:5681', 'amqp://guest:guest@127.0.0.1:5682', 'amqp://guest:guest@127.0.0.1:5683'];
    const clustered = configDirWith(shippedBus.replace('  amqpUrl: null', `  amqpUrls: [${nodes.join(', ')}]`));
    const fromFile = loadConfig({ configDir: clustered, env: {} });
    expect(brokerUrls(fromFile.transport)).toEqual(nodes);
    expect(fromFile.transport.quorumInitialGroupSize).toBeUndefined();
    const single = loadConfig({ configDir: clustered, env: { LGSP_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672' } });
    expect(brokerUrls(single.transport)).toEqual(['amqp://guest:guest@127.0.0.1:5672']);
    const fromEnv = loadConfig({ configDir: repoConfig, env: { LGSP_AMQP_URLS: ` ${nodes[0]}, ${nodes[1]},${nodes[2]} ` } });
    expect(fromEnv.transport.amqpUrl).toBeNull();
    expect(brokerUrls(fromEnv.transport)).toEqual(nodes);
    expect(brokerUrls(loadConfig({ configDir: repoConfig, env: {} }).transport)).toEqual([]);
    expect(problemsOf(() => loadConfig({ configDir: repoConfig, env: { LGSP_AMQP_URLS: 'amqp://a,http://b' } }))[0]).toContain('transport.amqpUrls');
    const both = configDirWith(shippedBus.replace('  amqpUrl: null', `  amqpUrl: ${nodes[0]}\n  amqpUrls: [${nodes[1]}]`));
    expect(problemsOf(() => loadConfig({ configDir: both, env: {} }))).toEqual([expect.stringContaining('not both')]);
  });

  test('http.publicBaseUrl: optional, from LGSP_HTTP_PUBLIC_BASE_URL too, an absolute http(s) URL without a trailing slash', () => {
    expect(loadConfig({ configDir: repoConfig, env: {} }).http.publicBaseUrl).toBeUndefined();
    const fromEnv = loadConfig({ configDir: repoConfig, env: { LGSP_HTTP_PUBLIC_BASE_URL: 'https://lgsp.binhphuoc.gov.vn/bus/' } });
    expect(fromEnv.http.publicBaseUrl).toBe('https://lgsp.binhphuoc.gov.vn/bus');
    expect(loadConfig({ configDir: repoConfig, env: { LGSP_HTTP_PUBLIC_BASE_URL: '' } }).http.publicBaseUrl).toBeUndefined();
    for (const bad of ['/bus', 'lgsp.binhphuoc.gov.vn', 'ftp://lgsp.binhphuoc.gov.vn', 'https://user:pw@lgsp.binhphuoc.gov.vn', 'https://lgsp.binhphuoc.gov.vn/?x=1']) {
      expect(problemsOf(() => loadConfig({ configDir: repoConfig, env: { LGSP_HTTP_PUBLIC_BASE_URL: bad } }))[0]).toContain('http.publicBaseUrl');
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
    const problems = problemsOf(() => loadConfig({ configDir: configDirWith(shippedBus, routes), env: {} }));
    expect(problems.join('\n')).toMatch(/steps\.0\.adapter: no adapter named "missing"/);
    expect(problems.join('\n')).toMatch(/when\.0\.matches: not a valid regular expression/);
    expect(problems.join('\n')).toMatch(/clients: unknown client "nobody"/);
  });

  test('an unknown route key, a pipeline no flow defines, and a route with both a pipeline and steps are named', () => {
    const shippedRoutes = readFileSync(path.join(repoConfig, 'routes.yaml'), 'utf8');
    const typo = shippedRoutes.replace('    pipeline: dossier-sync', '    pipeline: dossier-sync\n    pipline: x');
    expect(problemsOf(() => loadConfig({ configDir: configDirWith(shippedBus, typo), env: {} })).join('\n')).toContain('unknown key "routes.0.pipline"');
    const missing = shippedRoutes.replace('    pipeline: dossier-sync', '    pipeline: dossier-sinc');
    expect(problemsOf(() => loadConfig({ configDir: configDirWith(shippedBus, missing), env: {} })).join('\n')).toMatch(/routes\.0\.pipeline: no enabled flow defines a pipeline "dossier-sinc"/);
    const both = shippedRoutes.replace('    pipeline: dossier-sync', '    pipeline: dossier-sync\n    steps: [{ kind: validate, schema: {} }]');
    expect(problemsOf(() => loadConfig({ configDir: configDirWith(shippedBus, both), env: {} })).join('\n')).toContain('a route names a pipeline or lists generic steps, not both');
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
    const config = loadConfig({ configDir: configDirWith(shippedBus), env: {} });
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
    const problems = problemsOf(() => loadConfig({ configDir: configDirWith(bus), env: {} })).join('\n');
    expect(problems).toMatch(/clients\.1\.rights: unknown right "edoc\.sned"/);
    expect(problems).toMatch(/clients\.1\.groups: unknown group "nosuchgroup"/);
    expect(problems).toMatch(/throttle\.services: unknown right "dossier\.submitt"/);
    expect(problems).toMatch(/keys\.1\.kid: "k1" is already a key of qlvb-dongxoai/);
    const twiceMember = shippedBus.replace('    member: VN/GOV/000.00.02.H10/QLVB\n', '    member: VN/GOV/000.00.01.H10/QLVB\n');
    expect(problemsOf(() => loadConfig({ configDir: configDirWith(twiceMember), env: {} })).join('\n')).toMatch(/clients\.2\.member: "VN\/GOV\/000\.00\.01\.H10\/QLVB" is already the member id of qlvb-dongxoai/);
    const badMember = shippedBus.replace('    member: VN/GOV/000.00.02.H10/QLVB\n', '    member: VN/GOV\n');
    expect(problemsOf(() => loadConfig({ configDir: configDirWith(badMember), env: {} })).join('\n')).toMatch(/clients\.2\.member: a member id is INSTANCE/);
    const noSecret = shippedBus.replace('    groups: [qlvb]\n', '    groups: [qlvb]\n    keys: [{ kid: k1, alg: HS256 }]\n');
    expect(problemsOf(() => loadConfig({ configDir: configDirWith(noSecret), env: {} })).join('\n')).toMatch(/HS256 keys need secretEnv/);
  });
});
