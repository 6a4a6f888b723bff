// Large edXML bodies wait on disk, not in memory: each is written to a file of its own as it arrives, and read back
// whole only when one of a few processing turns is free. However many large uploads are in flight, the bus holds at
// most `turns` of them in memory at once (each is parsed, checked and stored from one Buffer), so its peak memory is
// bounded by the turns, not by the senders.
//
// A spool file is unlinked as soon as it is opened: it has no name while it is written and read, it is gone when its
// descriptor is closed, and a bus that dies leaves nothing behind (the packages hold personal data).
import { randomUUID } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_FILE_MODE, privateDir } from '../../stores/private-files';

/** One body on its way to disk. */
export class SpoolFile {
  private written = 0;

  constructor(private readonly file: FileHandle) {}

  get bytes(): number {
    return this.written;
  }

  /** Appends a piece of the body; the next piece should wait for it (the caller pauses the request meanwhile). */
  async append(piece: Buffer): Promise<void> {
    let done = 0;
    while (done < piece.length) {
      const { bytesWritten } = await this.file.write(piece, done, piece.length - done, this.written + done);
      done += bytesWritten;
    }
    this.written += piece.length;
  }

  /** The whole body, read by the thread pool into `into(bytes)`. */
  async readWhole(into: (bytes: number) => Buffer): Promise<Buffer> {
    const whole = into(this.written);
    let done = 0;
    while (done < this.written) {
      const { bytesRead } = await this.file.read(whole, done, this.written - done, done);
      if (bytesRead === 0) throw new Error(`spool file ended after ${done} of ${this.written} bytes`);
      done += bytesRead;
    }
    return whole;
  }

  async discard(): Promise<void> {
    await this.file.close().catch(() => undefined);
  }
}

/** One of the spool's processing turns: its body is read into the turn's own buffer, reused from body to body. */
export interface ProcessingTurn {
  /** A Buffer of exactly `bytes` to read a body into: the turn's buffer, grown when a larger body comes. */
  bodyBuffer(bytes: number): Buffer;
  /** Gives the turn back; calling it more than once gives it back once. The body's Buffer must not be used after. */
  release(): void;
}

/** The turns' buffers are let go after this long without a large body (the bus's idle memory comes back). */
const IDLE_BUFFERS_KEPT_MS = 30_000;

export class BodySpool {
  /** Indexes of free turns; `buffers[i]` is turn i's buffer while it is kept. */
  private readonly freeTurns: number[];
  private readonly buffers: (Buffer | null)[];
  private readonly waiting: ((turn: number) => void)[] = [];
  private idleTimer: NodeJS.Timeout | undefined;

  /** `dir` is created 0700 when a body is spooled; `turns` bodies are processed at once. */
  constructor(
    private readonly dir: string,
    readonly turns: number,
  ) {
    this.freeTurns = Array.from({ length: turns }, (_, i) => turns - 1 - i);
    this.buffers = Array.from({ length: turns }, () => null);
  }

  /** A new spool file, already without a name. The directory is made again if it went away. */
  async open(): Promise<SpoolFile> {
    privateDir(this.dir);
    const name = path.join(this.dir, `${randomUUID()}.spool`);
    const file = await open(name, 'wx+', PRIVATE_FILE_MODE);
    try {
      await unlink(name);
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
    return new SpoolFile(file);
  }

  /**
   * Resolves when a processing turn is free (first come, first served). A body read into a fresh Buffer each time
   * would leave the one before to the garbage collector, which frees it when it next runs: several bodies' worth of
   * dead Buffers were resident at once. One buffer per turn, reused, keeps it to the turns.
   */
  async turn(): Promise<ProcessingTurn> {
    clearTimeout(this.idleTimer);
    const index = this.freeTurns.pop() ?? (await new Promise<number>((resolve) => this.waiting.push(resolve)));
    let released = false;
    return {
      bodyBuffer: (bytes) => {
        let buffer = this.buffers[index];
        if (!buffer || buffer.length < bytes) {
          this.buffers[index] = null;
          buffer = Buffer.allocUnsafeSlow(bytes);
          this.buffers[index] = buffer;
        }
        return buffer.subarray(0, bytes);
      },
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.shift();
        // The turn passes straight to the next waiter, so a body arriving meanwhile cannot take it out of order.
        if (next) return next(index);
        this.freeTurns.push(index);
        if (this.freeTurns.length === this.turns) this.idleTimer = setTimeout(() => this.buffers.fill(null), IDLE_BUFFERS_KEPT_MS).unref();
      },
    };
  }

  /** Bodies waiting for a turn (a metric). */
  get queued(): number {
    return this.waiting.length;
  }
}
