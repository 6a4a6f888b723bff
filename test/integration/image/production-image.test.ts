// The production image without a container engine: docker/assemble.sh writes the file set the Dockerfile's final stage
// copies (checked against the Dockerfile), production node_modules are added as `npm ci --omit=dev` would, and the bus
// starts from that set alone with the image's CMD and ENV and compose's secrets, on the real RabbitMQ and PostgreSQL.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadBusConfig } from '../../../src/bus-config';
import { deleteTopology } from '../../../testkit/amqp-cleanup';
import { AMQP_URL, uniqueName, waitFor } from '../../../testkit/env';
import { createSchema, dropSchema, schemaUrl } from '../../../testkit/pg-schema';
import { writeAuditSigningKey } from '../../../testkit/production-secrets';
import { freePort } from '../../../testkit/tcp-relay';

const ROOT = path.resolve(__dirname, '../../..');

interface Stage {
  name: string;
  instructions: { keyword: string; args: string }[];
}

/** The Dockerfile's stages, each with its instructions (continuation lines joined, comments dropped). */
function dockerStages(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') stages.push({ name: /\bAS\s+(\S+)$/i.exec(args)?.[1] ?? '', instructions: [] });
    stages[stages.length - 1]?.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

const argsOf = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** Every file under dir, relative to it, with `/` separators. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? filesUnder(dir, relative) : [relative];
  });
}

