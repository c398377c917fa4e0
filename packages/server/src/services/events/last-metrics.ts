import { createHash } from 'node:crypto';
import type { LastMetricsVariant, Task } from '@cairn/protocol';

/**
 * `last_metrics` of a task, kept up to date from each ingested batch alone (never by
 * re-reading stored events): the batch's summary of a series is merged into what the
 * task document already holds.
 */

/** The stored entry: ClearML's fields plus the iteration of `value`, needed to merge the next batch. */
export interface StoredLastMetric extends LastMetricsVariant {
  value_iteration: number;
}

/** What one batch says about one series. */
export interface SeriesSummary {
  metric: string;
  variant: string;
  firstIter: number;
  first: number;
  lastIter: number;
  last: number;
  lastTimestamp: number;
  minIter: number;
  min: number;
  maxIter: number;
  max: number;
}

/**
 * One pass over a series' points in arrival order. Of points at the same iteration the
 * later report counts as first/last, as the store keeps it.
 */
export function summarize(metric: string, variant: string, iters: readonly number[], values: readonly number[], timestamps: readonly number[]): SeriesSummary {
  const s: SeriesSummary = {
    metric, variant,
    firstIter: iters[0], first: values[0],
    lastIter: iters[0], last: values[0], lastTimestamp: timestamps[0],
    minIter: iters[0], min: values[0],
    maxIter: iters[0], max: values[0],
  };
  for (let i = 1; i < iters.length; i++) {
    const it = iters[i];
    const v = values[i];
    if (it <= s.firstIter) {
      s.firstIter = it;
      s.first = v;
    }
    if (it > s.lastIter || (it === s.lastIter && timestamps[i] >= s.lastTimestamp)) {
      s.lastIter = it;
      s.last = v;
      s.lastTimestamp = timestamps[i];
    }
    if (v < s.min) {
      s.min = v;
      s.minIter = it;
    }
    if (v > s.max) {
      s.max = v;
      s.maxIter = it;
    }
  }
  return s;
}

/** Merges a batch summary into the stored entry; `newPoints` counts the points that were not re-reports. */
export function mergeLastMetric(prev: Partial<StoredLastMetric> | undefined, s: SeriesSummary, newPoints: number): StoredLastMetric {
  if (!prev || typeof prev.value !== 'number') {
    return {
      metric: s.metric, variant: s.variant,
      value: s.last, value_iteration: s.lastIter, timestamp: s.lastTimestamp,
      min_value: s.min, min_value_iteration: s.minIter,
      max_value: s.max, max_value_iteration: s.maxIter,
      first_value: s.first, first_value_iteration: s.firstIter,
      count: newPoints,
    };
  }
  const prevIter = prev.value_iteration ?? Number.NEGATIVE_INFINITY;
  const prevTs = prev.timestamp ?? Number.NEGATIVE_INFINITY;
  const newer = s.lastIter > prevIter || (s.lastIter === prevIter && s.lastTimestamp >= prevTs);
  const lower = typeof prev.min_value !== 'number' || s.min < prev.min_value;
  const higher = typeof prev.max_value !== 'number' || s.max > prev.max_value;
  const earlier = typeof prev.first_value_iteration !== 'number' || s.firstIter <= prev.first_value_iteration;
  return {
    metric: s.metric, variant: s.variant,
    value: newer ? s.last : prev.value,
    value_iteration: newer ? s.lastIter : prevIter,
    timestamp: newer ? s.lastTimestamp : prevTs,
    min_value: lower ? s.min : prev.min_value!,
    min_value_iteration: lower ? s.minIter : prev.min_value_iteration ?? s.minIter,
    max_value: higher ? s.max : prev.max_value!,
    max_value_iteration: higher ? s.maxIter : prev.max_value_iteration ?? s.maxIter,
    first_value: earlier ? s.first : prev.first_value ?? s.first,
    first_value_iteration: earlier ? s.firstIter : prev.first_value_iteration!,
    count: (prev.count ?? 0) + newPoints,
  };
}

const hashes = new Map<string, string>();

/** md5 hex of a metric or variant name: the key ClearML uses in `last_metrics`. */
export function nameKey(name: string): string {
  let h = hashes.get(name);
  if (h === undefined) {
    h = createHash('md5').update(name, 'utf8').digest('hex');
    if (hashes.size >= 10_000) hashes.clear();
    hashes.set(name, h);
  }
  return h;
}

/** Applies summaries (each with its count of new points) to a task's `last_metrics` in place. */
export function applyLastMetrics(lastMetrics: Task['last_metrics'], updates: readonly { summary: SeriesSummary; newPoints: number }[]): void {
  for (const { summary, newPoints } of updates) {
    const byVariant = (lastMetrics[nameKey(summary.metric)] ??= {});
    const vk = nameKey(summary.variant);
    byVariant[vk] = mergeLastMetric(byVariant[vk] as Partial<StoredLastMetric> | undefined, summary, newPoints);
  }
}
