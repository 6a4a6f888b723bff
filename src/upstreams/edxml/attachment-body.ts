// Streams attachment bodies in small chunks: decoded bytes out of a package's base64 range, or base64 text for the builder.
import { Readable } from 'node:stream';
import { EdxmlError } from './errors';
import type { AttachmentBody, Base64RangeBody } from './types';

/** Base64 characters read per step; a multiple of 4 so most steps decode without carry. */
const ENCODED_WINDOW = 64 * 1024;
/** Raw bytes encoded per step by the builder; a multiple of 3 so chunks concatenate into valid base64. */
const RAW_WINDOW = 48 * 1024;
/** Base64 bytes checked per step by checkAttachmentBase64 (a millisecond or so). */
const CHECK_WINDOW = 1024 * 1024;

/** A Readable of the decoded attachment bytes; memory use is bounded by one window, whatever the attachment size. */
export function openAttachmentStream(body: AttachmentBody): Readable {
  if (body.kind === 'bytes') return Readable.from([body.data], { objectMode: false });
  return new Base64RangeDecoder(body);
}

/** Exact decoded size of a base64 range, counted without decoding it. */
export function decodedByteLength(body: AttachmentBody): number {
  if (body.kind === 'bytes') return body.data.length;
  let characters = 0;
  let padding = 0;
  const { source, start, end } = body;
  for (let i = start; i < end; i++) {
    const byte = source[i];
    if (byte === 0x3d) padding++;
    else if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) characters++;
  }
  return Math.floor(((characters + padding) * 3) / 4) - padding;
}

/** Sextet values of the base64 alphabet; the other bytes are WHITESPACE_SEXTET, PADDING_SEXTET or INVALID_SEXTET. */
const WHITESPACE_SEXTET = -2;
const PADDING_SEXTET = -3;
const INVALID_SEXTET = -1;
const SEXTET = (() => {
  const table = new Int8Array(256).fill(INVALID_SEXTET);
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].forEach((c, i) => (table[c.charCodeAt(0)] = i));
  for (const c of '\t\n\r ') table[c.charCodeAt(0)] = WHITESPACE_SEXTET;
  table[0x3d] = PADDING_SEXTET;
  return table;
})();

/**
 * 1 at the index `first | second << 8` of two bytes that are both base64 characters (sextets of SEXTET): the common
 * case of a check, looked up twice per 4-byte word and once per pair. Built from SEXTET, so it holds no rule of its
 * own; 64 KiB.
 */
const ALPHABET_PAIR = (() => {
  const table = new Uint8Array(65536);
  for (let first = 0; first < 256; first++) {
    for (let second = 0; second < 256; second++) if (SEXTET[first]! >= 0 && SEXTET[second]! >= 0) table[first | (second << 8)] = 1;
  }
  return table;
})();

/** The 32-bit words of a window that lie wholly inside it at 4-byte aligned addresses: a view, made once per window. */
interface AlignedWords {
  /** Where the first word begins in `source`. */
  base: number;
  words: Uint32Array;
}

const NO_WORDS = new Uint32Array(0);

function alignedWords(source: Buffer, from: number, stop: number): AlignedWords {
  const base = from + ((4 - ((source.byteOffset + from) & 3)) & 3);
  const count = (stop - base) >> 2;
  return { base, words: count > 0 ? new Uint32Array(source.buffer, source.byteOffset + base, count) : NO_WORDS };
}

/**
 * Where a run of base64 characters from `from` ends, read four bytes a step (a 32-bit load and two ALPHABET_PAIR
 * lookups) over the window's aligned words: the start of the first word that is not four base64 characters, or the end
 * of the last word; `from` itself when a byte before the first word at or after it is not base64. The pair loop after
 * it finds the exact end. Either byte order gives the same answer: a pair passes only when both of its bytes do.
 */
function alphabetWordsEnd(source: Buffer, { base, words }: AlignedWords, from: number): number {
  let i = (from - base + 3) >> 2;
  if (i >= words.length) return from;
  const first = base + 4 * i;
  for (let at = from; at < first; at++) if (SEXTET[source[at]!]! < 0) return from;
  while (i < words.length) {
    const word = words[i]!;
    if ((ALPHABET_PAIR[word & 0xffff]! & ALPHABET_PAIR[word >>> 16]!) === 0) break;
    i++;
  }
  return base + 4 * i;
}

/**
 * Decodes a base64 range window by window, byte by byte, with the rules a body is held to: the base64 alphabet and
 * whitespace only, '=' only as trailing padding of the whole body, and not one character left over at the end (no
 * byte could be decoded from it). Node's own decoder skips what it does not know instead of refusing it, and needs
 * the text as a string; this one reads bytes and makes no string or Buffer of its own, so tens of MiB cost one pass
 * and leave nothing for the garbage collector. It decodes the same bytes as Node's decoder for every body it accepts.
 */
export class Base64RangeReader {
  private position: number;
  private group = 0;
  private groupLength = 0;
  /** Data and padding characters read so far. */
  private characters = 0;
  private paddingSeen = false;

  constructor(private readonly body: Base64RangeBody) {
    this.position = body.start;
  }

  get done(): boolean {
    return this.position >= this.body.end;
  }

