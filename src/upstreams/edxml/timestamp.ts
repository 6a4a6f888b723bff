// edXML timestamps: `yyyy/MM/dd HH:mm:ss` in Vietnam time, the format status packets and TraceHeaders carry.
import { vietnamClockFields } from '../../core/vietnam-clock';

/** `yyyy/MM/dd HH:mm:ss` in Vietnam time (UTC+7); the format carries no zone, so the sender's local time is assumed. */
export function formatEdxmlTimestamp(at: Date = new Date()): string {
  const t = vietnamClockFields(at);
  return `${t.year}/${t.month}/${t.day} ${t.hour}:${t.minute}:${t.second}`;
}
