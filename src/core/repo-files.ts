// Files the bus reads from its own tree at run time (contracts, the console, the config): found from the repository
// root, the nearest directory above this module holding package.json, whether it runs from src/ (ts-jest) or dist/.
import { existsSync } from 'node:fs';
import path from 'node:path';

let root: string | null = null;

/** The directory of the bus's package.json (the repository, or /app in the image). */
export function repoRoot(): string {
  if (root !== null) return root;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

/** An absolute path under the repository root; throws naming it when the file or directory is missing. */
export function repoFile(...segments: string[]): string {
  const file = path.join(repoRoot(), ...segments);
  if (!existsSync(file)) throw new Error(`${path.join(...segments)} not found under ${repoRoot()}`);
  return file;
}

/** File name (without .yaml) of a contract in contracts/openapi/. */
export type ContractName = string;

/** contracts/openapi/<name>.yaml */
export function contractPath(name: ContractName): string {
  return repoFile('contracts', 'openapi', `${name}.yaml`);
}

/** contracts/wsdl/<name>.wsdl (its XSDs sit beside it in ../xsd). Nothing is ever fetched from the network. */
export function wsdlPath(name: string): string {
  return repoFile('contracts', 'wsdl', `${name}.wsdl`);
}
