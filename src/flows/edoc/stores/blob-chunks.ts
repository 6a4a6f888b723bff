// Cuts a list of buffers into store-sized views and hashes them, without copying any byte, with the event loop let run
// between rows (a package of tens of MiB is hashed in steps).
import { createHash } from 'node:crypto';
import { TurnBudget } from '../event-loop-turns';
import { BLOB_CHUNK_BYTES } from './edoc-store';

export interface ChunkedBlob {
  sha256: string;
  bytes: number;
  /** Views of the input, each at most BLOB_CHUNK_BYTES long. */
  rows: Buffer[];
}

export async function chunkBlob(chunks: readonly Buffer[]): Promise<ChunkedBlob> {
  const hash = createHash('sha256');
  const budget = new TurnBudget();
  const rows: Buffer[] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    bytes += chunk.length;
    for (let offset = 0; offset < chunk.length; offset += BLOB_CHUNK_BYTES) {
      const row = chunk.subarray(offset, offset + BLOB_CHUNK_BYTES);
      hash.update(row);
      rows.push(row);
      await budget.spend(row.length);
    }
  }
  return { sha256: hash.digest('hex'), bytes, rows };
}
