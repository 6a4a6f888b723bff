// Where the edoc SOAP contract (WSDL + XSD) lives on disk, from the sources and from the compiled dist/ tree.
import { existsSync } from 'node:fs';
import path from 'node:path';

const RELATIVE_WSDL = path.join('contracts', 'wsdl', 'edoc-service.wsdl');

export function edocWsdlPath(): string {
  const candidates = [
    path.resolve(__dirname, '..', '..', '..', RELATIVE_WSDL), // src/flows/edoc → repo root
    path.resolve(__dirname, '..', '..', '..', '..', RELATIVE_WSDL), // dist/src/flows/edoc → repo root
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`edoc WSDL not found; looked in: ${candidates.join(', ')}`);
  return found;
}
