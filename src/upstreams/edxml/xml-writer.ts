// Small indented XML text writer used by the builders; values are escaped and NFC-normalised on the way out.
import { escapeAttribute, escapeText } from './xml-text';

export type LeafValue = string | number | boolean | undefined;

export class XmlWriter {
  private readonly parts: string[] = [];
  private depth = 0;

  /** @param prefix written before every name given without one, e.g. `edXML` → `edXML:Subject`. */
  constructor(private readonly prefix: string) {}

  private qualify(name: string): string {
    return this.prefix === '' || name.includes(':') ? name : `${this.prefix}:${name}`;
  }

  private line(text: string): void {
    this.parts.push(`${'  '.repeat(this.depth)}${text}\n`);
  }

  open(name: string, attributes: Record<string, string> = {}): this {
    const attributeText = Object.entries(attributes)
      .map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`)
      .join('');
    this.line(`<${this.qualify(name)}${attributeText}>`);
    this.depth++;
    return this;
  }

  close(name: string): this {
    this.depth--;
    this.line(`</${this.qualify(name)}>`);
    return this;
  }

  /** Writes `<name>value</name>`; skips undefined values so optional fields simply disappear. */
  leaf(name: string, value: LeafValue): this {
    if (value === undefined) return this;
    const qualified = this.qualify(name);
    this.line(`<${qualified}>${escapeText(String(value))}</${qualified}>`);
    return this;
  }

  /** Writes pre-serialised markup unchanged (only indentation is put before it). */
  raw(markup: string): this {
    this.line(markup);
    return this;
  }

  /** Writes a start tag and its text without a newline, for bodies streamed in afterwards. */
  openInline(name: string, attributes: Record<string, string> = {}): this {
    const attributeText = Object.entries(attributes)
      .map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`)
      .join('');
    this.parts.push(`${'  '.repeat(this.depth)}<${this.qualify(name)}${attributeText}>`);
    return this;
  }

  closeInline(name: string): this {
    this.parts.push(`</${this.qualify(name)}>\n`);
    return this;
  }

  /** Sets the indentation level, for content inside a root written with raw(). */
  setDepth(depth: number): this {
    this.depth = depth;
    return this;
  }

  /** Returns what was written so far and clears the writer (indentation depth is kept). */
  flush(): string {
    const text = this.parts.join('');
    this.parts.length = 0;
    return text;
  }
}
