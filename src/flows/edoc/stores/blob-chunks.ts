// Cuts a list of buffers into store-sized views and hashes them, without copying any byte.
import { createHash } from 'node:crypto';
import { BLOB_CHUNK_BYTES } from './edoc-store';

export interface ChunkedBlob {
  sha256: string;
  bytes: number;
  /** Views of the input, each at most BLOB_CHUNK_BYTES long. */
  rows: Buffer[];
}

export function chunkBlob(chunks: readonly Buffer[]): ChunkedBlob {
  const hash = createHash('sha256');
  const rows: Buffer[] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    hash.update(chunk);
    bytes += chunk.length;
    for (let offset = 0; offset < chunk.length; offset += BLOB_CHUNK_BYTES) rows.push(chunk.subarray(offset, offset + BLOB_CHUNK_BYTES));
  }
  return { sha256: hash.digest('hex'), bytes, rows };
}
