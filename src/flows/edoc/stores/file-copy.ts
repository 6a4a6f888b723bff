// Copies a file to a destination stream (a download's HTTP response) through a few buffers used again and again. A
// read stream makes a new Buffer for every window of the file, and V8 counts the memory of those Buffers towards its
// next full collection: downloads of 26.7 MiB packages started a full garbage collection every ~200 ms, each holding
// the event loop 3–40 ms (docs/performance.md, "Large e-documents").
//
// The rule that makes reuse safe: a window goes back to the pool only once the destination has called back for its
// bytes without an error (a socket calls back once the kernel has them). A window whose write failed, or whose call
// back never came, is left to the garbage collector: the destination may still hold it.
import { open, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

export const COPY_WINDOW_BYTES = 256 * 1024;
/** Windows kept between copies: 4 MiB, enough for several downloads at once; a copy that finds none makes one. */
const KEPT_WINDOWS = 16;
/** Windows a copy has written and not yet had back: the next read runs while the last window is written. */
const WINDOWS_IN_FLIGHT = 2;

const free: Buffer[] = [];
let made = 0;

function takeWindow(): Buffer {
  const window = free.pop();
  if (window) return window;
  made += 1;
  return Buffer.allocUnsafeSlow(COPY_WINDOW_BYTES);
}

function giveBack(window: Buffer): void {
  if (free.length < KEPT_WINDOWS) free.push(window);
}

/** How many windows copies have made since the process started (each is kept and used again). */
export function copyWindowsMade(): number {
  return made;
}

/**
 * Writes the file's bytes to `destination` and ends it. Fails when the file is missing or not exactly `bytes` long,
 * or when the destination fails or closes first; the destination is then destroyed (the error is the caller's).
 */
export async function copyFileTo(filePath: string, bytes: number, destination: Writable): Promise<void> {
  // A destination that fails or closes drops its pending writes, and may not call them back: the copy stops then.
  let gone: () => void = () => undefined;
  const goneEarly = new Promise<false>((resolve) => {
    gone = () => resolve(false);
  });
  destination.once('close', gone);
  destination.once('error', gone);
  try {
    const file = await open(filePath, 'r');
    try {
      await copyWindows(file, bytes, destination, goneEarly);
    } finally {
      await file.close();
    }
    destination.end();
    await finished(destination);
  } catch (error) {
    // Destroyed without the error, which the caller gets: an 'error' event nobody listens to would end the process.
    destination.destroy();
    throw error;
  } finally {
    destination.off('close', gone);
    destination.off('error', gone);
  }
}

async function copyWindows(file: FileHandle, bytes: number, destination: Writable, goneEarly: Promise<false>): Promise<void> {
  const written: Promise<boolean>[] = [];
  let position = 0;
  for (;;) {
    if (written.length >= WINDOWS_IN_FLIGHT && !(await Promise.race([written.shift()!, goneEarly]))) throw destinationGone();
    const window = takeWindow();
    const { bytesRead } = await file.read(window, 0, COPY_WINDOW_BYTES, position);
    if (bytesRead === 0) {
      giveBack(window);
      break;
    }
    position += bytesRead;
    if (position > bytes) {
      giveBack(window);
      throw new Error(`blob file longer than its ${bytes} bytes`);
    }
    written.push(
      new Promise<boolean>((resolve) => {
        destination.write(window.subarray(0, bytesRead), (error) => {
          if (!error) giveBack(window);
          resolve(!error);
        });
      }),
    );
  }
  if (position !== bytes) throw new Error(`blob file incomplete: ${position} of ${bytes} bytes`);
  for (const write of written) if (!(await Promise.race([write, goneEarly]))) throw destinationGone();
}

function destinationGone(): Error {
  return new Error('the destination closed or failed before the file was written');
}
