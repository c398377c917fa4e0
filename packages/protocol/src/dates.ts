/**
 * A moment as the ClearML server writes datetimes: UTC with microseconds and an explicit
 * `+00:00` offset. The SDK's own parser (`datetime_from_isoformat`, used by the
 * optimizer's report thread among others) cuts at `+` and reads `%Y-%m-%dT%H:%M:%S.%f`,
 * so a `Z` suffix makes it raise; every other client reads this form too.
 */
export function isoDate(ms: number = Date.now()): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}000+00:00`;
}

/** Any datetime a client sent (ISO with or without an offset, `T` or a space) in that form, or null. */
export function normalizeDate(text: string): string | null {
  const ms = parseDate(text);
  return ms === null ? null : isoDate(ms);
}

const DATE_RE = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d\d:?\d\d)?$/i;

/**
 * A datetime as clients send it in queries, in milliseconds since the epoch (with the
 * microseconds as a fraction), or null. ISO-8601 with `T` or a space between date and
 * time (the SDK's monitor sends Python's `str(datetime)`); no offset means UTC, as the
 * ClearML server reads it.
 */
export function parseDate(text: string): number | null {
  const m = DATE_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) + Number(`0.${frac || '0'}`) * 1000;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isNaN(ms) ? null : ms;
}
