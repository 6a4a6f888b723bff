// The small JSON payloads edoc envelopes carry (claim check: a blob reference and routing facts, never the package).
import type { JsonValue } from '../../core/envelope';
import type { BlobRef } from './stores/edoc-store';
import type { DeliveryMode } from './organ-directory';

export const EDOC_MESSAGE_TYPES = { send: 'edoc.send', deliver: 'edoc.deliver', status: 'edoc.status' } as const;

export interface EdocRecipient {
  organId: string;
  delivery: DeliveryMode;
}

/** edoc.send: one accepted package, fanned out to one edoc.deliver per recipient. */
export interface EdocSendPayload {
  [key: string]: JsonValue;
  blob: BlobRef & { [key: string]: JsonValue };
  fromOrgan: string;
  businessDocType: number;
  recipients: (EdocRecipient & { [key: string]: JsonValue })[];
  /** The signature check under the sender's policy; null when the policy is off (absent in messages from before checks). */
  signature: { [key: string]: JsonValue } | null;
}

/** edoc.deliver: the package for one recipient. */
export interface EdocDeliverPayload {
  [key: string]: JsonValue;
  blob: BlobRef & { [key: string]: JsonValue };
  fromOrgan: string;
  toOrgan: string;
  delivery: DeliveryMode;
  businessDocType: number;
  signature: { [key: string]: JsonValue } | null;
}

/** edoc.status: a status packet travelling back to the document's sender. */
export interface EdocStatusPayload {
  [key: string]: JsonValue;
  blob: BlobRef & { [key: string]: JsonValue };
  /** The organ reporting the status. */
  fromOrgan: string;
  /** The document's sender (ResponseFor/OrganId). */
  toOrgan: string;
  delivery: DeliveryMode;
  statusCode: string;
}

export function isRecord(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isBlobRef(value: JsonValue | undefined): value is BlobRef & { [key: string]: JsonValue } {
  return value !== undefined && isRecord(value) && typeof value.documentId === 'string' && typeof value.sha256 === 'string' && typeof value.bytes === 'number';
}

const DELIVERY_MODES: readonly JsonValue[] = ['mailbox', 'push', 'axis'];

export function isEdocSendPayload(value: JsonValue): value is EdocSendPayload {
  return isRecord(value) && isBlobRef(value.blob) && typeof value.fromOrgan === 'string' && typeof value.businessDocType === 'number' && Array.isArray(value.recipients);
}

export function isEdocDeliverPayload(value: JsonValue): value is EdocDeliverPayload {
  return (
    isRecord(value) && isBlobRef(value.blob) && typeof value.fromOrgan === 'string' && typeof value.toOrgan === 'string' &&
    DELIVERY_MODES.includes(value.delivery ?? null) && typeof value.businessDocType === 'number'
  );
}

export function isEdocStatusPayload(value: JsonValue): value is EdocStatusPayload {
  return (
    isRecord(value) && isBlobRef(value.blob) && typeof value.fromOrgan === 'string' && typeof value.toOrgan === 'string' &&
    DELIVERY_MODES.includes(value.delivery ?? null) && typeof value.statusCode === 'string'
  );
}

export function blobRefOf(ref: BlobRef): BlobRef & { [key: string]: JsonValue } {
  return { documentId: ref.documentId, sha256: ref.sha256, bytes: ref.bytes };
}
