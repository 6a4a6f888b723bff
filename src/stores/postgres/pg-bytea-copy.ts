// Reads bytea values as raw bytes. node-postgres asks for every column as text and decodes it as UTF-8: a bytea comes
// as hex (twice its size) or, through encode(), as base64, which PostgreSQL 15 writes at ~16 ms of a backend's CPU per
// MiB. A binary COPY sends the stored bytes themselves: per MiB read, ~18 → ~1.3 ms of the backend's CPU and ~9 → ~2.5
// ms of the bus's (measured on the reference machine; docs/performance.md). COPY takes no bind parameters, so the
// query's parameters are written as literals by pg's own escapeLiteral (inlineParams).
import type { Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { inlineParams } from './inline-params';
import type { BatchParam } from './pg-group-commit';

/**
 * The values of a SELECT of one bytea column, in its rows' order (null for a NULL), read through a binary COPY on a
 * pooled connection held only for the transfer. The whole result is held in memory: select one chunk at a time.
 */
export async function selectByteaColumn(pool: Pool, select: string, params: readonly BatchParam[]): Promise<(Buffer | null)[]> {
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    // Collected by hand: stream/consumers' buffer() goes through a Blob, two more copies of every byte.
    const pieces: Buffer[] = [];
    for await (const piece of client.query(copyTo(`COPY (${inlineParams(select, params)}) TO STDOUT (FORMAT binary)`))) pieces.push(piece as Buffer);
    return decodeBinaryCopyColumn(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces));
  } catch (error) {
    failed = error as Error;
    throw error;
  } finally {
    // A connection whose COPY broke off mid-transfer may hold unread protocol messages: it is not reused.
    client.release(failed);
  }
}

/** The 11 bytes a binary COPY begins with. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Header flag bit 16: every row carries its OID first (never asked for here). */
const HAS_OIDS = 1 << 16;

/**
 * The values of a binary COPY of one column (PostgreSQL's documented format: signature, flags, header extension, then
 * per row a field count, and per field a length (−1 for NULL) and its bytes, ended by a field count of −1). The values
 * are views into `output`, not copies.
 */
export function decodeBinaryCopyColumn(output: Buffer): (Buffer | null)[] {
  const refuse = (why: string): never => {
    throw new Error(`unreadable binary COPY output: ${why}`);
  };
  if (output.length < SIGNATURE.length + 8 || !output.subarray(0, SIGNATURE.length).equals(SIGNATURE)) refuse('no PGCOPY signature');
  let at = SIGNATURE.length;
  if ((output.readUInt32BE(at) & HAS_OIDS) !== 0) refuse('rows carry OIDs');
  at += 8 + output.readUInt32BE(at + 4);
  const values: (Buffer | null)[] = [];
  for (;;) {
    if (at + 2 > output.length) refuse('it ends before its trailer');
    const fields = output.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    if (fields !== 1) refuse(`a row of ${fields} fields where one was selected`);
    if (at + 4 > output.length) refuse('a field without its length');
    const length = output.readInt32BE(at);
    at += 4;
    if (length === -1) {
      values.push(null);
      continue;
    }
    if (length < 0 || at + length > output.length) refuse('a field longer than the output');
    values.push(output.subarray(at, at + length));
    at += length;
  }
  if (at !== output.length) refuse('bytes after its trailer');
  return values;
}
