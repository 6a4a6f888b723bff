// Byte-level XML scanner: builds a namespace-resolved element tree with byte offsets into the one input buffer;
// text stays as byte spans and is decoded only when asked, so large base64 bodies are never copied.
import { EdxmlError } from './errors';
import { decodeEntities, decodeUtf8 } from './xml-text';

export interface XmlAttribute {
  qualifiedName: string;
  prefix: string;
  localName: string;
  /** '' for unprefixed attributes (they are in no namespace). */
  namespaceUri: string;
  value: string;
}

/** A run of character data: `buffer[start, end)`, raw (entities not yet decoded) unless `cdata`. */
export interface XmlTextSpan {
  kind: 'text';
  start: number;
  end: number;
  cdata: boolean;
}

export interface XmlElement {
  kind: 'element';
  qualifiedName: string;
  prefix: string;
  localName: string;
  namespaceUri: string;
  attributes: XmlAttribute[];
  /** Prefix bindings declared on this element ('' = default namespace). */
  declaredNamespaces: ReadonlyMap<string, string>;
  /** All bindings visible on this element, including its own declarations. */
  inScopeNamespaces: ReadonlyMap<string, string>;
  children: XmlNode[];
  selfClosing: boolean;
  /** Byte offset of '<' of the start tag. */
  startOffset: number;
  /** Byte offsets of the content between the tags (equal for a self-closing element). */
  contentStart: number;
  contentEnd: number;
  /** Byte offset just after the end tag's '>'. */
  endOffset: number;
}

export type XmlNode = XmlElement | XmlTextSpan;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QUESTION = 0x3f;
const BANG = 0x21;
const EQUALS = 0x3d;
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const EMPTY_SCOPE: ReadonlyMap<string, string> = new Map([['xml', XML_NAMESPACE]]);

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function malformed(message: string, offset: number): EdxmlError {
  return new EdxmlError('EDXML_MALFORMED_XML', `${message} (byte ${offset})`);
}

/** Parses `buffer` (UTF-8, no DTD) and returns its document element. */
export function scanXml(buffer: Buffer): XmlElement {
  return new XmlScanner(buffer).scan();
}

class XmlScanner {
  private pos = 0;
  private readonly stack: XmlElement[] = [];
  private root: XmlElement | undefined;

  constructor(private readonly buffer: Buffer) {}

  scan(): XmlElement {
    this.skipByteOrderMark();
    const { buffer } = this;
    while (this.pos < buffer.length) {
      const lt = buffer.indexOf(LT, this.pos);
      const textEnd = lt === -1 ? buffer.length : lt;
      if (textEnd > this.pos) this.addText(this.pos, textEnd, false);
      if (lt === -1) break;
      const next = buffer[lt + 1];
      if (next === QUESTION) this.skipProcessingInstruction(lt);
      else if (next === BANG) this.readBangConstruct(lt);
      else if (next === SLASH) this.readEndTag(lt);
      else this.readStartTag(lt);
    }
    const open = this.stack[this.stack.length - 1];
    if (open) throw malformed(`element <${open.qualifiedName}> is never closed`, open.startOffset);
    if (!this.root) throw malformed('no root element', 0);
    return this.root;
  }

  private skipByteOrderMark(): void {
    const b = this.buffer;
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = 3;
    else if ((b[0] === 0xfe && b[1] === 0xff) || (b[0] === 0xff && b[1] === 0xfe)) {
      throw new EdxmlError('EDXML_UNSUPPORTED_ENCODING', 'UTF-16 input; edXML packages must be UTF-8');
    }
  }

  private indexOfOrThrow(marker: string, from: number, what: string): number {
    const at = this.buffer.indexOf(marker, from, 'latin1');
    if (at === -1) throw malformed(`unterminated ${what}`, from);
    return at;
  }

  private startsWithAt(offset: number, marker: string): boolean {
    return this.buffer.toString('latin1', offset, offset + marker.length) === marker;
  }

