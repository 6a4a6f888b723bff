// What a log line may say about a message or a request an operator searches by, with personal data kept out: a run
// of nine or more digits (the length of a CMND, twelve for a CCCD/personal id) is masked wherever it appears.
import type { Envelope } from '../core/envelope';
import type { Logger } from './logger';

const CITIZEN_ID_RUN = /\d{9,}/g;

/** The text with every run of nine or more digits replaced by `***`; MaHoSo and DocumentId forms hold none. */
export function maskCitizenIds(text: string): string {
  return text.replace(CITIZEN_ID_RUN, '***');
}

/** At most `max` characters, masked: for reasons and paths that come from outside the bus. */
export function loggableText(text: string, max = 300): string {
  const masked = maskCitizenIds(text);
  return masked.length > max ? `${masked.slice(0, max)}…` : masked;
}

/**
 * The fields every log line about a message carries: its ids, its route and its subject — the MaHoSo of a dossier,
 * the DocumentId of an e-document — masked if a client gave a citizen id as the subject of a generic message; then the
 * line's own `fields`. (Added to the object made here, not spread into another: see core/merged.ts.)
 */
export function messageLogFields<Fields extends object = object>(
  envelope: Pick<Envelope, 'id' | 'correlationId' | 'subject'>,
  route: string,
  fields?: Fields,
): { messageId: string; correlationId: string; route: string; subject?: string } & Fields {
  const common = {
    messageId: envelope.id,
    correlationId: envelope.correlationId,
    route,
    ...(envelope.subject === null ? {} : { subject: maskCitizenIds(envelope.subject) }),
  };
  return Object.assign(common, fields);
}

/** What a delivery logs its own lines with (warnings, redeliveries), the message's fields on each. */
export interface MessageLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * The log of one delivery of a message: a child of `logger` binding its fields and attempt, made at its first line.
 * Most deliveries write no line of their own, and a pino child costs ~15 µs (its bindings pass the redaction).
 */
export function messageLog(logger: Logger, envelope: Pick<Envelope, 'id' | 'correlationId' | 'subject' | 'attempt'>, route: string): MessageLog {
  let child: Logger | undefined;
  const bound = (): Logger => (child ??= logger.child(messageLogFields(envelope, route, { attempt: envelope.attempt })));
  return {
    info: (fields, message) => bound().info(fields, message),
    warn: (fields, message) => bound().warn(fields, message),
  };
}
