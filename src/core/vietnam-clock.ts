// Vietnam's wall clock for the formats that carry local time (DVCQG dates, edXML timestamps, the national axis's
// signed timestamps): Asia/Ho_Chi_Minh has been UTC+07:00 without daylight saving since 13 June 1975 (tzdata), so the
// local fields are the UTC fields of the instant moved seven hours on.

export const VIETNAM_UTC_OFFSET_MS = 7 * 3600_000;

/** The first instant of the fixed UTC+07:00 (1975-06-13 00:00 local, UTC+08:00 until then). */
export const VIETNAM_FIXED_OFFSET_SINCE_MS = Date.UTC(1975, 5, 12, 16, 0, 0);

/** Vietnam's local date and time of an instant at UTC+07:00; month to second two digits, milliseconds four. */
export interface VietnamClockFields {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  millisecond: string;
}

export function vietnamClockFields(instant: Date): VietnamClockFields {
  const local = new Date(instant.getTime() + VIETNAM_UTC_OFFSET_MS);
  return {
    year: String(local.getUTCFullYear()),
    month: twoDigits(local.getUTCMonth() + 1),
    day: twoDigits(local.getUTCDate()),
    hour: twoDigits(local.getUTCHours()),
    minute: twoDigits(local.getUTCMinutes()),
    second: twoDigits(local.getUTCSeconds()),
    millisecond: String(local.getUTCMilliseconds()).padStart(4, '0'),
  };
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