  private addText(start: number, end: number, cdata: boolean): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent) {
      parent.children.push({ kind: 'text', start, end, cdata });
      return;
    }
    for (let i = start; i < end; i++) {
      if (!isSpace(this.buffer[i])) throw malformed('character data outside the root element', i);
    }
  }

  private skipProcessingInstruction(lt: number): void {
    const end = this.indexOfOrThrow('?>', lt + 2, 'processing instruction');
    if (this.startsWithAt(lt, '<?xml') && isSpace(this.buffer[lt + 5])) {
      const declaration = this.buffer.toString('latin1', lt, end);
      const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(declaration)?.[1];
      if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
        throw new EdxmlError('EDXML_UNSUPPORTED_ENCODING', `declared encoding "${encoding}"; edXML packages must be UTF-8`);
      }
    }
    this.pos = end + 2;
  }

  private readBangConstruct(lt: number): void {
    if (this.startsWithAt(lt, '<!--')) {
      this.pos = this.indexOfOrThrow('-->', lt + 4, 'comment') + 3;
    } else if (this.startsWithAt(lt, '<![CDATA[')) {
      const end = this.indexOfOrThrow(']]>', lt + 9, 'CDATA section');
      if (this.stack.length === 0) throw malformed('CDATA outside the root element', lt);
      this.addText(lt + 9, end, true);
      this.pos = end + 3;
    } else if (this.startsWithAt(lt, '<!DOCTYPE')) {
      throw new EdxmlError('EDXML_DOCTYPE_FORBIDDEN', 'DOCTYPE declarations are not allowed in edXML');
    } else if (this.startsWithAt(lt, '<!ENTITY')) {
      throw new EdxmlError('EDXML_ENTITY_FORBIDDEN', 'entity declarations are not allowed in edXML');
    } else {
      throw malformed('unsupported markup declaration', lt);
    }
  }

  private readEndTag(lt: number): void {
    const gt = this.buffer.indexOf(GT, lt + 2);
    if (gt === -1) throw malformed('unterminated end tag', lt);
    const name = decodeUtf8(this.buffer, lt + 2, gt).trimEnd();
    const element = this.stack.pop();
    if (!element || element.qualifiedName !== name) {
      throw malformed(`end tag </${name}> does not match <${element?.qualifiedName ?? '(none)'}>`, lt);
    }
    element.contentEnd = lt;
    element.endOffset = gt + 1;
    this.pos = gt + 1;
  }

  private readName(from: number): { name: string; end: number } {
    let end = from;
    const b = this.buffer;
    while (end < b.length && !isSpace(b[end]) && b[end] !== SLASH && b[end] !== GT && b[end] !== EQUALS) end++;
    if (end === from) throw malformed('expected a name', from);
    return { name: decodeUtf8(b, from, end), end };
  }

  private skipSpaces(from: number): number {
    let i = from;
    while (isSpace(this.buffer[i])) i++;
    return i;
  }

  private readStartTag(lt: number): void {
    if (this.root && this.stack.length === 0) throw malformed('content after the root element', lt);
    const b = this.buffer;
    const { name: qualifiedName, end: nameEnd } = this.readName(lt + 1);
    const rawAttributes: Array<{ name: string; value: string }> = [];
    let i = nameEnd;
    let selfClosing = false;
    for (;;) {
      i = this.skipSpaces(i);
      if (i >= b.length) throw malformed(`unterminated start tag <${qualifiedName}>`, lt);
      if (b[i] === GT) break;
      if (b[i] === SLASH && b[i + 1] === GT) {
        selfClosing = true;
        i++;
        break;
      }
      const { name, end } = this.readName(i);
      i = this.skipSpaces(end);
      if (b[i] !== EQUALS) throw malformed(`attribute ${name} has no value`, i);
      i = this.skipSpaces(i + 1);
      const quote = b[i];
      if (quote !== 0x22 && quote !== 0x27) throw malformed(`attribute ${name} value is not quoted`, i);
      const close = b.indexOf(quote, i + 1);
      if (close === -1) throw malformed(`unterminated value of attribute ${name}`, i);
      const raw = decodeUtf8(b, i + 1, close);
      if (raw.includes('<')) throw malformed(`'<' in value of attribute ${name}`, i);
      rawAttributes.push({ name, value: decodeEntities(raw) });
      i = close + 1;
    }
    const element = this.createElement(qualifiedName, rawAttributes, selfClosing, lt, i + 1);
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children.push(element);
    else this.root = element;
    if (!selfClosing) this.stack.push(element);
    this.pos = i + 1;
  }

  private createElement(
    qualifiedName: string,
    rawAttributes: Array<{ name: string; value: string }>,
    selfClosing: boolean,
    startOffset: number,
    afterStartTag: number,
  ): XmlElement {
    const parentScope = this.stack[this.stack.length - 1]?.inScopeNamespaces ?? EMPTY_SCOPE;
    const declared = new Map<string, string>();
    for (const { name, value } of rawAttributes) {
      if (name === 'xmlns') declared.set('', value);
      else if (name.startsWith('xmlns:')) declared.set(name.slice(6), value);
    }
    const scope = declared.size === 0 ? parentScope : new Map([...parentScope, ...declared]);
    const { prefix, localName } = splitName(qualifiedName);
    const attributes: XmlAttribute[] = rawAttributes
      .filter(({ name }) => name !== 'xmlns' && !name.startsWith('xmlns:'))
      .map(({ name, value }) => {
        const parts = splitName(name);
        return { qualifiedName: name, ...parts, namespaceUri: parts.prefix ? resolve(scope, parts.prefix, startOffset) : '', value };
      });
    return {
      kind: 'element',
      qualifiedName,
      prefix,
      localName,
      namespaceUri: resolve(scope, prefix, startOffset),
      attributes,
      declaredNamespaces: declared,
      inScopeNamespaces: scope,
      children: [],
      selfClosing,
      startOffset,
      contentStart: afterStartTag,
      contentEnd: afterStartTag,
      endOffset: afterStartTag,
    };
  }
}

function splitName(qualifiedName: string): { prefix: string; localName: string } {
  const colon = qualifiedName.indexOf(':');
  return colon === -1
    ? { prefix: '', localName: qualifiedName }
    : { prefix: qualifiedName.slice(0, colon), localName: qualifiedName.slice(colon + 1) };
}

function resolve(scope: ReadonlyMap<string, string>, prefix: string, offset: number): string {
  const uri = scope.get(prefix);
  if (uri !== undefined) return uri;
  if (prefix === '') return '';
  throw malformed(`namespace prefix "${prefix}" is not declared`, offset);
}
