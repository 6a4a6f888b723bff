// Checks SOAP 1.1 answers against the schemas of the WSDL they were served under, with libxml2's XML Schema validator
// (xmllint-wasm), never with node-soap's own (lenient) reading: every element in soap:Body, and every entry of a
// fault's detail, must be declared by one of the WSDL's schemas and valid against it.
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { validateXML } from 'xmllint-wasm';

const SOAP_11_ENVELOPE = 'http://schemas.xmlsoap.org/soap/envelope/';

/** One element of fast-xml-parser's ordered form: `{ [qualified name]: children, ':@'?: attributes }`. */
type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: false });
const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

/** The schemas written inline in a WSDL's types, by target namespace. */
export function wsdlSchemas(wsdl: string): Map<string, string> {
  const schemas = new Map<string, string>();
  for (const [schema] of wsdl.matchAll(/<xs:schema\b[\s\S]*?<\/xs:schema>/g)) {
    const targetNamespace = /^<xs:schema\b[^>]*\btargetNamespace="([^"]*)"/.exec(schema)?.[1] ?? '';
    schemas.set(targetNamespace, schema);
  }
  return schemas;
}

export interface SoapAnswerCheck {
  /** `{namespace}localName` of each element checked: Body children, or a fault's detail entries. */
  checked: string[];
  fault?: { faultcode: string; faultstring: string };
  /** Empty when the answer is valid. */
  errors: string[];
}

const elementName = (node: OrderedNode): string | undefined => Object.keys(node).find((key) => key !== ':@' && key !== '#text');
const attributesOf = (node: OrderedNode): Record<string, string> => (node[':@'] as Record<string, string> | undefined) ?? {};
const childrenOf = (node: OrderedNode): OrderedNode[] => {
  const name = elementName(node);
  return name === undefined ? [] : ((node[name] as OrderedNode[] | undefined) ?? []).filter((child) => elementName(child) !== undefined);
};
const localName = (qualified: string): string => qualified.slice(qualified.indexOf(':') + 1);
const textOf = (node: OrderedNode | undefined): string =>
  node === undefined ? '' : ((node[elementName(node)!] as OrderedNode[]) ?? []).map((child) => String(child['#text'] ?? '')).join('');

/** Namespace declarations in scope at `node`, inherited ones first. */
function declarations(node: OrderedNode, inherited: Record<string, string>): Record<string, string> {
  const own = Object.entries(attributesOf(node)).filter(([name]) => name === '@_xmlns' || name.startsWith('@_xmlns:'));
  return { ...inherited, ...Object.fromEntries(own) };
}

function namespaceOf(qualified: string, scope: Record<string, string>): string {
  const colon = qualified.indexOf(':');
  return (colon < 0 ? scope['@_xmlns'] : scope[`@_xmlns:${qualified.slice(0, colon)}`]) ?? '';
}

export async function checkSoapAnswer(answer: string, schemas: Map<string, string>): Promise<SoapAnswerCheck> {
  const errors: string[] = [];
  const checked: string[] = [];
  const [envelope] = (parser.parse(answer) as OrderedNode[]).filter((node) => elementName(node) !== undefined && elementName(node) !== '?xml');
  if (!envelope || localName(elementName(envelope)!) !== 'Envelope') return { checked, errors: ['the answer is not a SOAP envelope'] };
  const envelopeScope = declarations(envelope, {});
  if (namespaceOf(elementName(envelope)!, envelopeScope) !== SOAP_11_ENVELOPE) errors.push('the envelope is not SOAP 1.1');
  const body = childrenOf(envelope).find((child) => localName(elementName(child)!) === 'Body');
  if (!body) return { checked, errors: [...errors, 'the envelope has no Body'] };
  const bodyScope = declarations(body, envelopeScope);

  let fault: SoapAnswerCheck['fault'];
  const entries: { node: OrderedNode; scope: Record<string, string> }[] = [];
  for (const child of childrenOf(body)) {
    const childScope = declarations(child, bodyScope);
    if (localName(elementName(child)!) === 'Fault' && namespaceOf(elementName(child)!, childScope) === SOAP_11_ENVELOPE) {
      // SOAP 1.1 fault children are unqualified: faultcode, faultstring, faultactor, detail.
      const parts = childrenOf(child);
      const part = (name: string) => parts.find((p) => elementName(p) === name);
      if (parts.some((p) => elementName(p)!.includes(':'))) errors.push('a Fault child is namespace-qualified');
      fault = { faultcode: textOf(part('faultcode')), faultstring: textOf(part('faultstring')) };
      const detail = part('detail');
      if (detail) for (const entry of childrenOf(detail)) entries.push({ node: entry, scope: declarations(detail, childScope) });
    } else {
      entries.push({ node: child, scope: bodyScope });
    }
  }
  for (const { node, scope } of entries) {
    const name = elementName(node)!;
    const namespace = namespaceOf(name, declarations(node, scope));
    checked.push(`{${namespace}}${localName(name)}`);
    const schema = schemas.get(namespace);
    if (schema === undefined) {
      errors.push(`<${name}> is in namespace "${namespace}", which no schema of the WSDL declares`);
      continue;
    }
    // The entry as a document of its own, with the namespace declarations it inherits written on it.
    const inherited = Object.fromEntries(Object.entries(scope).filter(([key]) => !(key in attributesOf(node))));
    const standalone = builder.build([{ ...node, ':@': { ...inherited, ...attributesOf(node) } }]) as string;
    const result = await validateXML({ xml: [{ fileName: 'answer.xml', contents: standalone }], schema: [{ fileName: 'schema.xsd', contents: schema }] });
    errors.push(...result.errors.map((error) => `<${name}>: ${error.message}`));
  }
  return { checked, fault, errors };
}
