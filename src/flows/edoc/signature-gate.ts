// Applies the signature policy of a package's sending organ (or the bus default): off, record (check, accept, flag)
// or require (refuse a package not validly signed by a trusted signer). Checks run one at a time: a check holds the
// whole package as text and its DOM (~300 MB over the idle RSS for a 20 MiB attachment; docs/edoc-signatures.md).
// A package of OFF_THREAD_BYTES or more is checked in a worker thread, so the event loop goes on meanwhile.
import path from 'node:path';
import type { JsonValue } from '../../core/envelope';
import { ConfigError } from '../../config/load-config';
import type { ErrorCode } from '../../core/errors';
import { verifyEdxmlSignature, type SignatureCheck } from '../../upstreams/edxml/signature-verifier';
import { OffThreadVerifier } from '../../upstreams/edxml/signature-thread';
import { TrustStore } from '../../upstreams/edxml/trust-store';
import type { EdocSettings, SignaturePolicy } from './settings';

/** What is recorded of a check (audit details, the edoc payloads, the mailbox): the outcome under its policy. */
export type SignatureRecord = { [key: string]: JsonValue } & {
  policy: Exclude<SignaturePolicy, 'off'>;
  outcome: SignatureCheck['outcome'];
  reason?: string;
  signer?: { [key: string]: JsonValue } & NonNullable<SignatureCheck['signer']>;
  algorithm?: string;
  checkedAt: string;
};

export type SignatureDecision =
  | { ok: true; record: SignatureRecord | null }
  | { ok: false; code: Extract<ErrorCode, 'EDXML_SIGNATURE_INVALID' | 'EDXML_SIGNER_UNTRUSTED'>; message: string; record: SignatureRecord };

/** Packages this large are checked off the event loop (a smaller one costs less than the copy to the worker). */
export const OFF_THREAD_BYTES = 1024 * 1024;

const UNTRUSTED_OUTCOMES = new Set<SignatureCheck['outcome']>(['untrusted', 'expired', 'revoked']);

export class SignatureGate {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly policies: { busDefault: SignaturePolicy; byOrgan: ReadonlyMap<string, SignaturePolicy> },
    private readonly trust: TrustStore | null,
    /** Checks large packages in a worker thread; null: every check runs on the event loop. */
    private readonly offThread: OffThreadVerifier | null = null,
  ) {}

  /** From the flow's settings; trust-store files are read now (relative to the config directory), once. */
  static fromSettings(settings: Pick<EdocSettings, 'signatures' | 'organs'>, configDir: string): SignatureGate {
    const byOrgan = new Map<string, SignaturePolicy>();
    for (const [organId, organ] of Object.entries(settings.organs)) if (organ.signaturePolicy) byOrgan.set(organId, organ.signaturePolicy);
    const { caFiles, crlFiles } = settings.signatures.trustStore;
    if (caFiles.length === 0) return new SignatureGate({ busDefault: settings.signatures.policy, byOrgan }, null);
    const resolve = (file: string) => path.resolve(configDir, file);
    const files = { caFiles: caFiles.map(resolve), crlFiles: crlFiles.map(resolve) };
    let trust: TrustStore;
    try {
      trust = TrustStore.fromFiles(files);
    } catch (error) {
      throw new ConfigError([`bus.yaml: flows.edoc.signatures.trustStore: ${(error as Error).message}`]);
    }
    // The worker runs compiled code; a bus run from its TypeScript sources (the in-process tests) checks on the loop.
    return new SignatureGate({ busDefault: settings.signatures.policy, byOrgan }, trust, OffThreadVerifier.available() ? new OffThreadVerifier(files) : null);
  }

  /** Stops the worker thread, if one was started. */
  async close(): Promise<void> {
    await this.offThread?.close();
  }

  policyFor(fromOrgan: string): SignaturePolicy {
    return this.policies.byOrgan.get(fromOrgan) ?? this.policies.busDefault;
  }

  /** The decision on a package From `fromOrgan`; `source` is the package exactly as received. */
  async check(fromOrgan: string, source: Buffer): Promise<SignatureDecision> {
    const policy = this.policyFor(fromOrgan);
    if (policy === 'off' || this.trust === null) return { ok: true, record: null };
    const trust = this.trust;
    const offThread = source.length >= OFF_THREAD_BYTES ? this.offThread : null;
    const run = this.queue.then(() => (offThread ? offThread.verify(source) : verifyEdxmlSignature(source, trust)));
    this.queue = run.catch(() => undefined);
    const check = await run;
    const record: SignatureRecord = { policy, outcome: check.outcome, checkedAt: check.checkedAt };
    if (check.reason !== undefined) record.reason = check.reason;
    if (check.signer) record.signer = { ...check.signer };
    if (check.algorithm !== undefined) record.algorithm = check.algorithm;
    if (policy === 'record' || check.outcome === 'valid') return { ok: true, record };
    if (UNTRUSTED_OUTCOMES.has(check.outcome)) {
      const signer = check.signer ? ` (signer ${check.signer.subject}, serial ${check.signer.serial})` : '';
      return { ok: false, code: 'EDXML_SIGNER_UNTRUSTED', message: `signer ${check.outcome}: ${check.reason ?? ''}${signer}`, record };
    }
    return { ok: false, code: 'EDXML_SIGNATURE_INVALID', message: `signature ${check.outcome}: ${check.reason ?? ''}`, record };
  }
}
