import type { ActivityBucket, WorkerReportRow, WorkerStatPoint, WorkerStatsBucket, WorkerStatsQuery, WorkerStatsStore } from '../store.js';
import type { Db } from './database.js';

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * Machine statistics as one row per (metric, time, worker, variant), clustered by
 * metric and time so that a chart reads one contiguous range; bucketing runs in SQL.
 */
export class SqliteWorkerStats implements WorkerStatsStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      report: db.prepare('INSERT INTO worker_reports (worker, ts, task) VALUES (?, ?, ?)'),
      point: db.prepare('INSERT OR REPLACE INTO worker_stats (metric, ts, worker, variant, value) VALUES (?, ?, ?, ?, ?)'),
      key: db.prepare('INSERT OR IGNORE INTO worker_metric_keys (worker, metric) VALUES (?, ?)'),
      metrics: db.prepare('SELECT DISTINCT metric FROM worker_metric_keys ORDER BY metric').pluck(),
      activity: db.prepare(`SELECT ts / CAST(@interval AS INTEGER) AS bucket, count(DISTINCT worker),
        count(DISTINCT CASE WHEN task IS NOT NULL THEN worker END)
        FROM worker_reports WHERE ts >= @from AND ts < @to GROUP BY bucket ORDER BY bucket`).raw(),
      pruneReports: db.prepare('DELETE FROM worker_reports WHERE ts < ?'),
      prunePoints: db.prepare('DELETE FROM worker_stats WHERE metric = ? AND ts < ?'),
    };
  }

  async add(report: WorkerReportRow, points: readonly WorkerStatPoint[]): Promise<void> {
    this.db.transaction(() => {
      this.s.report.run(report.worker, report.ts, report.task ?? null);
      for (const p of points) {
        this.s.point.run(p.metric, report.ts, report.worker, p.variant, p.value);
        this.s.key.run(report.worker, p.metric);
      }
    })();
  }

  async metricKeys(workers: readonly string[] | null): Promise<string[]> {
    if (workers === null) return this.s.metrics.all() as string[];
    if (workers.length === 0) return [];
    return this.db.prepare(`SELECT DISTINCT metric FROM worker_metric_keys WHERE worker IN (${placeholders(workers.length)}) ORDER BY metric`)
      .pluck().all(...workers) as string[];
  }

  async buckets(q: WorkerStatsQuery): Promise<WorkerStatsBucket[]> {
    if (q.workers !== null && q.workers.length === 0) return [];
    const only = q.workers === null ? '' : ` AND worker IN (${placeholders(q.workers.length)})`;
    const rows = this.db.prepare(`SELECT worker, variant, ts / CAST(? AS INTEGER) AS bucket, sum(value), count(*), min(value), max(value)
      FROM worker_stats WHERE metric = ? AND ts >= ? AND ts < ?${only} GROUP BY worker, variant, bucket ORDER BY worker, bucket, variant`)
      .raw().all(q.intervalMs, q.metric, q.fromMs, q.toMs, ...(q.workers ?? [])) as [string, string, number, number, number, number, number][];
    return rows.map(([worker, variant, bucket, sum, count, min, max]) => ({ worker, variant, bucket, sum, count, min, max }));
  }

  async activity(fromMs: number, toMs: number, intervalMs: number): Promise<ActivityBucket[]> {
    return (this.s.activity.all({ interval: intervalMs, from: fromMs, to: toMs }) as [number, number, number][])
      .map(([bucket, total, active]) => ({ bucket, total, active }));
  }

  async prune(beforeMs: number): Promise<void> {
    this.db.transaction(() => {
      this.s.pruneReports.run(beforeMs);
      for (const metric of this.s.metrics.all() as string[]) this.s.prunePoints.run(metric, beforeMs);
    })();
  }
}
