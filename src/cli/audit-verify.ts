// npm run audit:verify — verifies the audit log in a store or an exported bundle, per chain: signed through seq N, sealed, or an unsigned tail of K records.
// Exit codes: 0 every chain verifies and is signed or sealed to its end; 1 a bad record, checkpoint or seal (or an
// unreadable bundle); 2 usage errors; 3 every chain verifies but some end in an unsigned tail (records after the last
// checkpoint, not sealed: they could be cut off unnoticed).
import { parseArgs } from 'node:util';
import { BundleSource } from '../audit/bundle';
import { AUDIT_CLI_OPTIONS, openStoreFromArgs, trustedKeysFromArgs } from '../audit/cli-support';
import { AuditError, describeError } from '../audit/errors';
import type { AuditSource } from '../audit/audit-store';
import { formatReport, verifyAudit } from '../audit/verifier';

const USAGE = `usage: audit-verify (--sqlite <file> | --database-url <url> | --bundle <file>) [--public-key <pem>]... [--signing-key <pem>] [--table-prefix <p>] [--chain <id>]...
  keys: --public-key, else LGSP_AUDIT_PUBLIC_KEY_FILE, else the public half of --signing-key / LGSP_AUDIT_SIGNING_KEY_FILE;
  a bundle with no key given is checked against the keys it carries (pin them with --public-key).
exit: 0 verified, signed or sealed to the end; 1 a bad record, checkpoint or seal; 2 usage; 3 verified, but some chain ends in an unsigned tail.`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        ...AUDIT_CLI_OPTIONS,
        bundle: { type: 'string' },
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
  let keys = trustedKeysFromArgs(values['public-key'] ?? [], values['signing-key'], process.env);
  let source: AuditSource;
  let close = async (): Promise<void> => undefined;
  if (values.bundle) {
    let bundle: BundleSource;
    try {
      bundle = BundleSource.read(values.bundle);
    } catch (error) {
      // A bundle that cannot be read as one proves nothing: that is a failed verification, not a usage error.
      if (!(error instanceof AuditError) || error.code !== 'AUDIT_BUNDLE_INVALID') throw error;
      console.log(`FAILED: ${error.message}`);
      return 1;
    }
    console.log(`bundle ${values.bundle} sha256 ${bundle.digest}`);
    if (keys.length === 0) {
      console.log('warning: no --public-key given; checking against the keys the bundle carries');
      keys = bundle.publicKeys;
    }
    source = bundle;
  } else {
    const store = await openStoreFromArgs(values, process.env);
    if (!store) {
      console.error(`no audit store named\n${USAGE}`);
      return 2;
    }
    source = store;
    close = () => store.close();
  }
  if (keys.length === 0) {
    console.error(`no trusted public key: checkpoints cannot be checked\n${USAGE}`);
    await close();
    return 2;
  }
  try {
    const report = await verifyAudit(source, { publicKeys: keys, chainIds: values.chain });
    for (const line of formatReport(report)) console.log(line);
    if (!report.ok) return 1;
    return report.unsignedTails > 0 ? 3 : 0;
  } finally {
    await close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`audit-verify: ${describeError(error)}`);
    process.exitCode = 2;
  },
);
