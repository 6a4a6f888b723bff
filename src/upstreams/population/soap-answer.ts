// Reads a SOAP 1.1 answer of the population service: the expected Body element as plain objects, or the Fault's code.
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { hasDtdDeclaration } from './dtd-declaration';
import { UnreadableAnswerError } from './mapping';

export type SoapAnswer =
  /** `content` is the Body element in the shape the mapping reads (see wire-messages.ts): text as strings. */
  | { kind: 'answer'; content: unknown }
  | { kind: 'fault'; faultCode: string | null };

/** Envelope (1) › Body (2) › the answer element (3). */
const ANSWER_DEPTH = 3;

/**
 * Elements an answer may nest. The deepest sample answer nests 7 (test/fixtures/population); a far deeper one is not
 * the service's, and would only make a deeper object for everything after the reader to walk.
 */
export const MAX_ANSWER_DEPTH = 32;

/** An element being read: its child elements (and, on the answer element, its attributes) and its text so far. */
interface OpenElement {
  name: string;
  fields: Record<string, unknown> | null;
  text: string;
}

/**
 * Reads the answers whose Body holds `element`; `repeated` names its children that are lists even when single.
 *
 * saxes is a strict parser: it refuses what is not well-formed XML (<a><b>1</a>, a truncated answer, an undeclared
 * entity, a reference to a character XML does not allow), decodes the five predefined entities and character
 * references, and expands nothing else. A DOCTYPE is refused before parsing.
 */
export class SoapAnswerReader {
  private readonly lists: ReadonlySet<string>;

  constructor(
    private readonly element: string,
    repeated: readonly string[] = [],
  ) {
    this.lists = new Set(repeated);
  }

  /** Throws UnreadableAnswerError for anything but a SOAP envelope with the expected element or a Fault. */
  read(xml: string): SoapAnswer {
    if (hasDtdDeclaration(xml)) throw new UnreadableAnswerError('DOCTYPE or ENTITY declaration refused');
    let root: unknown;
    try {
      root = this.parse(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml);
    } catch (error) {
      if (error instanceof UnreadableAnswerError) throw error;
      // The parser's message may quote the answer, which can hold personal data.
      throw new UnreadableAnswerError('not well-formed XML');
    }
    const body = recordOf(recordOf(recordOf(root)?.Envelope)?.Body);
    if (!body) throw new UnreadableAnswerError('no SOAP Envelope/Body');
    if ('Fault' in body) return { kind: 'fault', faultCode: textOf(recordOf(body.Fault)?.faultcode) };
    if (!(this.element in body)) throw new UnreadableAnswerError(`Body has no ${this.element}`);
    return { kind: 'answer', content: body[this.element] };
  }

  /**
   * The document as plain objects, namespace prefixes dropped: an element with children (or attributes, kept only on
   * the answer element) is an object, one with text only is its trimmed text, an element that occurs more than once
   * (or is named in `repeated`, under the answer element) is a list.
   */
  private parse(xml: string): Record<string, unknown> {
    const parser = new SaxesParser({ xmlns: false });
    const open: OpenElement[] = [];
    const document: Record<string, unknown> = {};
    const appendText = (text: string) => {
      const current = open[open.length - 1];
      if (current) current.text += text;
    };
    parser.on('opentag', (tag: SaxesTagPlain) => {
      if (open.length >= MAX_ANSWER_DEPTH) throw new UnreadableAnswerError(`elements nested deeper than ${MAX_ANSWER_DEPTH}`);
      const element: OpenElement = { name: localName(tag.name), fields: null, text: '' };
      if (open.length + 1 === ANSWER_DEPTH) {
        const attributes = answerAttributes(tag.attributes);
        if (attributes) element.fields = { attributes };
      }
      open.push(element);
    });
    parser.on('text', appendText);
    parser.on('cdata', appendText);
    parser.on('closetag', () => {
      const depth = open.length;
      const element = open.pop()!;
      const text = element.text.trim();
      let value: unknown = text;
      if (element.fields) {
        if (text !== '') element.fields['#text'] = text;
        value = element.fields;
      }
      const parent = open[open.length - 1];
      const into = parent ? (parent.fields ??= {}) : document;
      addField(into, element.name, value, depth === ANSWER_DEPTH + 1 && this.lists.has(element.name));
    });
    parser.write(xml).close();
    return document;
  }
}

function localName(qualified: string): string {
  return qualified.slice(qualified.indexOf(':') + 1);
}

/** The answer element's own attributes by local name; namespace declarations are not attributes. */
function answerAttributes(attributes: Record<string, string>): Record<string, string> | null {
  let out: Record<string, string> | null = null;
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    (out ??= {})[localName(name)] = value;
  }
  return out;
}

function addField(into: Record<string, unknown>, name: string, value: unknown, alwaysList: boolean): void {
  // Not in any contract, and an own "__proto__" would replace the object's prototype.
  if (name === '__proto__') return;
  // Own fields only: an element named like an Object method (toString, constructor) is not already there.
  const existing = Object.hasOwn(into, name) ? into[name] : undefined;
  // Element values are text or objects, never arrays: an array is a list made here.
  if (existing === undefined) into[name] = alwaysList ? [value] : value;
  else if (Array.isArray(existing)) existing.push(value);
  else into[name] = [existing, value];
}

function recordOf(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
