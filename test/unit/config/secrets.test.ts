// The one secret resolver: env, file or (development only) inline; every missing secret named together, never a value.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveSecrets, secretRefSchema } from '../../../src/config/secrets';

const production = (env: Record<string, string> = {}) => ({ env, development: false });
const development = (env: Record<string, string> = {}) => ({ env, development: true });

test('a secret comes from its environment variable, or from a file with its trailing newline dropped', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lgsp-secret-')), 'axis');
  writeFileSync(file, 'from-the-file\n');
  const { secrets, problems } = resolveSecrets(
    [
      { path: 'a.fromEnv', ref: { env: 'A_SECRET' } },
      { path: 'b.fromFile', ref: { file } },
    ],
    production({ A_SECRET: 'from-the-env' }),
  );
  expect(problems).toEqual([]);
  expect(secrets.get('a.fromEnv')).toBe('from-the-env');
  expect(secrets.get('b.fromFile')).toBe('from-the-file');
});

test('every missing secret is named by config path and variable or file, in one list, without any value', () => {
  const { problems } = resolveSecrets(
    [
      { path: 'flows.dossier.dvcqg.password', ref: { env: 'DVCQG_PASSWORD' } },
      { path: 'flows.edoc.axis.secret', ref: { env: 'EDOC_AXIS_SECRET' } },
      { path: 'x.file', ref: { file: '/nonexistent/secret' } },
      { path: 'x.short', ref: { env: 'SHORT' }, minBytes: 32 },
      { path: 'x.optional', ref: { env: 'NOT_NEEDED' }, required: false },
    ],
    production({ SHORT: 'tiny-secret-value' }),
  );
  expect(problems).toEqual([
    'flows.dossier.dvcqg.password: environment variable DVCQG_PASSWORD is not set',
    'flows.edoc.axis.secret: environment variable EDOC_AXIS_SECRET is not set',
    'x.file: file /nonexistent/secret cannot be read (ENOENT)',
    'x.short: environment variable SHORT must hold at least 32 bytes',
  ]);
  expect(problems.join('\n')).not.toContain('tiny-secret-value');
});

test('inline values: a fallback in development only; the variable wins when set', () => {
  const declarations = [{ path: 'p', ref: { env: 'P_SECRET', value: 'inline-demo' } }];
  expect(resolveSecrets(declarations, development()).secrets.get('p')).toBe('inline-demo');
  expect(resolveSecrets(declarations, development({ P_SECRET: 'from-env' })).secrets.get('p')).toBe('from-env');
  const refused = resolveSecrets(declarations, production({ P_SECRET: 'from-env' }));
  expect(refused.problems).toEqual(['p: inline secret values are for the development profile; give { env: NAME } or { file: path }']);
  expect(refused.problems.join('\n')).not.toContain('inline-demo');
});

test('an empty variable counts as unset; an optional secret left unset is undefined; get of an absent one is a programming error', () => {
  const { secrets, problems } = resolveSecrets([{ path: 'o', ref: { env: 'O_SECRET' }, required: false }], production({ O_SECRET: '' }));
  expect(problems).toEqual([]);
  expect(secrets.find('o')).toBeUndefined();
  expect(() => secrets.get('o')).toThrow(/secret o was not given at start/);
  expect(secrets.find('never-declared')).toBeUndefined();
  expect(() => secrets.get('never-declared')).toThrow(/not declared/);
});

test('the reference shape: env or file, not both; an inline value alone is a shape (refused in production at resolve)', () => {
  expect(secretRefSchema.safeParse({ env: 'A', file: '/x' }).success).toBe(false);
  expect(secretRefSchema.safeParse({}).success).toBe(false);
  expect(secretRefSchema.safeParse({ env: 'lower' }).success).toBe(false);
  expect(secretRefSchema.safeParse({ value: 'v' }).success).toBe(true);
  expect(secretRefSchema.safeParse({ file: '/run/secrets/dvcqg' }).success).toBe(true);
});
