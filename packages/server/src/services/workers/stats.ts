import { Errors } from '@cairn/protocol';
import { ApiError } from '../../http/api-error.js';
import type { Store, WorkerStatsBucket } from '../../store/store.js';
import { bucketIndexes, type TimeRange } from '../queues/time-buckets.js';

/**
 * `workers.get_stats`, `get_activity_report` and `get_metric_keys`: histograms over
 * epoch-aligned buckets of complete intervals (a last, unfinished bucket is left out),
 * dated in epoch ms; a bucket without data counts 0, except that a worker's series start
 * at its first bucket with data: before that the worker did not exist, and a chart must
 * not show it idle there.
 */
const AGGREGATIONS = ['avg', 'min', 'max'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface StatsItem {
  key: string;
  aggregation: Aggregation;
}

export function readStatsItems(raw: unknown): StatsItem[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new ApiError(Errors.missingRequiredFields, 'missing required field: items', { field: 'items' });
  return raw.map((item) => {
    const it = item as Record<string, unknown> | null;
    if (!it || typeof it.key !== 'string' || it.key === '') throw new ApiError(Errors.validationError, 'each item needs a metric key', { field: 'items' });
    const aggregation = it.aggregation ?? 'avg';
    if (!(AGGREGATIONS as readonly unknown[]).includes(aggregation)) {
      throw new ApiError(Errors.validationError, `aggregation must be one of ${AGGREGATIONS.join(', ')}`, { field: 'items' });
    }
    return { key: it.key, aggregation: aggregation as Aggregation };
  });
}

interface Agg {
  sum: number;
  count: number;
  min: number;
  max: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function merge(into: Map<number, Agg>, row: WorkerStatsBucket): void {
  const a = into.get(row.bucket);
  if (!a) {
    into.set(row.bucket, { sum: row.sum, count: row.count, min: row.min, max: row.max });
    return;
  }
  a.sum += row.sum;
  a.count += row.count;
  a.min = Math.min(a.min, row.min);
  a.max = Math.max(a.max, row.max);
}

const valueOf = (a: Agg | undefined, how: Aggregation) =>
  !a ? 0 : round3(how === 'avg' ? a.sum / a.count : how === 'min' ? a.min : a.max);

/** GPU metrics can be split per device (`split_by_resource`); the others have one series. */
const perDevice = (metric: string) => metric.startsWith('gpu');

export async function workerStats(store: Store, items: readonly StatsItem[], workers: readonly string[] | null, r: TimeRange, splitByResource: boolean) {
  const buckets = bucketIndexes(r, true);
  if (buckets.length === 0) return { workers: [] };
  const dates = buckets.map((b) => b * r.intervalMs);
  const range = { fromMs: dates[0], toMs: dates[dates.length - 1] + r.intervalMs, intervalMs: r.intervalMs };
  const keys = [...new Set(items.map((i) => i.key))];
  // worker -> metric -> rows
  const found = new Map<string, Map<string, WorkerStatsBucket[]>>();
  for (const metric of keys) {
    for (const row of await store.workerStats.buckets({ metric, workers, ...range })) {
      const byMetric = found.get(row.worker) ?? new Map<string, WorkerStatsBucket[]>();
      found.set(row.worker, byMetric);
      byMetric.set(metric, [...(byMetric.get(metric) ?? []), row]);
    }
  }
  return {
    workers: [...found.keys()].sort().map((worker) => {
      const byMetric = found.get(worker)!;
      const first = Math.min(...[...byMetric.values()].flatMap((rows) => rows.map((row) => row.bucket)));
      const mine = buckets.filter((b) => b >= first);
      const myDates = mine.map((b) => b * r.intervalMs);
      return {
        worker,
        metrics: keys.filter((k) => byMetric.has(k)).map((metric) => {
          const rows = byMetric.get(metric)!;
          const all = new Map<number, Agg>();
          const byVariant = new Map<string, Map<number, Agg>>();
          for (const row of rows) {
            merge(all, row);
            const v = byVariant.get(row.variant) ?? new Map<number, Agg>();
            byVariant.set(row.variant, v);
            merge(v, row);
          }
          const variants = [...byVariant.keys()].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
          return {
            metric,
            stats: items.filter((i) => i.key === metric).map(({ aggregation }) => ({
              aggregation,
              dates: myDates,
              values: mine.map((b) => valueOf(all.get(b), aggregation)),
              ...(splitByResource && perDevice(metric) ? {
                resource_series: variants.map((name) => ({ name, values: mine.map((b) => valueOf(byVariant.get(name)!.get(b), aggregation)) })),
              } : {}),
            })),
          };
        }),
      };
    }),
  };
}

export async function activityReport(store: Store, r: TimeRange) {
  const buckets = bucketIndexes(r, true);
  const dates = buckets.map((b) => b * r.intervalMs);
  const rows = buckets.length === 0 ? [] : await store.workerStats.activity(dates[0], dates[dates.length - 1] + r.intervalMs, r.intervalMs);
  const byBucket = new Map(rows.map((row) => [row.bucket, row]));
  return {
    total: { dates, counts: buckets.map((b) => byBucket.get(b)?.total ?? 0) },
    active: { dates, counts: buckets.map((b) => byBucket.get(b)?.active ?? 0) },
  };
}

/** Metric names grouped by category, the text before the first `_` (`cpu`, `gpu`, `memory`, …); 400/1005 without data. */
export async function metricKeys(store: Store, workers: readonly string[] | null) {
  const keys = await store.workerStats.metricKeys(workers);
  if (keys.length === 0) throw new ApiError(Errors.noWorkerStats, 'the workers have reported no statistics');
  const categories = new Map<string, string[]>();
  for (const key of keys) {
    const name = key.split('_')[0];
    categories.set(name, [...(categories.get(name) ?? []), key]);
  }
  return { categories: [...categories].map(([name, metric_keys]) => ({ name, metric_keys })) };
}
