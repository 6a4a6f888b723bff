// npm run audit:export — writes a bundle (records + checkpoints + public key) that audit:verify checks offline; with --prune-before, the retention run (export, verify, prune).
import { parseArgs } from 'node:util';
import { buildBundle, writeBundle } from '../audit/bundle';
import { AUDIT_CLI_OPTIONS, openStoreFromArgs, trustedKeysFromArgs } from '../audit/cli-support';
import { CheckpointSigner } from '../audit/checkpoint-signer';
import { describeError } from '../audit/errors';
import { exportAndPrune } from '../audit/retention';

const USAGE = `usage: audit-export (--sqlite <file> | --database-url <url>) --out <bundle.json> [--public-key <pem> | --signing-key <pem>] [--table-prefix <p>] [--chain <id>]...
       audit-export (--sqlite <file> | --database-url <url>) --prune-before <ISO time | N days as "Nd"> --out-dir <dir> --signing-key <pem>
  the signing key may also come from LGSP_AUDIT_SIGNING_KEY_FILE, the public key from LGSP_AUDIT_PUBLIC_KEY_FILE.`;

function parseCutoff(text: string): Date {
  const days = /^(\d+)d$/.exec(text);
  const date = days ? new Date(Date.now() - Number(days[1]) * 86_400_000) : new Date(text);
  if (Number.isNaN(date.getTime())) throw new Error(`--prune-before ${text} is neither an ISO time nor Nd`);
  return date;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        ...AUDIT_CLI_OPTIONS,
        out: { type: 'string' },
        'out-dir': { type: 'string' },
        'prune-before': { type: 'string' },
      },
    }));
  } catch (error) {
    console.error(`${describeError(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const store = await openStoreFromArgs(values, process.env);
  if (!store) {
    console.error(`no audit store named\n${USAGE}`);
    return 2;
  }
  try {
    if (values['prune-before']) {
      const signingFile = values['signing-key'] ?? process.env.LGSP_AUDIT_SIGNING_KEY_FILE;
      if (!signingFile || !values['out-dir']) {
        console.error(`retention needs --signing-key and --out-dir\n${USAGE}`);
        return 2;
      }
      const results = await exportAndPrune(store, CheckpointSigner.fromFile(signingFile), {
        before: parseCutoff(values['prune-before']),
        exportDir: values['out-dir'],
        chainIds: values.chain,
        trustedPublicKeys: trustedKeysFromArgs(values['public-key'] ?? [], undefined, {}),
      });
      for (const r of results) console.log(`chain ${r.chainId}: exported through seq ${r.throughSeq} to ${r.bundleFile} (sha256 ${r.bundleDigest}), pruned ${r.pruned}`);
      if (results.length === 0) console.log('nothing older than the cut-off');
      return 0;
    }
    if (!values.out) {
      console.error(`--out is required\n${USAGE}`);
      return 2;
    }
    const keys = trustedKeysFromArgs(values['public-key'] ?? [], values['signing-key'], process.env);
    if (keys.length === 0) {
      console.error(`the bundle must carry the public key: give --public-key or --signing-key\n${USAGE}`);
      return 2;
    }
    const bundle = await buildBundle(store, keys, { chainIds: values.chain });
    const written = writeBundle(values.out, bundle);
    const records = bundle.chains.reduce((n, c) => n + c.records.length, 0);
    console.log(`wrote ${written.file}: ${bundle.chains.length} chain(s), ${records} records, ${written.bytes} bytes, sha256 ${written.digest}`);
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`audit-export: ${describeError(error)}`);
    process.exitCode = 2;
  },
);
