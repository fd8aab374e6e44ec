/**
 * pCloud's datetime structure (docs "Structures / Datetime"): by default RFC 2822 text in UTC with a
 * numeric zone, always 31 bytes ("Thu, 21 Mar 2013 18:31:45 +0000"); with `timeformat=timestamp`, an
 * integer of UTC unix seconds. Every datetime field of every reply goes through here.
 */
export type TimeFormat = 'text' | 'timestamp';

export type PcloudTime = string | number;

/** Only the exact value `timestamp` switches the format; anything else keeps the default (PD-api). */
export function timeFormatOf(param: string | undefined): TimeFormat {
  return param === 'timestamp' ? 'timestamp' : 'text';
}

export function formatTime(ms: number, format: TimeFormat): PcloudTime {
  if (format === 'timestamp') return Math.floor(ms / 1000);
  // toUTCString() is RFC 7231's IMF-fixdate ("… GMT", day zero-padded); pCloud writes the zone as +0000.
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}
