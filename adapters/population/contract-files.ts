// Where the population WSDL lives on disk, both when running from sources and from the compiled dist/ tree.
import { existsSync } from 'node:fs';
import path from 'node:path';

const RELATIVE_WSDL = path.join('contracts', 'wsdl', 'population.wsdl');

/** The local WSDL file; its XSDs sit beside it in ../xsd. Nothing is ever fetched from the network. */
export function populationWsdlPath(): string {
  const candidates = [
    path.resolve(__dirname, '..', '..', RELATIVE_WSDL), // adapters/population → repo root
    path.resolve(__dirname, '..', '..', '..', RELATIVE_WSDL), // dist/adapters/population → repo root
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`population WSDL not found; looked in: ${candidates.join(', ')}`);
  return found;
}
