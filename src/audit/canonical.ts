// Canonical encoding of audit records and checkpoints: the exact bytes that are hashed and signed.
import { canonicalJson, type JsonValue } from '../core/envelope';
import type { CheckpointBody, SealBody, UnsignedRecord } from './types';

/** Record fields in their fixed set; every field but `hash` is covered, so a change to any stored column shows. */
export function canonicalRecord(record: UnsignedRecord): string {
  const value: { [key: string]: JsonValue } = {
    v: 1,
    chainId: record.chainId,
    seq: record.seq,
    prevHash: record.prevHash,
    at: record.at,
    step: record.step,
    outcome: record.outcome,
    messageId: record.messageId,
    correlationId: record.correlationId,
    subject: record.subject,
    client: record.client,
    route: record.route,
    errorCode: record.errorCode,
    reason: record.reason,
    startedAt: record.startedAt,
    durationMs: record.durationMs,
    requestBytes: record.requestBytes,
    responseBytes: record.responseBytes,
    payloadDigest: record.payloadDigest,
    payload: record.payload,
    actor: record.actor,
    details: record.details,
  };
  return canonicalJson(value);
}

const CHECKPOINT_DOMAIN = 'lgsp-audit-checkpoint/v1\n';

/** Bytes an Ed25519 checkpoint signature covers: a domain tag, then canonical (chainId, seq, headHash, at). */
export function checkpointSigningBytes(body: CheckpointBody): Buffer {
  const value: { [key: string]: JsonValue } = { chainId: body.chainId, seq: body.seq, headHash: body.headHash, at: body.at };
  return Buffer.from(CHECKPOINT_DOMAIN + canonicalJson(value), 'utf8');
}

const SEAL_DOMAIN = 'lgsp-audit-seal/v1\n';

/** Bytes a seal's signature covers: a domain tag of its own, then canonical (checkpoint fields, sealer, reason, owner last seen). */
export function sealSigningBytes(body: SealBody): Buffer {
  const value: { [key: string]: JsonValue } = {
    chainId: body.chainId,
    seq: body.seq,
    headHash: body.headHash,
    at: body.at,
    sealedBy: body.sealedBy,
    reason: body.reason,
    ownerLastSeenAt: body.ownerLastSeenAt,
  };
  return Buffer.from(SEAL_DOMAIN + canonicalJson(value), 'utf8');
}
