// SOAP forbids a DTD in a message, and a DTD is the door to entity expansion: the population service's requests,
// answers and WSDL are refused when they hold a DOCTYPE or ENTITY declaration, in any letter case.
const DOCTYPE_OR_ENTITY = /<!\s*(?:DOCTYPE|ENTITY)/i;

export function hasDtdDeclaration(xml: string): boolean {
  return DOCTYPE_OR_ENTITY.test(xml);
}
