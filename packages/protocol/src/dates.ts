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
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : isoDate(ms);
}