/** The packages `npm ci --omit=dev` installs: the lockfile's top-level entries not marked dev. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([key, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && entry.dev !== true)
    .map(([key]) => key.slice('node_modules/'.length));
}

const stages = dockerStages(readFileSync(path.join(ROOT, 'docker/Dockerfile'), 'utf8'));
const finalStage = stages[stages.length - 1]!;
const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-image-'));
const app = path.join(dir, 'app');
let bus: ChildProcess | null = null;
let imageFiles: string[] = [];

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync('sh', [path.join(ROOT, 'docker/assemble.sh'), ROOT, app], { stdio: 'inherit' });
  imageFiles = filesUnder(app).sort();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('the final stage is the production image: assemble.sh output and production node_modules only, as node, with a readiness check', () => {
  expect(finalStage.name).toBe('production');
  expect(argsOf(finalStage, 'COPY')).toEqual(['--from=production-deps /app/node_modules ./node_modules', '--from=build /image/ ./']);
  expect(argsOf(finalStage, 'ADD')).toEqual([]);
  const build = stages.find((s) => s.name === 'build')!;
  expect(argsOf(build, 'RUN').some((run) => run.includes('sh docker/assemble.sh . /image'))).toBe(true);
  const deps = stages.find((s) => s.name === 'production-deps')!;
  expect(argsOf(deps, 'RUN')).toEqual(['npm ci --omit=dev']);
  expect(argsOf(finalStage, 'ENV')).toEqual(['NODE_ENV=production', 'LGSP_PROFILE=production']);
  expect(argsOf(finalStage, 'USER')).toEqual(['node']);
  expect(argsOf(finalStage, 'HEALTHCHECK').join('')).toContain('/readyz');
});

test('the assembled set holds the compiled src/, its runtime assets, contracts and the production config, and nothing of development', () => {
  const report = { files: imageFiles.length, bytes: imageFiles.reduce((sum, f) => sum + statSync(path.join(app, f)).size, 0) };
  process.stdout.write(`image file set (without node_modules): ${report.files} files, ${report.bytes} bytes\n`);
  for (const needed of ['package.json', 'dist/src/cli/start.js', 'src/http/console/ui/index.html', 'contracts/wsdl/edoc-service.wsdl', 'contracts/xsd/population.xsd', 'contracts/openapi/bus-api.yaml', 'config/bus.yaml', 'config/routes.yaml']) {
    expect(imageFiles).toContain(needed);
  }
  const development = imageFiles.filter(
    (f) => /^(dist\/)?(testkit|test|bench|chaos)\//.test(f) || /\.test\.|\.map$|\.d\.ts$|\.tsbuildinfo$|\.pem$|\.key$|bus\.development\.yaml$/.test(f) || (f.endsWith('.ts') && !f.startsWith('contracts/')),
  );
  expect(development).toEqual([]);
  expect(imageFiles.filter((f) => !/^(package\.json|dist\/src\/.+\.js|src\/http\/console\/ui\/.+|contracts\/(openapi|wsdl|xsd)\/.+|config\/(bus|routes)\.yaml)$/.test(f))).toEqual([]);
  const withPrivateKey = imageFiles.filter((f) => readFileSync(path.join(app, f), 'utf8').includes('PRIVATE KEY-----'));
  expect(withPrivateKey).toEqual([]);
});

test('the bus starts from the assembled set with the image CMD and ENV in the production profile and is ready', async () => {
  const packages = productionPackages();
  expect(packages).toEqual(expect.arrayContaining(['express', 'amqplib', 'pg', 'better-sqlite3']));
  expect(packages.filter((p) => ['jest', 'typescript', 'ts-jest', 'supertest', 'eslint', 'fast-check', 'playwright-core'].includes(p))).toEqual([]);
  for (const name of packages) {
    const from = path.join(ROOT, 'node_modules', name);
    if (existsSync(from)) cpSync(from, path.join(app, 'node_modules', name), { recursive: true, dereference: true });
  }
  // RUN mkdir -m 0700 /app/data; the key compose mounts, written where the shipped config looks for it.
  mkdirSync(path.join(app, 'data'), { mode: 0o700 });
  writeAuditSigningKey(path.join(app, 'data'));

  const imageEnv = Object.fromEntries(argsOf(finalStage, 'ENV').map((e) => e.split('=', 2) as [string, string]));
  const [command, ...args] = JSON.parse(argsOf(finalStage, 'CMD')[0]!) as string[];
  expect(command).toBe('node');
  const schema = uniqueName('image').replace(/-/g, '_');
  await createSchema(schema);
  const prefix = uniqueName('image');
  const port = await freePort();
  const secret = () => randomBytes(32).toString('hex');
  const composeEnv = {
    LGSP_AMQP_URL: AMQP_URL,
    LGSP_DATABASE_URL: schemaUrl(schema),
    LGSP_JWT_SECRET: secret(),
    LGSP_ADMIN_SESSION_KEY: secret(),
    DVCQG_PASSWORD: secret(),
    POPULATION_SECRET_KEY: secret(),
    POPULATION_API_KEY: secret(),
    EDOC_AXIS_SECRET: secret(),
    QLVB_BUDANG_PUSH_TOKEN: secret(),
    // Not compose's: a port and queue names of this test's own on the shared machine.
    LGSP_HTTP_HOST: '127.0.0.1',
    LGSP_HTTP_PORT: String(port),
    LGSP_QUEUE_PREFIX: prefix,
  };
  let output = '';
  const started = spawn(process.execPath, args, { cwd: app, env: { PATH: process.env.PATH, ...imageEnv, ...composeEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  bus = started;
  started.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  started.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => started.once('exit', resolve));
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (started.exitCode !== null) throw new Error(`the bus exited with ${started.exitCode}:\n${output}`);
        return (await fetch(`${url}/readyz`).catch(() => null))?.status === 200;
      },
      60_000,
      '/readyz 200',
    );
    expect(output).not.toContain('development profile');
    // The runtime assets answer from the set: the console UI and a WSDL with its XSD.
    expect((await fetch(`${url}/admin/`)).status).toBe(200);
    expect((await fetch(`${url}/soap/edoc?wsdl`)).status).toBe(200);
  } finally {
    started.kill('SIGTERM');
    await exited;
    bus = null;
    const routes = loadBusConfig({ configDir: path.join(app, 'config'), env: { LGSP_PROFILE: 'production' }, checkSecrets: false }).routes;
    await deleteTopology(prefix, routes.map((r) => ({ name: r.name, prefetch: r.prefetch, retry: r.retry })));
    await dropSchema(schema);
  }
  const modules = filesUnder(path.join(app, 'node_modules'));
  const bytes = modules.reduce((sum, f) => sum + statSync(path.join(app, 'node_modules', f)).size, 0);
  process.stdout.write(`production node_modules: ${packages.length} packages, ${modules.length} files, ${bytes} bytes\n`);
});

afterAll(() => {
  bus?.kill('SIGKILL');
});
