// Copying a stored package to a download through windows used again: the bytes arrive whole and in order whatever
// the destination's pace, a window goes back to the pool only once the destination has called back for it, and
// copies one after another make no new windows.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { COPY_WINDOW_BYTES, copyFileTo, copyWindowsMade } from '../../../src/flows/edoc/stores/file-copy';

/** Keeps what each write held when it was called back, then calls back after `delay` turns. */
class PacedSink extends Writable {
  readonly received: Buffer[] = [];
  constructor(private readonly delay: number) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    let turns = this.delay;
    const next = (): void => {
      if (turns-- > 0) setImmediate(next);
      else {
        // Read at the moment of the call back: a window used again before it would show the next bytes here.
        this.received.push(Buffer.from(chunk));
        done();
      }
    };
    next();
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lgsp-file-copy-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileOf(bytes: Buffer): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.edxml`);
  writeFileSync(file, bytes);
  return file;
}

test('three copies at once to destinations of different paces each get the exact bytes, and are ended', async () => {
  const packages = [0, 1, 2].map((i) => randomBytes(COPY_WINDOW_BYTES * 5 + 1000 * i));
  const sinks = [new PacedSink(0), new PacedSink(3), new PacedSink(7)];
  await Promise.all(packages.map((bytes, i) => copyFileTo(fileOf(bytes), bytes.length, sinks[i]!)));
  sinks.forEach((sink, i) => {
    expect(sink.writableFinished).toBe(true);
    expect(Buffer.concat(sink.received).equals(packages[i]!)).toBe(true);
  });
});

test('copies one after another use the same windows: a 5 MiB package three times makes none after the first', async () => {
  const bytes = randomBytes(5 * 1024 * 1024);
  const file = fileOf(bytes);
  await copyFileTo(file, bytes.length, new PacedSink(1));
  const before = copyWindowsMade();
  for (let i = 0; i < 3; i++) {
    const sink = new PacedSink(1);
    await copyFileTo(file, bytes.length, sink);
    expect(Buffer.concat(sink.received).equals(bytes)).toBe(true);
  }
  expect(copyWindowsMade()).toBe(before);
});

test('a file shorter or longer than its blob fails the copy and destroys the destination, unended', async () => {
  const bytes = randomBytes(COPY_WINDOW_BYTES + 10);
  for (const claimed of [bytes.length + 1, bytes.length - 1]) {
    const sink = new PacedSink(0);
    await expect(copyFileTo(fileOf(bytes), claimed, sink)).rejects.toThrow(/blob file (incomplete|longer)/);
    expect(sink.destroyed).toBe(true);
    expect(sink.writableFinished).toBe(false);
  }
  await expect(copyFileTo(path.join(dir, 'missing.edxml'), 10, new PacedSink(0))).rejects.toThrow(/ENOENT/);
});

test('a destination destroyed during the copy stops it with an error; the process does not crash', async () => {
  const bytes = randomBytes(COPY_WINDOW_BYTES * 8);
  const sink = new PacedSink(2);
  const copying = copyFileTo(fileOf(bytes), bytes.length, sink);
  setImmediate(() => sink.destroy(new Error('client went away')));
  await expect(copying).rejects.toThrow(/client went away|destination closed/);
});
