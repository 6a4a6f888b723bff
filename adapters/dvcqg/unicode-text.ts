// Normalises every string inside a JSON-like value to Unicode NFC (Vietnamese precomposed form).
export function toNfcDeep<T>(value: T): T {
  return normalise(value) as T;
}

function normalise(value: unknown): unknown {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = normalise(inner);
    return out;
  }
  return value;
}
