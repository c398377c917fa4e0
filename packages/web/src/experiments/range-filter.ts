import { formatDate } from '../ui/format';

/** What a range column holds; it decides how a bound is typed, kept, sent and shown. */
export type RangeUnit = 'number' | 'date' | 'duration';

/**
 * A range filter as the table state keeps it: `[min, max]`, each bound in its canonical
 * text (a number; seconds for a duration; an ISO datetime in UTC for a date), or '' for
 * an open end.
 */
export type Bounds = [string, string];

const isBound = (unit: RangeUnit, b: string) => (unit === 'date' ? !Number.isNaN(Date.parse(b)) : b.trim() !== '' && Number.isFinite(Number(b)));

/** The bounds in a filter's values; one that does not read (a hand-edited address) is open. */
export function boundsOf(unit: RangeUnit, values: readonly string[]): Bounds {
  const at = (i: number) => (values[i] && isBound(unit, values[i]) ? values[i] : '');
  return [at(0), at(1)];
}

/**
 * The request value, `[min, max]` with `null` for an open end, as `tasks.get_all_ex`
 * takes it: numbers compare numerically there, ISO datetimes as text, which orders them
 * because the server writes its dates in the same UTC form as `toISOString`.
 */
export function rangeRequest(unit: RangeUnit, values: readonly string[]): [number | string | null, number | string | null] | null {
  const [lo, hi] = boundsOf(unit, values);
  if (!lo && !hi) return null;
  const wire = (b: string) => (b === '' ? null : unit === 'date' ? b : Number(b));
  return [wire(lo), wire(hi)];
}

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1, '': 1 };

/** Seconds from `90`, `5m`, `2h`, `1h 30m` or `1.5d`; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (!t) return null;
  const part = /\s*(\d+(?:\.\d+)?)\s*([dhms]?)/y;
  let total = 0;
  while (part.lastIndex < t.length) {
    const m = part.exec(t);
    if (!m) return null;
    total += Number(m[1]) * UNIT_SECONDS[m[2]];
  }
  return total;
}

/** `1h 30m`, `5m`, `45s`: what a user would type, so that it reads back as it was typed. */
export function durationText(seconds: number): string {
  if (!Number.isInteger(seconds)) return `${seconds}s`;
  const parts: string[] = [];
  let rest = seconds;
  for (const unit of ['d', 'h', 'm', 's']) {
    const n = Math.floor(rest / UNIT_SECONDS[unit]);
    rest -= n * UNIT_SECONDS[unit];
    if (n) parts.push(`${n}${unit}`);
  }
  return parts.join(' ') || '0s';
}

/** `YYYY-MM-DDTHH:mm` in local time, what a datetime-local input holds. */
function localMinute(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A kept bound as its input shows it. */
export function boundInput(unit: RangeUnit, bound: string): string {
  if (!bound) return '';
  return unit === 'date' ? localMinute(bound) : unit === 'duration' ? durationText(Number(bound)) : bound;
}

/**
 * A typed bound in its canonical text: '' when left empty, null when it does not read.
 * A date input has minute precision, so an upper bound takes in the whole of its minute.
 */
export function boundFromInput(unit: RangeUnit, text: string, end: 'min' | 'max'): string | null {
  const t = text.trim();
  if (!t) return '';
  if (unit === 'date') {
    const ms = new Date(t).getTime();
    if (Number.isNaN(ms)) return null;
    return new Date(end === 'max' ? ms + 59_999 : ms).toISOString();
  }
  const n = unit === 'duration' ? parseDuration(t) : Number(t);
  return n !== null && Number.isFinite(n) ? String(n) : null;
}

/** Whether a pair of canonical bounds is the wrong way round. */
export function inverted(unit: RangeUnit, [lo, hi]: Bounds): boolean {
  if (!lo || !hi) return false;
  return unit === 'date' ? lo > hi : Number(lo) > Number(hi);
}

function boundText(unit: RangeUnit, bound: string): string {
  return unit === 'date' ? formatDate(bound) : unit === 'duration' ? durationText(Number(bound)) : bound;
}

/** `0.5 – 1`, `≥ 10` or `≤ 5m`: a range filter as its chip and its button's tooltip say it. */
export function rangeText(unit: RangeUnit, values: readonly string[]): string {
  const [lo, hi] = boundsOf(unit, values);
  if (lo && hi) return `${boundText(unit, lo)} – ${boundText(unit, hi)}`;
  if (lo) return `≥ ${boundText(unit, lo)}`;
  return hi ? `≤ ${boundText(unit, hi)}` : 'any';
}
