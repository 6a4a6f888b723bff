// The audit CLIs as an operator runs them (built JS in a child process): exit 0 "verified up to seq N", exit 1 naming the bad record, offline bundle check.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateDevKeyPair } from '../../../src/audit/checkpoint-signer';
import { CheckpointSigner } from '../../../src/audit/checkpoint-signer';
import { DATABASE_URL } from '../../support/env';
import { openWriter, postgresHarness, sqliteHarness, type AuditHarness } from './audit-harness';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');
const VERIFY = path.join(root, 'dist/src/cli/audit-verify.js');
const EXPORT = path.join(root, 'dist/src/cli/audit-export.js');

async function cli(script: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { env: { ...process.env, LGSP_DATABASE_URL: '' } });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

beforeAll(() => {
  if (!existsSync(VERIFY) || !existsSync(EXPORT)) throw new Error('run `npm run build` first (npm test does it)');
});

describe.each([
  ['sqlite', sqliteHarness],
  ['postgres', postgresHarness],
])('audit CLIs on %s', (kind, makeHarness) => {
  let h: AuditHarness;
  beforeAll(() => {
    h = makeHarness();
  });
  afterAll(async () => h.cleanup());

  test('verify → 0, export → bundle verified offline → 0, one changed byte → 1 naming the record', async () => {
    const keys = generateDevKeyPair(path.join(h.dir, 'keys'));
    const signer = CheckpointSigner.fromFile(keys.privateKeyFile);
    const log = await openWriter(await h.openStore(), signer, { chainId: 'cli-chain' });
    for (let i = 1; i <= 25; i++) await log.append({ step: 'delivered', outcome: 'ok', messageId: `m-${i}`, payload: { i } });
    await log.close();
    const storeArgs = kind === 'sqlite' ? ['--sqlite', h.sqliteFile] : ['--database-url', DATABASE_URL, '--table-prefix', h.prefix];

    const ok = await cli(VERIFY, [...storeArgs, '--public-key', keys.publicKeyFile]);
    expect(ok).toMatchObject({ code: 0, out: expect.stringContaining('verified up to seq 25') });

    const bundle = path.join(h.dir, 'export.json');
    expect(await cli(EXPORT, [...storeArgs, '--out', bundle, '--public-key', keys.publicKeyFile])).toMatchObject({ code: 0 });
    expect(await cli(VERIFY, ['--bundle', bundle, '--public-key', keys.publicKeyFile])).toMatchObject({ code: 0, out: expect.stringContaining('verified up to seq 25') });

    const other = generateDevKeyPair(path.join(h.dir, 'other'));
    expect(await cli(VERIFY, ['--bundle', bundle, '--public-key', other.publicKeyFile])).toMatchObject({ code: 1, out: expect.stringMatching(/unknown key/) });

    await h.exec(`UPDATE ${h.prefix}records SET payload = '{"i":99}' WHERE seq = 17`);
    const bad = await cli(VERIFY, [...storeArgs, '--public-key', keys.publicKeyFile]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/FAILED: chain cli-chain seq 17: record 17: content does not match its hash/);

    writeFileSync(path.join(h.dir, 'junk.json'), '{"format":"nope"}');
    expect(await cli(VERIFY, ['--bundle', path.join(h.dir, 'junk.json')])).toMatchObject({ code: 1, out: expect.stringMatching(/FAILED: .* is not a lgsp-audit-bundle/) });
    expect((await cli(VERIFY, ['--nonsense'])).code).toBe(2);
  });
});
