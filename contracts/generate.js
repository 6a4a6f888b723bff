// `npm run contracts` regenerates contracts/generated/<name>.ts from every contracts/openapi/<name>.yaml with
// openapi-typescript; `npm run contracts:check` fails when a generated file is stale (CI runs it).
const { execFileSync } = require('node:child_process');
const { readdirSync } = require('node:fs');
const path = require('node:path');

const check = process.argv.includes('--check');
const dir = path.join(__dirname, 'openapi');
const cli = path.join(path.dirname(require.resolve('openapi-typescript/package.json')), 'bin', 'cli.js');
let failed = false;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
  const out = path.join(__dirname, 'generated', file.replace(/\.yaml$/, '.ts'));
  const args = [cli, path.join(dir, file), '-o', out, '--alphabetize'];
  if (check) args.push('--check');
  try {
    execFileSync(process.execPath, args, { stdio: check ? 'pipe' : 'inherit' });
  } catch {
    failed = true;
    process.stderr.write(`${check ? 'stale' : 'failed'}: contracts/generated/${path.basename(out)} (run npm run contracts)\n`);
  }
}
process.exit(failed ? 1 : 0);
