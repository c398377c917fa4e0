import type { QueueMetricSample, Store } from '../../store/store.js';
import { bucketIndexes, type TimeRange } from './time-buckets.js';

/**
 * `queues.get_queue_metrics`. A sample is stored at every change of a queue; between
 * changes the queue's length stands still and the mean age of its entries grows with
 * the clock, so every bucket can be read off the latest sample before its end. Each
 * bucket reports its worst moment: the highest mean waiting time, with the length then.
 */
export interface QueueSeries {
  queue: string;
  dates: number[];
  avg_waiting_times: number[];
  queue_lengths: number[];
}

/** Name of the pseudo-queue that sums up every queue when no queue is asked for. */
const TOTAL_QUEUE = 'total';

interface Point {
  length: number;
  wait: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The state a sample implies at a later time `ms`. */
const carried = (s: QueueMetricSample, ms: number): Point =>
  ({ length: s.length, wait: s.length > 0 ? s.avg_wait + Math.max(0, ms - s.ts) / 1000 : 0 });

function worstPerBucket(samples: readonly QueueMetricSample[], r: TimeRange, buckets: readonly number[], now: number): Point[] {
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  let i = 0;
  let latest: QueueMetricSample | undefined;
  return buckets.map((b) => {
    const start = b * r.intervalMs;
    const end = Math.min((b + 1) * r.intervalMs, r.toMs, now);
    let worst: Point = { length: 0, wait: 0 };
    const consider = (p: Point) => {
      if (p.wait >= worst.wait) worst = p;
    };
    while (i < sorted.length && sorted[i].ts < start) latest = sorted[i++];
    // Waiting only grows until a change: the worst moments are just before each change
    // and at the end of the bucket.
    while (i < sorted.length && sorted[i].ts < end) {
      const s = sorted[i++];
      if (latest) consider(carried(latest, s.ts));
      consider({ length: s.length, wait: s.avg_wait });
      latest = s;
    }
    if (latest) consider(carried(latest, end));
    return worst;
  });
}

export async function queueMetrics(store: Store, queueIds: readonly string[] | null, r: TimeRange, now = Date.now()): Promise<QueueSeries[]> {
  const buckets = bucketIndexes(r, false);
  const dates = buckets.map((b) => b * r.intervalMs);
  const samples = await store.queueEntries.metricSamples(queueIds, buckets[0] * r.intervalMs, r.toMs);
  const byQueue = new Map<string, QueueMetricSample[]>((queueIds ?? []).map((id) => [id, []]));
  for (const s of samples) {
    const list = byQueue.get(s.queue) ?? [];
    list.push(s);
    byQueue.set(s.queue, list);
  }
  const series = [...byQueue].map(([queue, list]) => ({ queue, points: worstPerBucket(list, r, buckets, now) }));
  const shape = (queue: string, points: Point[]): QueueSeries => ({
    queue,
    dates,
    avg_waiting_times: points.map((p) => round3(p.wait)),
    queue_lengths: points.map((p) => p.length),
  });
  if (queueIds !== null) return series.map((s) => shape(s.queue, s.points));
  // Every queue together: lengths add up, waiting times average weighted by length.
  const total = buckets.map((_, k) => {
    const length = series.reduce((n, s) => n + s.points[k].length, 0);
    const weighted = series.reduce((n, s) => n + s.points[k].length * s.points[k].wait, 0);
    return { length, wait: length > 0 ? weighted / length : 0 };
  });
  return [shape(TOTAL_QUEUE, total)];
}
