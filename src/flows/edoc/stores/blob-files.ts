// Package bytes of the SQLite edoc store as one file per blob in the data directory: written and read by the thread
// pool (fs promises and streams), never on the event loop, fsynced and renamed into place before the blob is known, and
// streamed to readers as they are (a SQLite row of 1 MiB held the loop tens of ms per write and per read).
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../../stores/private-files';
import type { BlobRef } from './edoc-store';
import { copyFileTo } from './file-copy';

/** Read ahead per step of a stream: a bounded window whatever the package's size. */
const STREAM_WINDOW = 256 * 1024;
const TEMPORARY_SUFFIX = '.tmp';

export class BlobFiles {
  /** Opened by the one process that writes the directory: temporary files found there are of a put cut short. */
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    for (const name of readdirSync(dir)) if (name.endsWith(TEMPORARY_SUFFIX)) rmSync(path.join(dir, name), { force: true });
  }

  /** One file per (DocumentId, sha256): the DocumentId is the sender's text, so it is hashed into the name. */
  pathOf(ref: Pick<BlobRef, 'documentId' | 'sha256'>): string {
    const documentHash = createHash('sha256').update(ref.documentId, 'utf8').digest('hex').slice(0, 32);
    return path.join(this.dir, `${ref.sha256}-${documentHash}.edxml`);
  }

  /**
   * Writes the concatenation of `chunks` durably: a temporary file written and fsynced, renamed to its name and the
   * directory fsynced, so the file is whole once this resolves and never seen half-written under its name.
   */
  async write(ref: Pick<BlobRef, 'documentId' | 'sha256'>, chunks: readonly Buffer[]): Promise<void> {
    const target = this.pathOf(ref);
    const temporary = `${target}.${randomUUID()}${TEMPORARY_SUFFIX}`;
    const file = await open(temporary, 'w', PRIVATE_FILE_MODE);
    try {
      await file.writev([...chunks]);
      await file.sync();
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
    await file.close();
    await rename(temporary, target);
    const directory = await open(this.dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }

  /** Whether the file is there with exactly `ref.bytes` bytes. */
  async complete(ref: BlobRef): Promise<boolean> {
    const info = await stat(this.pathOf(ref)).catch(nullWhenMissing);
    return info !== null && info.size === ref.bytes;
  }

  /** The whole file in one Buffer, or null when it is missing or not of its length. */
  async read(ref: BlobRef): Promise<Buffer | null> {
    const bytes = await readFile(this.pathOf(ref)).catch(nullWhenMissing);
    return bytes !== null && bytes.length === ref.bytes ? bytes : null;
  }

  /** The file as it reads; fails (as a stream) when it is missing or shorter or longer than `ref.bytes`. */
  stream(ref: BlobRef): Readable {
    let seen = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        done(null, chunk);
      },
      flush(done) {
        done(seen === ref.bytes ? null : new Error(`blob file incomplete: ${seen} of ${ref.bytes} bytes`));
      },
    });
    const file = createReadStream(this.pathOf(ref), { highWaterMark: STREAM_WINDOW });
    file.once('error', (error) => counted.destroy(error));
    return file.pipe(counted);
  }

  /** The file written to `destination` through windows used again, then ended; fails as `stream` does. */
  copyTo(ref: BlobRef, destination: Writable): Promise<void> {
    return copyFileTo(this.pathOf(ref), ref.bytes, destination);
  }
}

/** A file that is not there reads as null; any other failure stands. */
function nullWhenMissing(error: NodeJS.ErrnoException): null {
  if (error.code === 'ENOENT') return null;
  throw error;
}
