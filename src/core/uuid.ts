// UUID version 7 (RFC 9562): time-ordered ids, so message ids sort by acceptance time in stores and logs.
import { createHash, randomFillSync } from 'node:crypto';

/**
 * Random bytes for the ids, drawn from the CSPRNG a pool at a time: one randomFillSync per 512 ids instead of one
 * randomBytes call per id (the same pooling Node's own randomUUID does). Each byte is used once and never again.
 */
const RANDOM_BYTES_PER_ID = 10;
const RANDOM_POOL = Buffer.alloc(512 * RANDOM_BYTES_PER_ID);
let randomPoolOffset = RANDOM_POOL.length;

const HEX_OF_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** 2^48: the version-7 timestamp is the low 48 bits of the Unix time in milliseconds. */
const TIMESTAMP_RANGE = 0x1000000000000;

/**
 * Layout (RFC 9562 §5.7): 48-bit Unix ms timestamp, version 7, 12 random bits, variant 10, 62 random bits. Ids of
 * different milliseconds sort by time; ids of the same millisecond are in random order among themselves.
 */
export function uuidv7(now: Date = new Date()): string {
  if (randomPoolOffset + RANDOM_BYTES_PER_ID > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomPoolOffset = 0;
  }
  const r = randomPoolOffset;
  randomPoolOffset += RANDOM_BYTES_PER_ID;
  const timestamp = (((now.getTime() % TIMESTAMP_RANGE) + TIMESTAMP_RANGE) % TIMESTAMP_RANGE).toString(16).padStart(12, '0');
  const hex = (offset: number): string => HEX_OF_BYTE[RANDOM_POOL[r + offset]!]!;
  return (
    `${timestamp.slice(0, 8)}-${timestamp.slice(8)}-` +
    `${HEX_OF_BYTE[(RANDOM_POOL[r]! & 0x0f) | 0x70]!}${hex(1)}-` +
    `${HEX_OF_BYTE[(RANDOM_POOL[r + 2]! & 0x3f) | 0x80]!}${hex(3)}-` +
    `${hex(4)}${hex(5)}${hex(6)}${hex(7)}${hex(8)}${hex(9)}`
  );
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
