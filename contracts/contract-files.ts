// Locates the OpenAPI and WSDL contract files on disk, both from the sources (ts-jest) and from a compiled dist/ tree.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** File name (without .yaml) of a contract in contracts/openapi/. */
export type ContractName = string;

/** Absolute path of contracts/openapi/<name>.yaml; throws when the file cannot be found. */
export function contractPath(name: ContractName): string {
  const candidates = [
    join(__dirname, 'openapi', `${name}.yaml`),
    // dist/contracts → <repo>/contracts (tsc does not copy the YAML files)
    resolve(__dirname, '..', '..', 'contracts', 'openapi', `${name}.yaml`),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`OpenAPI contract ${name}.yaml not found`);
  return found;
}

/** Absolute path of contracts/wsdl/<name>.wsdl; throws when the file cannot be found. */
export function wsdlPath(name: string): string {
  const candidates = [join(__dirname, 'wsdl', `${name}.wsdl`), resolve(__dirname, '..', '..', 'contracts', 'wsdl', `${name}.wsdl`)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`WSDL contract ${name}.wsdl not found`);
  return found;
}
