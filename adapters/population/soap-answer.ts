// Reads a SOAP 1.1 answer of the population service: the expected Body element as plain objects, or the Fault's code.
import { XMLParser, type EntityDecoderOptions } from 'fast-xml-parser';
import { hasDtdDeclaration } from './dtd-declaration';
import { UnreadableAnswerError } from './mapping';

export type SoapAnswer =
  /** `content` is the Body element in the shape the mapping reads (see wire-messages.ts): text as strings. */
  | { kind: 'answer'; content: unknown }
  | { kind: 'fault'; faultCode: string | null };

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** A character or entity reference; a `&` that starts neither matches with no group set. */
const REFERENCE = /&(?:#x([0-9a-fA-F]+);|#([0-9]+);|([A-Za-z_][\w.-]*);)?/g;

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

function decodeReference(_reference: string, hex: string | undefined, decimal: string | undefined, name: string | undefined): string {
  if (name !== undefined) {
    const value = PREDEFINED_ENTITIES[name];
    if (value === undefined) throw new Error('undeclared entity');
    return value;
  }
  if (hex === undefined && decimal === undefined) throw new Error('malformed reference');
  const code = hex !== undefined ? parseInt(hex, 16) : Number(decimal);
  if (!isXmlChar(code)) throw new Error('character reference to a non-XML character');
  return String.fromCodePoint(code);
}

/**
 * The five predefined entities and character references, nothing else: a DTD's entities are refused, never
 * expanded (fast-xml-parser's own decoder would accept DOCTYPE entities and leaves &#233; undecoded).
 */
const xmlOnlyEntities: EntityDecoderOptions = {
  decode(text) {
    return text.includes('&') ? text.replace(REFERENCE, decodeReference) : text;
  },
  addInputEntities() {
    throw new Error('DTD entities are not accepted');
  },
  setExternalEntities() {
    throw new Error('external entities are not accepted');
  },
  reset() {},
  setXmlVersion() {},
};

/** Envelope (1) › Body (2) › the answer element (3). */
const ANSWER_DEPTH = 3;

/** Reads the answers whose Body holds `element`; `repeated` names its children that are lists even when single. */
export class SoapAnswerReader {
  private readonly parser: XMLParser;

  constructor(
    private readonly element: string,
    repeated: readonly string[] = [],
  ) {
    const lists = new Set(repeated);
    this.parser = new XMLParser({
      removeNSPrefix: true,
      // Callbacks get the parser's live path, which is cheaper than building a path string for every element.
      jPath: false,
      // Attributes are kept only on the Body's child (the contract has none elsewhere); SOAP stacks add xsi:type and
      // xsi:nil to other elements, which would turn their text into objects.
      ignoreAttributes: (_name, path) => typeof path === 'string' || path.getDepth() !== ANSWER_DEPTH,
      attributesGroupName: 'attributes',
      attributeNamePrefix: '',
      parseTagValue: false,
      parseAttributeValue: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      entityDecoder: xmlOnlyEntities,
      isArray: (name, path) => typeof path !== 'string' && path.getDepth() === ANSWER_DEPTH + 1 && lists.has(name),
    });
  }

  /** Throws UnreadableAnswerError for anything but a SOAP envelope with the expected element or a Fault. */
  read(xml: string): SoapAnswer {
    if (hasDtdDeclaration(xml)) throw new UnreadableAnswerError('DOCTYPE or ENTITY declaration refused');
    let root: unknown;
    try {
      // `true`: check well-formedness first; the parser alone reads <a><b>1</a> or a truncated answer without a word.
      root = this.parser.parse(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml, true);
    } catch {
      // The parser's message may quote the answer, which can hold personal data.
      throw new UnreadableAnswerError('not well-formed XML');
    }
    const body = recordOf(recordOf(recordOf(root)?.Envelope)?.Body);
    if (!body) throw new UnreadableAnswerError('no SOAP Envelope/Body');
    if ('Fault' in body) return { kind: 'fault', faultCode: textOf(recordOf(body.Fault)?.faultcode) };
    if (!(this.element in body)) throw new UnreadableAnswerError(`Body has no ${this.element}`);
    return { kind: 'answer', content: body[this.element] };
  }
}

function recordOf(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
