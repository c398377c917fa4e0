import { Errors } from '@cairn/protocol';
import { ApiError, missingField } from '../../http/api-error.js';
import { optInt } from '../validate.js';

/**
 * The time axis of statistics requests: `from_date`/`to_date` in epoch seconds and an
 * `interval` in seconds; buckets are aligned to the epoch and dated by their start in
 * epoch milliseconds, as the ClearML web UI expects.
 */
export interface TimeRange {
  fromMs: number;
  toMs: number;
  intervalMs: number;
}

/** Keeps a chart to a sane number of points. */
const MAX_BUCKETS = 10_000;

/** A shorter `interval` is raised to `minIntervalSec`; below one second it is refused. */
export function readTimeRange(body: Record<string, unknown>, minIntervalSec = 1): TimeRange {
  const from = optInt(body, 'from_date');
  const to = optInt(body, 'to_date');
  const asked = optInt(body, 'interval');
  if (from === undefined) throw missingField('from_date');
  if (to === undefined) throw missingField('to_date');
  if (asked === undefined) throw missingField('interval');
  if (to <= from) throw new ApiError(Errors.validationError, 'to_date must be later than from_date', { field: 'to_date' });
  if (asked < 1) throw new ApiError(Errors.validationError, 'interval must be at least 1 second', { field: 'interval' });
  const interval = Math.max(asked, minIntervalSec);
  if ((to - from) / interval > MAX_BUCKETS) throw new ApiError(Errors.validationError, `at most ${MAX_BUCKETS} intervals per request`, { field: 'interval' });
  return { fromMs: from * 1000, toMs: to * 1000, intervalMs: interval * 1000 };
}

/** Index of the bucket holding `ms`: the bucket starts at `index * intervalMs`. */
const bucketOf = (ms: number, r: TimeRange) => Math.floor(ms / r.intervalMs);

/**
 * Indexes of the buckets of the range, from the one holding `fromMs`; with
 * `completeOnly`, a last bucket that reaches past `toMs` is left out.
 */
export function bucketIndexes(r: TimeRange, completeOnly: boolean): number[] {
  const first = bucketOf(r.fromMs, r);
  const out: number[] = [];
  for (let b = first; b * r.intervalMs < r.toMs; b++) {
    if (completeOnly && (b + 1) * r.intervalMs > r.toMs) break;
    out.push(b);
  }
  return out;
}
