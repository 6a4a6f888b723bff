// edXML timestamps: `yyyy/MM/dd HH:mm:ss` in Vietnam time, the format status packets and TraceHeaders carry.

const VIETNAM_UTC_OFFSET_MS = 7 * 60 * 60 * 1000;

/** `yyyy/MM/dd HH:mm:ss` in Vietnam time (UTC+7); the format carries no zone, so the sender's local time is assumed. */
export function formatEdxmlTimestamp(at: Date = new Date()): string {
  const local = new Date(at.getTime() + VIETNAM_UTC_OFFSET_MS);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${local.getUTCFullYear()}/${pad(local.getUTCMonth() + 1)}/${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  );
}
