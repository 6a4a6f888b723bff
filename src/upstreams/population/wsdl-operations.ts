// Reads the local population WSDL once: which operations its SOAP binding offers, with their SOAPAction.
import { readFile } from 'node:fs/promises';
import { XMLParser } from 'fast-xml-parser';
import { hasDtdDeclaration } from './dtd-declaration';

export interface WsdlContract {
  targetNamespace: string;
  /** Operation name → soapAction of the binding ("" for both population services). */
  soapActions: ReadonlyMap<string, string>;
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  processEntities: false,
  isArray: (_name, jPath) => jPath === 'definitions.binding' || jPath === 'definitions.binding.operation',
});

type Node = Record<string, unknown>;

function nodesOf(value: unknown): Node[] {
  return Array.isArray(value) ? value.filter((item): item is Node => item !== null && typeof item === 'object') : [];
}

export async function readWsdlContract(wsdlPath: string): Promise<WsdlContract> {
  const xml = await readFile(wsdlPath, 'utf8');
  if (hasDtdDeclaration(xml)) throw new Error(`${wsdlPath}: DOCTYPE is not allowed in the WSDL`);
  const definitions = (parser.parse(xml) as { definitions?: Node }).definitions;
  if (!definitions) throw new Error(`${wsdlPath}: not a WSDL 1.1 document`);
  const soapActions = new Map<string, string>();
  for (const binding of nodesOf(definitions.binding)) {
    for (const operation of nodesOf(binding.operation)) {
      // wsdl:operation holds soap:operation, which the prefix-free reading also calls "operation".
      const soapAction = (operation.operation as Node | undefined)?.soapAction;
      if (typeof operation.name === 'string') soapActions.set(operation.name, typeof soapAction === 'string' ? soapAction : '');
    }
  }
  const targetNamespace = typeof definitions.targetNamespace === 'string' ? definitions.targetNamespace : '';
  return { targetNamespace, soapActions };
}
