// Production never runs on demo secrets: the production profile (the default) refuses to start, exit 2 naming the
// setting, with the development key, an admin whose password is the published demo one, a generated audit key, inline
// secrets, or an admin console without a session key of its own; the development profile is explicit and refuses
// NODE_ENV=production. Started as `npm start`'s production twin would be, the shipped config accepts no demo sign-in.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { openBusAudit } from '../../../src/audit/open-bus-audit';
import { ConfigError } from '../../../src/config/load-config';
import { loadBusConfig } from '../../../src/bus-config';
import { mergeOverlay } from '../../../src/config/deployment-profile';
import { DEMO_ADMIN_PASSWORD } from '../../../src/config/production-guard';
import { hashPassword } from '../../../src/core/password-hash';
import { DEVELOPMENT_PROFILE, waitFor } from '../../../testkit/env';
import { PRODUCTION_SECRET_ENV, SHIPPED_FLOW_SECRET_ENV, writeAuditSigningKey } from '../../../testkit/production-secrets';

const repoConfig = path.resolve(__dirname, '../../../config');
const START = path.resolve(__dirname, '../../../dist/src/cli/start.js');
const shippedBus = (): Record<string, unknown> => YAML.parse(readFileSync(path.join(repoConfig, 'bus.yaml'), 'utf8')) as Record<string, unknown>;
const overlay = (): Record<string, unknown> => YAML.parse(readFileSync(path.join(repoConfig, 'bus.development.yaml'), 'utf8')) as Record<string, unknown>;
const SESSION_KEY = 'a-session-key-of-its-own-0123456789abcdef';

/** A config dir holding `bus` as bus.yaml (port 0, a data dir of its own) and the shipped routes. */
function configDirWith(bus: Record<string, unknown>): { configDir: string; dataDir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-profile-'));
  const configDir = path.join(dir, 'config');
  const dataDir = path.join(dir, 'data');
  mkdirSync(configDir);
  writeFileSync(path.join(configDir, 'bus.yaml'), YAML.stringify({ ...bus, http: { host: '127.0.0.1', port: 0 }, stores: { dataDir, databaseUrl: null }, logging: { level: 'warn' } }));
  writeFileSync(path.join(configDir, 'routes.yaml'), readFileSync(path.join(repoConfig, 'routes.yaml')));
  return { configDir, dataDir };
}

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** Runs the production entry point until it exits (a refusal) or the timeout. */
function startProcess(configDir: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [START], { env: { PATH: process.env.PATH, LGSP_CONFIG_DIR: configDir, ...env }, encoding: 'utf8', timeout: 30_000 });
}

test('the shipped bus.yaml holds no demo secret; the development profile adds them from bus.development.yaml', () => {
  const production = loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_FLOW_SECRET_ENV } });
  expect(production.development).toBe(false);
  expect(production.auth.developmentSigningKey).toBeUndefined();
  expect(production.admins).toEqual([]);
  expect(production.audit.generateSigningKey).toBe(false);
  const development = loadBusConfig({ configDir: repoConfig, env: { ...DEVELOPMENT_PROFILE, ...SHIPPED_FLOW_SECRET_ENV } });
  expect(development.development).toBe(true);
  expect(development.auth.developmentSigningKey).toBeDefined();
  expect(development.admins.map((a) => a.username)).toEqual(['admin']);
});

test('the development settings pasted into bus.yaml stop the production profile, each named', () => {
  const { configDir } = configDirWith(mergeOverlay(shippedBus(), overlay()));
  const problems = problemsOf(() => loadBusConfig({ configDir, env: {} }));
  expect(problems).toContain('auth.developmentSigningKey');
  expect(problems).toMatch(/admins\.0\.passwordHash \(admin\) verifies the published demo password/);
  expect(problems).toContain('audit.generateSigningKey');
  expect(problems).toContain('LGSP_ADMIN_SESSION_KEY is not set');
});

test('a published or short shared key, and an admin session key missing, short or equal to the client key, are refused', () => {
  const withAdmin = { ...shippedBus(), admins: [{ username: 'quantri', passwordHash: hashPassword('a real password of the province') }] };
  const { configDir } = configDirWith(withAdmin);
  expect(problemsOf(() => loadBusConfig({ configDir, env: { LGSP_JWT_SECRET: 'dev-only-signing-key-change-me-0123456789abcdef', LGSP_ADMIN_SESSION_KEY: SESSION_KEY } }))).toMatch(/LGSP_JWT_SECRET holds a key published/);
  expect(problemsOf(() => loadBusConfig({ configDir, env: { LGSP_JWT_SECRET: 'short', LGSP_ADMIN_SESSION_KEY: SESSION_KEY } }))).toMatch(/LGSP_JWT_SECRET must be at least 32 bytes/);
  expect(problemsOf(() => loadBusConfig({ configDir, env: {} }))).toMatch(/LGSP_ADMIN_SESSION_KEY is not set/);
  expect(problemsOf(() => loadBusConfig({ configDir, env: { LGSP_ADMIN_SESSION_KEY: 'short' } }))).toMatch(/LGSP_ADMIN_SESSION_KEY must be at least 32 bytes/);
  expect(problemsOf(() => loadBusConfig({ configDir, env: { LGSP_JWT_SECRET: SESSION_KEY, LGSP_ADMIN_SESSION_KEY: SESSION_KEY } }))).toMatch(/equals LGSP_JWT_SECRET/);
  expect(loadBusConfig({ configDir, env: { ...SHIPPED_FLOW_SECRET_ENV, LGSP_JWT_SECRET: PRODUCTION_SECRET_ENV.LGSP_JWT_SECRET, LGSP_ADMIN_SESSION_KEY: SESSION_KEY } }).admins).toHaveLength(1);
});

