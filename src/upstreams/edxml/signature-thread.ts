// Verifies edXML signatures in a worker thread (signature-worker.ts): xml-crypto holds a large package as one string
// and its DOM for seconds, which on the event loop stalls every other caller of the bus. A worker is started for the
// checks at hand and ended once it has none left: its heap (hundreds of MB after a large package, which its garbage
// collector would keep for a long while) goes with it. A worker that dies fails the checks it held.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SignatureCheck } from './signature-verifier';
import type { TrustStoreFiles } from './trust-store';

export interface VerifyRequest {
  id: number;
  /** A copy of the package, its buffer transferred to the worker. */
  source: Uint8Array;
  /** The check's time (ISO). */
  at: string;
}

export type VerifyReply = { id: number; ok: true; check: SignatureCheck } | { id: number; ok: false; message: string };

/** The compiled worker beside this module; absent when the bus runs from TypeScript sources (ts-jest, ts-node). */
export const SIGNATURE_WORKER_FILE = path.join(__dirname, 'signature-worker.js');

export class OffThreadVerifier {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (check: SignatureCheck) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly files: TrustStoreFiles,
    private readonly workerFile: string = SIGNATURE_WORKER_FILE,
  ) {}

  /** Whether the worker's compiled file is there to be started. */
  static available(workerFile: string = SIGNATURE_WORKER_FILE): boolean {
    return existsSync(workerFile);
  }

  /** The check of `source` (the package exactly as received; copied, the caller keeps its Buffer) at `at`. */
  verify(source: Buffer, at: Date = new Date()): Promise<SignatureCheck> {
    const worker = this.started();
    const id = this.nextId++;
    const copy = new Uint8Array(source);
    return new Promise<SignatureCheck>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, source: copy, at: at.toISOString() } satisfies VerifyRequest, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerFile, { workerData: this.files });
    worker.on('message', (reply: VerifyReply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.check);
      else waiter.reject(new Error(reply.message));
      if (this.waiting.size === 0 && this.worker === worker) {
        this.worker = null;
        void worker.terminate();
      }
    });
    const failAll = (error: Error) => {
      // A worker ended once idle is no longer this.worker and holds no check.
      if (this.worker !== worker) return;
      this.worker = null;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the signature worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
