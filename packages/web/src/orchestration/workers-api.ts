import { ApiError, call } from '../api/client';
import { rangeBody, type TimeWindow } from './time-range';

/** A worker as `workers.get_all` answers: what it runs now and which queues it pulls from. */
export interface WorkerInfo {
  id: string;
  ip?: string;
  user?: { id: string; name: string };
  register_time?: string;
  last_activity_time?: string;
  last_report_time?: string;
  task?: { id: string; name: string; running_time?: number; last_iteration?: number };
  project?: { id: string; name: string };
  queue?: { id: string; name: string };
  queues: { id: string; name: string; num_tasks?: number }[];
  tags?: string[];
}

export async function loadWorkers(): Promise<WorkerInfo[]> {
  const { workers } = await call<{ workers: WorkerInfo[] }>('workers.get_all');
  return workers.sort((a, b) => a.id.localeCompare(b.id));
}

/** The server's "no statistics" answer (`workers.get_metric_keys`, 400/1005). */
const NO_STATS = 1005;

/** The statistic names the worker has reported; empty when it has reported none. */
export async function loadMetricKeys(worker: string): Promise<string[]> {
  try {
    const { categories } = await call<{ categories: { name: string; metric_keys: string[] }[] }>('workers.get_metric_keys', { worker_ids: [worker] });
    return categories.flatMap((c) => c.metric_keys);
  } catch (err) {
    if (err instanceof ApiError && err.subcode === NO_STATS) return [];
    throw err;
  }
}

export interface StatSeries {
  metric: string;
  /** `undefined` for a machine-wide value, the device index for a per-GPU one */
  device?: string;
  dates: number[];
  values: number[];
}

interface StatsAnswer {
  workers: {
    worker: string;
    metrics: { metric: string; stats: { dates: number[]; values: number[]; resource_series?: { name: string; values: number[] }[] }[] }[];
  }[];
}

/** Each statistic's mean per time bucket, GPUs one series per device. */
export async function loadWorkerStats(worker: string, keys: readonly string[], w: TimeWindow): Promise<StatSeries[]> {
  if (keys.length === 0) return [];
  const answer = await call<StatsAnswer>('workers.get_stats', {
    ...rangeBody(w),
    worker_ids: [worker],
    items: keys.map((key) => ({ key, aggregation: 'avg' })),
    split_by_resource: true,
  });
  const mine = answer.workers.find((x) => x.worker === worker);
  return (mine?.metrics ?? []).flatMap(({ metric, stats: [s] }) => {
    if (!s) return [];
    if (s.resource_series && s.resource_series.length > 0) {
      return s.resource_series.map((r) => ({ metric, device: r.name, dates: s.dates, values: r.values }));
    }
    return [{ metric, dates: s.dates, values: s.values }];
  });
}
