// Streams attachment bodies in small chunks: decoded bytes out of a package's base64 range, or base64 text for the builder.
import { Readable } from 'node:stream';
import { EdxmlError } from './errors';
import type { AttachmentBody, Base64RangeBody } from './types';

/** Base64 characters read per step; a multiple of 4 so most steps decode without carry. */
const ENCODED_WINDOW = 64 * 1024;
/** Raw bytes encoded per step by the builder; a multiple of 3 so chunks concatenate into valid base64. */
const RAW_WINDOW = 48 * 1024;

const WHITESPACE = /[\t\n\r ]+/g;
const BASE64_DATA = /^[A-Za-z0-9+/]*$/;

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

class Base64RangeDecoder extends Readable {
  private position: number;
  private carry = '';
  private paddingSeen = false;

  constructor(private readonly body: Base64RangeBody) {
    super();
    this.position = body.start;
  }

  override _read(): void {
    try {
      this.pushNextChunk();
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private pushNextChunk(): void {
    const { source, end } = this.body;
    while (this.position < end) {
      const windowEnd = Math.min(end, this.position + ENCODED_WINDOW);
      const text = this.carry + this.validated(source.toString('latin1', this.position, windowEnd).replace(WHITESPACE, ''));
      this.position = windowEnd;
      const usable = text.length - (text.length % 4);
      this.carry = text.slice(usable);
      if (usable > 0) {
        this.push(Buffer.from(text.slice(0, usable), 'base64'));
        return;
      }
    }
    if (this.carry.length === 1) throw invalidBase64('truncated base64 data');
    if (this.carry.length > 0) this.push(Buffer.from(this.carry, 'base64'));
    this.carry = '';
    this.push(null);
  }

  /** Checks one whitespace-free window; '=' may only appear as trailing padding of the whole body. */
  private validated(window: string): string {
    const paddingAt = window.indexOf('=');
    const data = paddingAt === -1 ? window : window.slice(0, paddingAt);
    const padding = paddingAt === -1 ? '' : window.slice(paddingAt);
    if ((this.paddingSeen && data.length > 0) || !BASE64_DATA.test(data) || !/^=*$/.test(padding)) {
      throw invalidBase64('attachment body is not valid base64');
    }
    if (padding.length > 0) this.paddingSeen = true;
    return window;
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
