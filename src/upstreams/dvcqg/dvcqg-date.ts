// Converts ISO-8601 date-times with an explicit offset to DVCQG's yyyyMMddHHmmss in Asia/Ho_Chi_Minh.
import { VIETNAM_FIXED_OFFSET_SINCE_MS, vietnamClockFields } from '../../core/vietnam-clock';
import { DossierMappingError } from './mapping-error';

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

const VIETNAM_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses an ISO-8601 date-time that must carry `Z` or `±hh:mm`; rejects impossible calendar values. */
export function parseIsoWithOffset(value: unknown, field: string): Date {
  if (typeof value !== 'string' || value === '') {
    throw new DossierMappingError('MISSING_FIELD', field, 'an ISO-8601 date-time is required');
  }
  const m = ISO_WITH_OFFSET.exec(value);
  if (!m) {
    throw new DossierMappingError('INVALID_DATE', field, 'not an ISO-8601 date-time with an offset (Z or ±hh:mm)');
  }
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
  const valid =
    month >= 1 && month <= 12 &&
    day >= 1 && day <= daysInMonth(year, month) &&
    hour <= 23 && minute <= 59 && second <= 59 &&
    offsetHours <= 14 && offsetMinutes <= 59;
  if (!valid) throw new DossierMappingError('INVALID_DATE', field, 'calendar value out of range');
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const sign = m[9] === '-' ? -1 : 1;
  const offsetMs = sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs);
}

/** Formats an instant as yyyyMMddHHmmss in Vietnam local time. */
export function formatDvcqgDate(instant: Date): string {
  // Since 1975 the fixed offset, ~20× cheaper than Intl's formatToParts and the same digits.
  const t = instant.getTime() >= VIETNAM_FIXED_OFFSET_SINCE_MS ? vietnamClockFields(instant) : timeZoneDatabaseFields(instant);
  return `${t.year}${t.month}${t.day}${t.hour}${t.minute}${t.second}`;
}

/** Vietnam's local time of an instant before 13 June 1975 (UTC+08:00 in some years) from the time-zone database. */
function timeZoneDatabaseFields(instant: Date): Partial<Record<Intl.DateTimeFormatPartTypes, string>> {
  return Object.fromEntries(VIETNAM_TIME.formatToParts(instant).map((part) => [part.type, part.value]));
}

/** ISO-8601 with any offset → yyyyMMddHHmmss (Asia/Ho_Chi_Minh); throws DossierMappingError naming `field`. */
export function toDvcqgDate(value: unknown, field: string): string {
  return formatDvcqgDate(parseIsoWithOffset(value, field));
}
