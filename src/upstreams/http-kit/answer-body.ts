// Reads an upstream's answer body: JSON when it parses, else the text, null when empty.

export function jsonOrText(body: Buffer): unknown {
  if (body.length === 0) return null;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
