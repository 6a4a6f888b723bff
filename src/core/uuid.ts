// UUID version 7 (RFC 9562): time-ordered ids, so message ids sort by acceptance time in stores and logs.
import { createHash, randomBytes } from 'node:crypto';

export function uuidv7(now: Date = new Date()): string {
  const bytes = randomBytes(16);
  const ms = BigInt(now.getTime());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The same id every time for the same parent and key (a fan-out part for one recipient): version-7 shaped, with the
 * parent's timestamp, so a redelivered parent re-creates its parts under their first ids and nothing is doubled.
 */
export function derivedUuidv7(parentId: string, key: string): string {
  const bytes = createHash('sha256').update(`${parentId}\n${key}`, 'utf8').digest().subarray(0, 16);
  const parentTime = Buffer.from(parentId.replace(/-/g, '').slice(0, 12), 'hex');
  if (parentTime.length === 6) parentTime.copy(bytes, 0);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isMessageId(value: string): boolean {
  return UUID_RE.test(value);
}
