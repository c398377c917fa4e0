import type { ActivityBucket, WorkerReportRow, WorkerStatPoint, WorkerStatsBucket, WorkerStatsQuery, WorkerStatsStore } from '../store.js';
import type { PgDb } from './database.js';

/**
 * Machine statistics as one row per (metric, time, worker, variant), clustered by
 * metric and time so that a chart reads one contiguous range; bucketing runs in SQL.
 * Names sort bytewise (COLLATE "C") as they do in SQLite.
 */
export class PgWorkerStats implements WorkerStatsStore {
  constructor(private readonly db: PgDb) {}

  async add(report: WorkerReportRow, points: readonly WorkerStatPoint[]): Promise<void> {
    // One statement cannot write a key twice (ON CONFLICT DO UPDATE refuses): the last point of a key wins, as in SQLite.
    const byKey = new Map(points.map((p) => [`${p.metric}\0${p.variant}`, p]));
    const unique = [...byKey.values()];
    await this.db.tx(async (c) => {
      await c.query('INSERT INTO worker_reports (worker, ts, task) VALUES ($1, $2, $3)', [report.worker, report.ts, report.task ?? null]);
      if (unique.length === 0) return;
      await c.query(`INSERT INTO worker_stats (metric, ts, worker, variant, value)
        SELECT metric, $1::bigint, $2::text, variant, value FROM unnest($3::text[], $4::text[], $5::float8[]) AS p(metric, variant, value)
        ON CONFLICT (metric, ts, worker, variant) DO UPDATE SET value = excluded.value`,
        [report.ts, report.worker, unique.map((p) => p.metric), unique.map((p) => p.variant), unique.map((p) => p.value)]);
      await c.query(`INSERT INTO worker_metric_keys (worker, metric) SELECT DISTINCT $1::text, unnest($2::text[])
        ON CONFLICT DO NOTHING`, [report.worker, unique.map((p) => p.metric)]);
    });
  }

  async metricKeys(workers: readonly string[] | null): Promise<string[]> {
    if (workers !== null && workers.length === 0) return [];
    const { rows } = await this.db.query<{ metric: string }>(`SELECT DISTINCT metric COLLATE "C" AS metric FROM worker_metric_keys
      WHERE $1::text[] IS NULL OR worker = ANY($1) ORDER BY 1`, [workers]);
    return rows.map((r) => r.metric);
  }

  async buckets(q: WorkerStatsQuery): Promise<WorkerStatsBucket[]> {
    if (q.workers !== null && q.workers.length === 0) return [];
    const { rows } = await this.db.query<WorkerStatsBucket>(`SELECT worker, variant, ts / $1::bigint AS bucket,
        sum(value) AS sum, count(*) AS count, min(value) AS min, max(value) AS max
      FROM worker_stats WHERE metric = $2 AND ts >= $3 AND ts < $4 AND ($5::text[] IS NULL OR worker = ANY($5))
      GROUP BY worker, variant, bucket ORDER BY worker COLLATE "C", bucket, variant COLLATE "C"`,
      [q.intervalMs, q.metric, q.fromMs, q.toMs, q.workers]);
    return rows;
  }

  async activity(fromMs: number, toMs: number, intervalMs: number): Promise<ActivityBucket[]> {
    const { rows } = await this.db.query<ActivityBucket>(`SELECT ts / $1::bigint AS bucket, count(DISTINCT worker) AS total,
        count(DISTINCT worker) FILTER (WHERE task IS NOT NULL) AS active
      FROM worker_reports WHERE ts >= $2 AND ts < $3 GROUP BY bucket ORDER BY bucket`, [intervalMs, fromMs, toMs]);
    return rows;
  }

  async prune(beforeMs: number): Promise<void> {
    await this.db.tx(async (c) => {
      await c.query('DELETE FROM worker_reports WHERE ts < $1', [beforeMs]);
      // Naming the metrics lets the primary key (metric, ts, …) find the old rows.
      await c.query('DELETE FROM worker_stats WHERE metric = ANY(ARRAY(SELECT DISTINCT metric FROM worker_metric_keys)) AND ts < $1', [beforeMs]);
    });
  }
}
