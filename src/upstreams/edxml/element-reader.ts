// Field extraction over a scanned edXML tree: finds children by local name and returns NFC, trimmed, typed values.
import { EdxmlError } from './errors';
import { LEGACY_EDOC_NAMESPACE, QCVN_102_2016_NAMESPACE } from './namespaces';
import type { XmlElement } from './xml-scanner';
import { decodeEntities, decodeUtf8 } from './xml-text';

// Unqualified children are accepted too: several producers write AttachmentEncoded and its fields without a namespace.
const FIELD_NAMESPACES = new Set([QCVN_102_2016_NAMESPACE, LEGACY_EDOC_NAMESPACE, '']);

export class ElementReader {
  constructor(private readonly buffer: Buffer) {}

  children(parent: XmlElement, localName: string): XmlElement[] {
    const found: XmlElement[] = [];
    for (const node of parent.children) {
      if (node.kind === 'element' && node.localName === localName && FIELD_NAMESPACES.has(node.namespaceUri)) found.push(node);
    }
    return found;
  }

  /** The single child called `localName`, undefined if absent; two or more is an error. */
  child(parent: XmlElement, localName: string, path: string): XmlElement | undefined {
    const found = this.children(parent, localName);
    if (found.length > 1) throw new EdxmlError('EDXML_DUPLICATE_FIELD', `<${localName}> appears ${found.length} times`, `${path}/${localName}`);
    return found[0];
  }

  /** Character content of an element: entities decoded, trimmed, NFC. Child elements are ignored. */
  text(element: XmlElement): string {
    let raw = '';
    for (const node of element.children) {
      if (node.kind !== 'text') continue;
      const piece = decodeUtf8(this.buffer, node.start, node.end);
      raw += node.cdata ? piece : decodeEntities(piece);
    }
    return raw.trim().normalize('NFC');
  }

  optionalText(parent: XmlElement, localName: string, path: string): string | undefined {
    const element = this.child(parent, localName, path);
    if (!element) return undefined;
    const value = this.text(element);
    return value === '' ? undefined : value;
  }

  /** Text of a required child; '' when absent so the validator reports it with the full path. */
  requiredText(parent: XmlElement, localName: string, path: string): string {
    return this.optionalText(parent, localName, path) ?? '';
  }

  optionalInteger(parent: XmlElement, localName: string, path: string): number | undefined {
    const value = this.optionalText(parent, localName, path);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) throw new EdxmlError('EDXML_INVALID_VALUE', `"${value}" is not an integer`, `${path}/${localName}`);
    return Number.parseInt(value, 10);
  }

  requiredInteger(parent: XmlElement, localName: string, path: string): number {
    const value = this.optionalInteger(parent, localName, path);
    if (value === undefined) throw new EdxmlError('EDXML_MISSING_FIELD', 'required value is missing', `${path}/${localName}`);
    return value;
  }

  optionalBoolean(parent: XmlElement, localName: string, path: string): boolean | undefined {
    const value = this.optionalText(parent, localName, path);
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    throw new EdxmlError('EDXML_INVALID_VALUE', `"${value}" is not a boolean`, `${path}/${localName}`);
  }

  textList(parent: XmlElement, localName: string): string[] {
    return this.children(parent, localName)
      .map((element) => this.text(element))
      .filter((value) => value !== '');
  }
}

/** First descendant (breadth-first, up to `maxDepth` levels) matching the predicate, not descending into `skip`ped names. */
export function findDescendant(
  root: XmlElement,
  predicate: (element: XmlElement) => boolean,
  maxDepth: number,
  skipLocalNames: ReadonlySet<string> = new Set(),
): XmlElement | undefined {
  let level: XmlElement[] = [root];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: XmlElement[] = [];
    for (const element of level) {
      if (predicate(element)) return element;
      if (skipLocalNames.has(element.localName)) continue;
      for (const node of element.children) if (node.kind === 'element') next.push(node);
    }
    level = next;
  }
  return undefined;
}