  /**
   * Reads up to `window` more bytes of the range as `read` does, holding them to the same rules, without decoding
   * them: a check that keeps nothing (a reader is either checked or read, not both). Throws EDXML_INVALID_BASE64.
   */
  check(window: number): void {
    const { source } = this.body;
    const stop = Math.min(this.body.end, this.position + window);
    // Made once per window, not per run: a body in lines of 76 characters has a run per line.
    const words = alignedWords(source, this.position, stop);
    while (this.position < stop) {
      // Base64 characters before any padding pass every rule as they are: they are counted four, then two at a time,
      // and whatever else comes (whitespace, padding, a byte that is not base64, the last odd byte) goes through advance.
      let at = this.position;
      if (!this.paddingSeen) {
        at = alphabetWordsEnd(source, words, at);
        while (at + 1 < stop && ALPHABET_PAIR[source[at]! | (source[at + 1]! << 8)] === 1) at += 2;
      }
      this.characters += at - this.position;
      this.position = at;
      if (at < stop) this.advance(Math.min(2, stop - at), null, 0);
    }
    // The end of the range is checked as advance checks it (a character left over), once the pairs reached it.
    if (this.position === this.body.end) this.advance(0, null, 0);
  }

  /**
   * Reads up to `window` more bytes of the range and writes what they decode to `target` from `at`; answers the bytes
   * written (at most 3/4 of those read, plus 2 of a group left from before). `target` may be the source itself with
   * `at` at or behind the range's start plus what was written before: the writes stay behind the reads. At the end of
   * the range the last partial group is written. Throws EDXML_INVALID_BASE64.
   */
  read(window: number, target: Buffer, at: number): number {
    return this.advance(window, target, at);
  }

  /** `read`, or `check` when `target` is null (no group is built or written). */
  private advance(window: number, target: Buffer | null, at: number): number {
    const { source, end } = this.body;
    const stop = Math.min(end, this.position + window);
    let group = this.group;
    let length = this.groupLength;
    let written = at;
    let characters = 0;
    let paddingSeen = this.paddingSeen;
    for (let i = this.position; i < stop; i++) {
      const sextet = SEXTET[source[i]!]!;
      if (sextet >= 0) {
        if (paddingSeen) throw invalidBase64('attachment body is not valid base64');
        characters++;
        if (target === null) continue;
        group = (group << 6) | sextet;
        if (++length === 4) {
          target[written++] = group >>> 16;
          target[written++] = (group >>> 8) & 0xff;
          target[written++] = group & 0xff;
          group = 0;
          length = 0;
        }
      } else if (sextet === PADDING_SEXTET) {
        paddingSeen = true;
        characters++;
      } else if (sextet !== WHITESPACE_SEXTET) {
        throw invalidBase64('attachment body is not valid base64');
      }
    }
    this.position = stop;
    this.paddingSeen = paddingSeen;
    this.characters += characters;
    if (stop === end) {
      if (this.characters % 4 === 1) throw invalidBase64('truncated base64 data');
      // Two characters carry one byte, three carry two; a lone one (after a whole group and padding) carries none.
      if (target !== null && length === 2) target[written++] = (group >>> 4) & 0xff;
      else if (target !== null && length === 3) {
        target[written++] = (group >>> 10) & 0xff;
        target[written++] = (group >>> 2) & 0xff;
      }
      group = 0;
      length = 0;
    }
    this.group = group;
    this.groupLength = length;
    return written - at;
  }
}

/**
 * Checks that a body decodes, without decoding it: a body of tens of MiB costs a pass over its bytes and no garbage.
 * `step` runs after each window (to let the event loop run). Throws EDXML_INVALID_BASE64.
 */
export async function checkAttachmentBase64(body: AttachmentBody, step: (bytes: number) => Promise<void>): Promise<void> {
  if (body.kind === 'bytes') return;
  const reader = new Base64RangeReader(body);
  do {
    reader.check(CHECK_WINDOW);
    await step(CHECK_WINDOW);
  } while (!reader.done);
}

/** Bytes a window of `window` base64 bytes can decode to, with the two of a group carried from the window before. */
function decodedCapacity(window: number): number {
  return Math.ceil((window * 3) / 4) + 3;
}

class Base64RangeDecoder extends Readable {
  private readonly reader: Base64RangeReader;
  private started = false;

  constructor(body: Base64RangeBody) {
    super();
    this.reader = new Base64RangeReader(body);
  }

  override _read(): void {
    try {
      while (!this.reader.done || !this.started) {
        this.started = true;
        const chunk = Buffer.allocUnsafe(decodedCapacity(ENCODED_WINDOW));
        const written = this.reader.read(ENCODED_WINDOW, chunk, 0);
        if (written > 0) {
          this.push(chunk.subarray(0, written));
          return;
        }
      }
      this.push(null);
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function invalidBase64(message: string): EdxmlError {
  return new EdxmlError('EDXML_INVALID_BASE64', message, 'AttachmentEncoded/Attachment/ContentTransferEncoded');
}

/** Base64 text of a body in chunks: zero-copy slices for a range, chunk-wise encoding for raw bytes. */
export function* base64Chunks(body: AttachmentBody): Generator<Buffer> {
  if (body.kind === 'base64-range') {
    yield body.source.subarray(body.start, body.end);
    return;
  }
  for (let offset = 0; offset < body.data.length; offset += RAW_WINDOW) {
    yield Buffer.from(body.data.subarray(offset, offset + RAW_WINDOW).toString('base64'), 'latin1');
  }
}
