// Loads edXML sample packages from test/fixtures/edxml and extracts raw slices of them for byte-exact comparisons.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURE_DIR = join(__dirname, '..', '..', '..', 'fixtures', 'edxml');

export function loadFixture(name: string): Buffer {
  return readFileSync(join(FIXTURE_DIR, name));
}

export function loadFixtureText(name: string): string {
  return loadFixture(name).toString('utf8');
}

/** The bytes from the first `open` through the end of the first `close` after it. */
export function sliceBetween(buffer: Buffer, open: string, close: string): Buffer {
  const start = buffer.indexOf(open);
  const end = buffer.indexOf(close, start);
  if (start === -1 || end === -1) throw new Error(`markers ${open} … ${close} not found`);
  return buffer.subarray(start, end + close.length);
}
