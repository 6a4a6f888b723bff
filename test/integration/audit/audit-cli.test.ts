// The audit CLIs as an operator runs them (built JS in a child process): exit 0 "verified up to seq N", exit 1 naming the bad record, offline bundle check.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateDevKeyPair } from '../../../src/audit/checkpoint-signer';
import { CheckpointSigner } from '../../../src/audit/checkpoint-signer';
import { DATABASE_URL, waitFor } from '../../../testkit/env';
import { openWriter, postgresHarness, sqliteHarness, writeOrphan, type AuditHarness } from '../../../testkit/audit-harness';

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

  test('an unsigned tail → 3 saying how many records could be cut off; once the orphan is sealed → 0 saying so', async () => {
    const keys = generateDevKeyPair(path.join(h.dir, 'tail-keys'));
    const signer = CheckpointSigner.fromFile(keys.privateKeyFile);
    const chainId = `tail-${Date.now()}`;
    const storeArgs = kind === 'sqlite' ? ['--sqlite', h.sqliteFile] : ['--database-url', DATABASE_URL, '--table-prefix', h.prefix];
    const args = [...storeArgs, '--public-key', keys.publicKeyFile, '--chain', chainId];
    // A killed bus on another host: a checkpoint at 3, two records after it, and its lease left to run out.
    const store = await h.openStore();
    await writeOrphan(store, signer, chainId, { n: 5, signedAt: 3, owner: { host: 'gone-host', pid: 1, token: 't' }, leaseMs: 200 });
    const tail = await cli(VERIFY, args);
    expect(tail).toMatchObject({ code: 3, out: expect.stringContaining('signed through seq 3; UNSEALED TAIL of 2 record(s) after seq 3') });
    expect(tail.out).toMatch(/WARNING: 1 chain\(s\) end in an unsigned tail/);
    // Only its lease can tell it is gone; once it has run out, the next sweep seals the tail.
    const sealer = await openWriter(store, signer, { chainId: `sealer-${Date.now()}`, sealOrphans: { includeUnleased: false } });
    await waitFor(async () => (await store.seal(chainId)) ?? (await sealer.sealOrphans(), null), 10_000, 'sealed');
    const sealed = await cli(VERIFY, args);
    expect(sealed).toMatchObject({ code: 0, out: expect.stringMatching(/signed through seq 3; sealed at seq 5 by sealer-\d+ at .*: owner gone \(its lease had run out\)/) });
    await sealer.close();
  });
});
