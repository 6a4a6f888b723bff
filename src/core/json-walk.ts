// Walks and rebuilds JSON values without recursion: no depth of input can overflow the stack of a walker built on these.

/** An array or a plain record: the values a walk descends into. */
type Container = unknown[] | Record<string, unknown>;

function isContainer(value: unknown): value is Container {
  return value !== null && typeof value === 'object';
}

/** A place in a walked value: the place of its parent (null at the whole value) and its key or index there. */
export interface JsonPlace {
  readonly parent: JsonPlace | null;
  readonly segment: string | number;
}

/** RFC 6901 JSON pointer of a place ('' is the whole value), as ajv names fields in its instancePath. Built on demand. */
export function jsonPointer(place: JsonPlace): string {
  const segments: string[] = [];
  for (let p = place; p.parent !== null; p = p.parent) segments.push(String(p.segment).replace(/~/g, '~0').replace(/\//g, '~1'));
  return segments.length === 0 ? '' : `/${segments.reverse().join('/')}`;
}

export interface JsonVisitor {
  /** Every array and object, on the way down; depth 1 is the outermost. False stops the walk. */
  container?(depth: number, place: JsonPlace): boolean;
  /** Every string value, and every object key (`key` true, `place` naming its property). False stops the walk. */
  string?(text: string, place: JsonPlace, key: boolean): boolean;
}

/** A value still to visit, at its place; it is the place its children name as their parent. */
interface Pending extends JsonPlace {
  readonly value: unknown;
  readonly depth: number;
}

/** Visits the value depth first, in document order, with a heap stack; numbers, booleans and nulls are passed over. */
export function walkJson(value: unknown, visitor: JsonVisitor): void {
  const stack: Pending[] = [{ parent: null, segment: '', value, depth: 0 }];
  const worthVisiting = (v: unknown) => typeof v === 'string' || isContainer(v);
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      if (visitor.string && !visitor.string(item.value, item, false)) return;
      continue;
    }
    if (!isContainer(item.value)) continue;
    const depth = item.depth + 1;
    if (visitor.container && !visitor.container(depth, item)) return;
    if (Array.isArray(item.value)) {
      for (let i = item.value.length - 1; i >= 0; i--) {
        const child: unknown = item.value[i];
        if (worthVisiting(child)) stack.push({ parent: item, segment: i, value: child, depth });
      }
      continue;
    }
    const record = item.value;
    const children = Object.keys(record).map((key): Pending => ({ parent: item, segment: key, value: record[key], depth }));
    if (visitor.string) for (const child of children) if (!visitor.string(child.segment as string, child, true)) return;
    for (let i = children.length - 1; i >= 0; i--) if (worthVisiting(children[i]!.value)) stack.push(children[i]!);
  }
}

export interface JsonRebuild {
  /** The new form of a string value. */
  string(text: string): string;
  /** The new name of an object key; default the key itself. */
  key?(key: string): string;
  /**
   * The new value of an object's property in place of its old one, or undefined to rebuild the old one as usual; a
   * property so replaced is not descended into.
   */
  property?(key: string, value: unknown): unknown;
}

/** One array or object being rebuilt: copied only from its first changed entry on. */
class RebuildFrame {
  private readonly keys: string[] | null;
  private index = 0;
  private copy: Container | null = null;

  constructor(readonly source: Container) {
    this.keys = Array.isArray(source) ? null : Object.keys(source);
  }

  get done(): boolean {
    return this.index >= (this.keys ?? (this.source as unknown[])).length;
  }

  get key(): string | null {
    return this.keys === null ? null : this.keys[this.index]!;
  }

  get current(): unknown {
    const key = this.key;
    return key === null ? (this.source as unknown[])[this.index] : (this.source as Record<string, unknown>)[key];
  }

  /** Sets the current entry's new key and value, and moves on. */
  put(key: string | null, value: unknown): void {
    const oldKey = this.key;
    if (this.copy === null && (value !== this.current || key !== oldKey)) {
      if (oldKey === null) this.copy = (this.source as unknown[]).slice(0, this.index);
      else {
        const record: Record<string, unknown> = {};
        for (const earlier of this.keys!.slice(0, this.index)) setOwn(record, earlier, (this.source as Record<string, unknown>)[earlier]);
        this.copy = record;
      }
    }
    if (Array.isArray(this.copy)) this.copy.push(value);
    else if (this.copy !== null) setOwn(this.copy, key!, value);
    this.index++;
  }

  get result(): Container {
    return this.copy ?? this.source;
  }
}

/**
 * The value with its strings and keys rebuilt by the rules, depth first with a heap stack. What does not change is
 * not copied: a value the rules leave alone is returned as it is, and a changed one shares its unchanged parts.
 */
export function rebuildJson(value: unknown, rules: JsonRebuild): unknown {
  const leaf = (v: unknown): unknown => (typeof v === 'string' ? rules.string(v) : v);
  if (!isContainer(value)) return leaf(value);
  const stack: RebuildFrame[] = [new RebuildFrame(value)];
  let finished: { value: unknown } | null = null;
  for (;;) {
    const frame = stack[stack.length - 1]!;
    if (finished !== null) {
      frame.put(newKey(frame.key), finished.value);
      finished = null;
    }
    let descended = false;
    while (!frame.done) {
      const key = frame.key;
      const child = frame.current;
      const replaced = key !== null && rules.property ? rules.property(key, child) : undefined;
      if (replaced !== undefined) frame.put(newKey(key), replaced);
      else if (isContainer(child)) {
        stack.push(new RebuildFrame(child));
        descended = true;
        break;
      } else frame.put(newKey(key), leaf(child));
    }
    if (descended) continue;
    stack.pop();
    if (stack.length === 0) return frame.result;
    finished = { value: frame.result };
  }

  function newKey(key: string | null): string | null {
    return key === null || !rules.key ? key : rules.key(key);
  }
}

/** Sets an own property, even one named `__proto__` (plain assignment would replace the object's prototype). */
export function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}