test('the development profile refuses NODE_ENV=production', () => {
  expect(problemsOf(() => loadBusConfig({ configDir: repoConfig, env: { ...DEVELOPMENT_PROFILE, NODE_ENV: 'production' } }))).toMatch(/LGSP_PROFILE=development under NODE_ENV=production/);
});

test('a generated audit key is refused outside development', async () => {
  const { configDir } = configDirWith(shippedBus());
  const development = loadBusConfig({ configDir, env: { ...DEVELOPMENT_PROFILE, ...SHIPPED_FLOW_SECRET_ENV } });
  // The development profile of this dir generates the key (the overlay is not there: set it as the overlay would).
  (await openBusAudit({ ...development, audit: { ...development.audit, generateSigningKey: true } })).close();
  const production = loadBusConfig({ configDir, env: { ...SHIPPED_FLOW_SECRET_ENV } });
  await expect(openBusAudit(production)).rejects.toThrow(/audit\.signingKeyFile: .* was generated for development/);
});

test('the production entry point exits 2 naming each missing piece: every secret at once, then the audit key; inline secrets are refused', () => {
  const { configDir, dataDir } = configDirWith(shippedBus());
  const noSecrets = startProcess(configDir, { NODE_ENV: 'production' });
  expect(noSecrets.status).toBe(2);
  for (const missing of [
    /flows\.dossier\.dvcqg\.password: environment variable DVCQG_PASSWORD is not set/,
    /flows\.dossier\.population\.apiKey: environment variable POPULATION_API_KEY is not set/,
    /flows\.edoc\.axis\.secret: environment variable EDOC_AXIS_SECRET is not set/,
    /flows\.edoc\.organs\.000\.00\.03\.H10\.pushToken: environment variable QLVB_BUDANG_PUSH_TOKEN is not set/,
  ]) {
    expect(noSecrets.stderr).toMatch(missing);
  }
  const secrets = { ...PRODUCTION_SECRET_ENV, ...SHIPPED_FLOW_SECRET_ENV };
  const noKey = startProcess(configDir, { NODE_ENV: 'production', ...secrets });
  expect(noKey.status).toBe(2);
  expect(noKey.stderr).toMatch(/audit\.signingKeyFile: .* is missing/);
  writeAuditSigningKey(dataDir);
  const inline = configDirWith({ ...shippedBus(), flows: mergeOverlay(shippedBus().flows as Record<string, unknown>, overlay().flows as Record<string, unknown>) });
  writeAuditSigningKey(inline.dataDir);
  const inlineRun = startProcess(inline.configDir, { NODE_ENV: 'production', ...PRODUCTION_SECRET_ENV, EDOC_AXIS_SECRET: 'axis-secret-of-the-province-0123456789' });
  expect(inlineRun.status).toBe(2);
  expect(inlineRun.stderr).toMatch(/flows\.dossier\.dvcqg\.password: inline secret values are for the development profile/);
});

test('with its secrets the shipped config starts in production, prints no demo password and accepts no demo sign-in', async () => {
  const { configDir, dataDir } = configDirWith(shippedBus());
  writeAuditSigningKey(dataDir);
  const child = spawn(process.execPath, [START], {
    env: { PATH: process.env.PATH, LGSP_CONFIG_DIR: configDir, NODE_ENV: 'production', ...PRODUCTION_SECRET_ENV, EDOC_AXIS_SECRET: 'axis-secret-of-the-province-0123456789', QLVB_BUDANG_PUSH_TOKEN: 'push-token-of-the-district-0123456789' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = await waitFor(() => /LGSP bus on (http:\/\/[0-9.:]+)/.exec(out)?.[1] ?? (child.exitCode !== null ? Promise.reject(new Error(out)) : null), 20_000, 'the bus banner');
    expect(out).not.toContain(DEMO_ADMIN_PASSWORD);
    expect(out).not.toContain('development profile');
    const signIn = await fetch(`${url}/api/v1/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: DEMO_ADMIN_PASSWORD }) });
    expect(signIn.status).toBe(401);
    const demoToken = (await import('jsonwebtoken')).default.sign({}, 'dev-only-signing-key-change-me-0123456789abcdef', { algorithm: 'HS256', issuer: 'lgsp-bus', audience: 'lgsp-bus', subject: 'motcua-binhphuoc', expiresIn: 600 });
    const intake = await fetch(`${url}/api/v1/dossiers`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${demoToken}` }, body: '{}' });
    expect(intake.status).toBe(401);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});
