// The message every part of the bus passes on: identity, provenance, routing facts and a digest-checked payload.
import { createHash } from 'node:crypto';
import { rebuildJson } from './json-walk';
import { uuidv7 } from './uuid';

export const ENVELOPE_SCHEMA_VERSION = 1;

/** Message types the bus knows; routes may add their own dotted names. */
export type KnownMessageType = 'dossier.submitted' | 'dossier.progress' | 'edoc.send' | 'edoc.status' | 'test.ping';
export type MessageType = KnownMessageType | (string & {});

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** W3C Trace Context of the trace a message belongs to (https://www.w3.org/TR/trace-context/). */
export interface TraceCarrier {
  /** `00-<trace id: 32 hex>-<parent span id: 16 hex>-<flags: 2 hex>` */
  readonly traceparent: string;
  readonly tracestate?: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
/** The spec's limit of a tracestate header a receiver must keep. */
const MAX_TRACESTATE_CHARS = 512;

/** The trace id of a carrier, or null when there is none or its traceparent is not valid (all-zero ids are not). */
export function traceIdOf(carrier: TraceCarrier | undefined): string | null {
  const match = carrier ? TRACEPARENT.exec(carrier.traceparent) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return null;
  return match[1]!;
}

/** The carrier as a message may keep it: a valid traceparent, and a tracestate within the spec's length; else none. */
export function validTraceCarrier(value: unknown): TraceCarrier | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { traceparent, tracestate } = value as Record<string, unknown>;
  if (typeof traceparent !== 'string' || traceIdOf({ traceparent }) === null) return undefined;
  return typeof tracestate === 'string' && tracestate.length > 0 && tracestate.length <= MAX_TRACESTATE_CHARS ? { traceparent, tracestate } : { traceparent };
}

export interface Envelope<P extends JsonValue = JsonValue> {
  readonly id: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly type: MessageType;
  /** Client id of the system that handed the message to the bus. */
  readonly source: string;
  /** Logical destination, e.g. an organ id (mã định danh cơ quan) or an upstream name. */
  readonly destination: string | null;
  /** Business key: the dossier code (MaHoSo) or the edXML DocumentId where there is one. */
  readonly subject: string | null;
  /** Position among the messages of the same subject in acceptance order, on routes that keep order; else null. */
  readonly sequence: number | null;
  /** 1 for the first delivery attempt; raised by the transport on every broker-side retry. */
  readonly attempt: number;
  readonly createdAt: string;
  readonly schemaVersion: number;
  /** Lower-case hex SHA-256 of the canonical JSON of the payload. */
  readonly payloadDigest: string;
  readonly payload: P;
  /** The trace the message continues, when tracing is on; outside the payload and its digest. */
  readonly traceContext?: TraceCarrier;
}

export interface NewEnvelope<P extends JsonValue> {
  type: MessageType;
  source: string;
  payload: P;
  destination?: string | null;
  subject?: string | null;
  correlationId?: string;
  causationId?: string | null;
  sequence?: number | null;
  id?: string;
  now?: Date;
  traceContext?: TraceCarrier;
}

export class EnvelopeError extends Error {
  constructor(
    message: string,
    readonly code: 'ENVELOPE_MALFORMED' | 'ENVELOPE_DIGEST_MISMATCH' | 'ENVELOPE_VERSION_UNSUPPORTED' | 'ENVELOPE_TOO_DEEP',
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/**
 * Text with no character from U+0300 up is already NFC: below it no character changes under NFC and none composes
 * with its neighbour (the combining marks start at U+0300). Most of a payload is such text, and normalize() costs.
 */
const MAY_CHANGE_UNDER_NFC = /[^\u0000-\u02ff]/;

/** The text in NFC. */
export function nfc(text: string): string {
  return MAY_CHANGE_UNDER_NFC.test(text) ? text.normalize('NFC') : text;
}

/**
 * Canonical JSON: object keys sorted, strings NFC-normalised, no whitespace. Used for digests and hash chains. Written
 * with a heap stack, not recursion: a value of any depth is encoded, none overflows the call stack. `property` writes
 * another value in place of an object's property (the personal-data protector's masks), or undefined to keep it.
 */
export function canonicalJson(value: JsonValue, property?: CanonicalProperty): string {
  return writeCanonical(value, Number.POSITIVE_INFINITY, property).text;
}

/** The value written in place of an object's property (written canonically itself), or undefined to write the property's own. */
export type CanonicalProperty = (key: string, value: JsonValue) => JsonValue | undefined;

/** One canonical writing of a value, and what the same walk learnt of it. */
interface CanonicalWriting {
  /** The canonical JSON; incomplete when `tooDeep`. */
  text: string;
  /** Some string or key of the value is not NFC (the text has it in NFC). */
  changedUnderNfc: boolean;
  /** It nests arrays and objects deeper than the limit asked for; the walk stopped there. */
  tooDeep: boolean;
}

/**
 * Writes the canonical JSON of a value and, in the same walk, finds whether any of its text is not NFC and whether it
 * nests deeper than `maxDepth` (the outermost container is level 1): the envelope needs all three of every payload,
 * and one walk costs less than three.
 */
function writeCanonical(value: JsonValue, maxDepth: number, property: CanonicalProperty | undefined): CanonicalWriting {
  // The text of the innermost open container so far (the whole text when none is open): as a recursive writer would,
  // each container is written on its own and then added to its parent's text, which keeps the string pieces few.
  let out = '';
  let changedUnderNfc = false;
  const open: CanonicalFrame[] = [];
  let next: JsonValue | undefined = value;
  for (;;) {
    if (next === null || next === undefined) out += 'null';
    else if (typeof next === 'string') {
      const text = nfc(next);
      changedUnderNfc ||= text !== next;
      out += jsonString(text);
    }
    else if (typeof next !== 'object') out += JSON.stringify(next);
    else {
      if (open.length >= maxDepth) return { text: out, changedUnderNfc, tooDeep: true };
      if (Array.isArray(next)) {
        open.push({ outer: out, array: next, record: null, keys: null, index: 0 });
        out = '[';
      } else {
        const record: { [key: string]: JsonValue } = next;
        open.push({ outer: out, array: null, record, keys: Object.keys(record).sort().filter((key) => record[key] !== undefined), index: 0 });
        out = '{';
      }
    }
    // The next value to write: the next entry of the innermost open container, closing those that are done.
    for (;;) {
      const frame = open[open.length - 1];
      if (frame === undefined) return { text: out, changedUnderNfc, tooDeep: false };
      const length = frame.keys ? frame.keys.length : frame.array!.length;
      if (frame.index < length) {
        if (frame.index > 0) out += ',';
        if (frame.keys) {
          const key = frame.keys[frame.index]!;
          const name = nfc(key);
          changedUnderNfc ||= name !== key;
          out += `${jsonString(name)}:`;
          next = frame.record![key];
          const replaced = property === undefined ? undefined : property(key, next!);
          if (replaced !== undefined) next = replaced;
        } else next = frame.array![frame.index];
        frame.index++;
        break;
      }
      out = frame.outer + out + (frame.keys ? '}' : ']');
      open.pop();
    }
  }
}

/** What JSON.stringify may escape in a string: quote, backslash, C0 controls; surrogates (it escapes the lone ones). */
const ESCAPED_IN_JSON = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string, without its cost for the many strings that need no escape. */
function jsonString(text: string): string {
  return ESCAPED_IN_JSON.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** An array or object canonicalJson has opened: the text before it, what it holds, how many entries are written. */
interface CanonicalFrame {
  outer: string;
  array: JsonValue[] | null;
  record: { [key: string]: JsonValue } | null;
  /** The record's keys, sorted, without those whose value is undefined. */
  keys: string[] | null;
  index: number;
}

export function payloadDigest(payload: JsonValue): string {
  return sha256Hex(canonicalJson(payload));
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Every string inside the value (object keys too) in NFC, as every boundary of the bus must have it. A value that is
 * already NFC throughout is returned as it is, not copied; one that is not comes back as a new value. Any depth.
 */
export function normalizeNfc<T>(value: T): T {
  return rebuildJson(value, { string: nfc, key: nfc }) as T;
}

/**
 * How deep a payload may nest arrays and objects. The bus's own walkers take any depth, but JSON.stringify, which
 * every transport, store and upstream call uses, recurses and fails some thousands of levels down. Intake refuses
 * bodies past 64 levels (MAX_JSON_DEPTH), and the bus's own wrappers add a few; this bounds the rest.
 */
export const MAX_PAYLOAD_DEPTH = 256;

/** The payload's canonical writing, refused when it nests deeper than MAX_PAYLOAD_DEPTH. */
function canonicalPayload(payload: JsonValue, id: unknown): CanonicalWriting {
  const writing = writeCanonical(payload, MAX_PAYLOAD_DEPTH, undefined);
  if (writing.tooDeep) throw new EnvelopeError(`the payload of message ${String(id)} nests deeper than ${MAX_PAYLOAD_DEPTH} levels`, 'ENVELOPE_TOO_DEEP');
  return writing;
}

export function createEnvelope<P extends JsonValue>(init: NewEnvelope<P>): Envelope<P> {
  const id = init.id ?? uuidv7(init.now);
  // One walk gives the digest, the depth check and whether a copy in NFC is needed (most payloads already are).
  const canonical = canonicalPayload(init.payload, id);
  const payload = canonical.changedUnderNfc ? normalizeNfc(init.payload) : init.payload;
  return {
    id,
    correlationId: init.correlationId ?? id,
    causationId: init.causationId ?? null,
    type: init.type,
    source: init.source,
    destination: init.destination ?? null,
    subject: init.subject?.normalize('NFC') ?? null,
    sequence: init.sequence ?? null,
    attempt: 1,
    createdAt: (init.now ?? new Date()).toISOString(),
    schemaVersion: ENVELOPE_SCHEMA_VERSION,
    payloadDigest: sha256Hex(canonical.text),
    payload,
    ...(init.traceContext ? { traceContext: init.traceContext } : {}),
  };
}

/** A message caused by another one (a reply, a fan-out copy, a status message): same correlation, new id. */
export function deriveEnvelope<P extends JsonValue>(
  cause: Envelope,
  init: Omit<NewEnvelope<P>, 'correlationId' | 'causationId'>,
): Envelope<P> {
  return createEnvelope({ ...init, correlationId: cause.correlationId, causationId: cause.id });
}

export function withAttempt<P extends JsonValue>(envelope: Envelope<P>, attempt: number): Envelope<P> {
  return { ...envelope, attempt };
}

export function serializeEnvelope(envelope: Envelope): Buffer {
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

const REQUIRED_STRINGS = ['id', 'correlationId', 'type', 'source', 'createdAt', 'payloadDigest'] as const;

/** Parses and checks an envelope that crossed a transport; a changed payload fails its digest. */
export function parseEnvelope(raw: Buffer | string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    throw new EnvelopeError('envelope is not valid JSON', 'ENVELOPE_MALFORMED');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EnvelopeError('envelope is not a JSON object', 'ENVELOPE_MALFORMED');
  }
  const record = value as Record<string, unknown>;
  for (const key of REQUIRED_STRINGS) {
    if (typeof record[key] !== 'string') throw new EnvelopeError(`envelope field ${key} is missing`, 'ENVELOPE_MALFORMED');
  }
  if (record.schemaVersion !== ENVELOPE_SCHEMA_VERSION) {
    throw new EnvelopeError(`envelope schema version ${String(record.schemaVersion)} is not supported`, 'ENVELOPE_VERSION_UNSUPPORTED');
  }
  if (typeof record.attempt !== 'number' || !Number.isInteger(record.attempt) || record.attempt < 1) {
    throw new EnvelopeError('envelope attempt must be a positive integer', 'ENVELOPE_MALFORMED');
  }
  if (record.sequence === undefined) record.sequence = null;
  if (record.sequence !== null && (typeof record.sequence !== 'number' || !Number.isInteger(record.sequence))) {
    throw new EnvelopeError('envelope sequence must be an integer or null', 'ENVELOPE_MALFORMED');
  }
  // A trace context is never a reason to refuse a message: one that is not valid is dropped.
  if ('traceContext' in record) {
    const carrier = validTraceCarrier(record.traceContext);
    if (carrier) record.traceContext = carrier;
    else delete record.traceContext;
  }
  if (!('payload' in record)) throw new EnvelopeError('envelope payload is missing', 'ENVELOPE_MALFORMED');
  const envelope = record as unknown as Envelope;
  if (sha256Hex(canonicalPayload(envelope.payload, envelope.id).text) !== envelope.payloadDigest) {
    throw new EnvelopeError(`payload digest mismatch for message ${envelope.id}`, 'ENVELOPE_DIGEST_MISMATCH');
  }
  return envelope;
}
