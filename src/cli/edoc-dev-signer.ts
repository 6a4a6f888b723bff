// Development signer for e-documents: `init` writes a development CA (certificate, key, empty CRL) and a signer
// certificate and key it issued; `sign <in.xml>` writes the package signed by that signer to stdout. Not for
// production: real packages are signed by the sending organ's own certificate.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { signEdxmlPackage, type EdxmlSignatureAlgorithm } from '../upstreams/edxml/package-signer';
import { PemConverter } from '../upstreams/edxml/x509';
import { createDevCa, createDevCrl, issueDevSigner, privateKeyPem } from './edoc-dev-pki';

const USAGE = `usage:
  edoc-dev-signer init [--dir DIR] [--subject "CN=…, O=…, C=VN"]   write ca.pem, ca-key.pem, ca.crl, signer.pem, signer-key.pem
  edoc-dev-signer sign [--dir DIR] [--sha1] IN.xml > OUT.xml        sign a package with the development signer
DIR defaults to $LGSP_DEV_SIGNER_DIR or .dev-signer; bus.yaml's flows.edoc.signatures.trustStore names DIR/ca.pem and DIR/ca.crl.`;

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const value = args[at + 1];
  args.splice(at, 2);
  return value;
}

async function init(dir: string, subject: string | undefined): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const ca = await createDevCa();
  const signer = await issueDevSigner(ca, subject === undefined ? {} : { subject });
  const crl = await createDevCrl(ca, []);
  writeFileSync(path.join(dir, 'ca.pem'), ca.certificate.toString('pem') + '\n');
  writeFileSync(path.join(dir, 'ca-key.pem'), (await privateKeyPem(ca.keys.privateKey)) + '\n', { mode: 0o600 });
  writeFileSync(path.join(dir, 'ca.crl'), PemConverter.encode(crl.rawData, 'X509 CRL') + '\n');
  writeFileSync(path.join(dir, 'signer.pem'), signer.certificatePem + '\n');
  writeFileSync(path.join(dir, 'signer-key.pem'), signer.privateKeyPem + '\n', { mode: 0o600 });
  process.stderr.write(`development CA and signer written to ${dir}\n  signer: ${signer.certificate.subject} (serial ${signer.certificate.serialNumber.toLowerCase()})\n`);
}

function sign(dir: string, input: string, algorithm: EdxmlSignatureAlgorithm): void {
  if (!existsSync(path.join(dir, 'signer.pem'))) throw new Error(`no development signer in ${dir}; run init first`);
  const chunks = signEdxmlPackage(readFileSync(input), {
    privateKeyPem: readFileSync(path.join(dir, 'signer-key.pem'), 'utf8'),
    certificatePem: readFileSync(path.join(dir, 'signer.pem'), 'utf8'),
  }, algorithm);
  for (const chunk of chunks) process.stdout.write(chunk);
}

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const command = args.shift();
  const dir = path.resolve(option(args, '--dir') ?? process.env.LGSP_DEV_SIGNER_DIR ?? '.dev-signer');
  if (command === 'init') {
    await init(dir, option(args, '--subject'));
    return 0;
  }
  if (command === 'sign') {
    const sha1 = args.indexOf('--sha1');
    if (sha1 !== -1) args.splice(sha1, 1);
    const input = args[0];
    if (input === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    sign(dir, input, sha1 === -1 ? 'rsa-sha256' : 'rsa-sha1');
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`edoc-dev-signer: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
