// Worker-thread entry of OffThreadVerifier: loads the trust store once from its files, then verifies each package
// it is sent (the bytes arrive as a transferred copy) and answers the check, so the DOM work of xml-crypto runs
// beside the event loop of the bus rather than on it.
import { parentPort, workerData } from 'node:worker_threads';
import { verifyEdxmlSignature } from './signature-verifier';
import { TrustStore, type TrustStoreFiles } from './trust-store';
import type { VerifyReply, VerifyRequest } from './signature-thread';

const trust = TrustStore.fromFiles(workerData as TrustStoreFiles);

parentPort?.on('message', (request: VerifyRequest) => {
  const source = Buffer.from(request.source.buffer, request.source.byteOffset, request.source.byteLength);
  verifyEdxmlSignature(source, trust, new Date(request.at)).then(
    (check) => parentPort?.postMessage({ id: request.id, ok: true, check } satisfies VerifyReply),
    (error: unknown) => parentPort?.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies VerifyReply),
  );
});
