import type {
  DocEventRow, DocEventType, EventBatch, EventStore, LogQuery, LogRow, ScalarRow, SeriesKey, SeriesPoints,
} from '../event-store.js';
import type { Db } from './database.js';

/**
 * Events in SQLite. Scalars live in a WITHOUT ROWID table keyed by (series, iter), so a
 * series is one contiguous B-tree range and re-reports replace; series ids are cached
 * so an ingest batch costs one insert per event.
 */
export class SqliteEventStore implements EventStore {
  private readonly seriesIds = new Map<string, number>();
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      seriesGet: db.prepare('SELECT id FROM series WHERE task = ? AND metric = ? AND variant = ?').pluck(),
      seriesInsert: db.prepare('INSERT INTO series (task, metric, variant) VALUES (?, ?, ?)'),
      seriesOfTask: db.prepare('SELECT id, metric, variant FROM series WHERE task = ? ORDER BY metric, variant'),
      scalarUpsert: db.prepare('INSERT OR REPLACE INTO scalars (series, iter, value, ts) VALUES (?, ?, ?, ?)'),
      scalarRange: db.prepare('SELECT iter, value, ts FROM scalars WHERE series = ? ORDER BY iter').raw(),
      scalarCountOf: db.prepare('SELECT count(*) FROM scalars WHERE series IN (SELECT id FROM series WHERE task = ?)').pluck(),
      scalarAfter: db.prepare(`SELECT s.metric, s.variant, c.iter, c.value, c.ts FROM series s JOIN scalars c ON c.series = s.id
        WHERE s.task = @task AND (s.metric > @metric OR (s.metric = @metric AND (s.variant > @variant OR (s.variant = @variant AND c.iter > @iter))))
        ORDER BY s.metric, s.variant, c.iter LIMIT @limit`).raw(),
      singleValues: db.prepare(`SELECT s.task, s.metric, s.variant, c.iter, c.value, c.ts FROM series s JOIN scalars c ON c.series = s.id
        WHERE s.task = ? AND c.iter = ? ORDER BY s.metric, s.variant`).raw(),
      logInsert: db.prepare('INSERT INTO logs (task, ts, level, worker, msg) VALUES (?, ?, ?, ?, ?)'),
      logsNewest: db.prepare('SELECT ts, level, worker, msg FROM logs WHERE task = ? AND ts < ? ORDER BY ts DESC, id DESC LIMIT ?').raw(),
      logsOldest: db.prepare('SELECT ts, level, worker, msg FROM logs WHERE task = ? AND ts > ? ORDER BY ts, id LIMIT ?').raw(),
      logCount: db.prepare('SELECT count(*) FROM logs WHERE task = ?').pluck(),
      docUpsert: db.prepare('INSERT OR REPLACE INTO doc_events (task, type, metric, variant, iter, key, ts, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      docsOf: db.prepare('SELECT metric, variant, iter, key, ts, body FROM doc_events WHERE task = ? AND type = ? ORDER BY iter, metric, variant, key').raw(),
      deleteScalars: db.prepare('DELETE FROM scalars WHERE series IN (SELECT id FROM series WHERE task = ?)'),
      deleteSeries: db.prepare('DELETE FROM series WHERE task = ?'),
      deleteLogs: db.prepare('DELETE FROM logs WHERE task = ?'),
      deleteDocs: db.prepare('DELETE FROM doc_events WHERE task = ?'),
    };
  }

  private seriesId(task: string, metric: string, variant: string): number {
    const k = `${task}\u0000${metric}\u0000${variant}`;
    let id = this.seriesIds.get(k);
    if (id === undefined) {
      id = this.s.seriesGet.get(task, metric, variant) as number | undefined;
      if (id === undefined) id = Number(this.s.seriesInsert.run(task, metric, variant).lastInsertRowid);
      this.seriesIds.set(k, id);
    }
    return id;
  }

  async add(batch: EventBatch): Promise<void> {
    this.db.transaction(() => {
      for (const e of batch.scalars) this.s.scalarUpsert.run(this.seriesId(e.task, e.metric, e.variant), e.iter, e.value, e.timestamp);
      for (const e of batch.logs) this.s.logInsert.run(e.task, e.timestamp, e.level, e.worker, e.msg);
      for (const e of batch.docs) this.s.docUpsert.run(e.task, e.type, e.metric, e.variant, e.iter, e.key, e.timestamp, e.body);
    })();
  }

  async series(task: string): Promise<SeriesKey[]> {
    return (this.s.seriesOfTask.all(task) as { metric: string; variant: string }[]).map(({ metric, variant }) => ({ metric, variant }));
  }

  async scalarPoints(task: string, metric: string, variant: string): Promise<SeriesPoints> {
    const id = this.s.seriesGet.get(task, metric, variant) as number | undefined;
    const rows = id === undefined ? [] : (this.s.scalarRange.all(id) as [number, number, number][]);
    const iters = new Float64Array(rows.length);
    const values = new Float64Array(rows.length);
    const timestamps = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      iters[i] = rows[i][0];
      values[i] = rows[i][1];
      timestamps[i] = rows[i][2];
    }
    return { iters, values, timestamps };
  }

  async scalarPage(task: string, after: { metric: string; variant: string; iter: number } | null, limit: number): Promise<ScalarRow[]> {
    // With no position, start before the smallest possible key ('' , '', lowest 64-bit integer).
    const pos = after ?? { metric: '', variant: '', iter: -9.2e18 };
    const rows = this.s.scalarAfter.all({ task, ...pos, limit }) as [string, string, number, number, number][];
    return rows.map(([metric, variant, iter, value, ts]) => ({ task, metric, variant, iter, value, timestamp: ts }));
  }

  async scalarCount(task: string): Promise<number> {
    return this.s.scalarCountOf.get(task) as number;
  }

  async singleValues(tasks: readonly string[], singleValueIter: number): Promise<ScalarRow[]> {
    const out: ScalarRow[] = [];
    for (const task of tasks) {
      for (const [t, metric, variant, iter, value, ts] of this.s.singleValues.all(task, singleValueIter) as [string, string, string, number, number, number][]) {
        out.push({ task: t, metric, variant, iter, value, timestamp: ts });
      }
    }
    return out;
  }

  async logs(task: string, q: LogQuery): Promise<LogRow[]> {
    const rows = (q.newestFirst
      ? this.s.logsNewest.all(task, q.fromTimestamp ?? Number.MAX_SAFE_INTEGER, q.limit)
      : this.s.logsOldest.all(task, q.fromTimestamp ?? -1, q.limit)) as [number, string, string, string][];
    return rows.map(([ts, level, worker, msg]) => ({ task, timestamp: ts, level, worker, msg }));
  }

  async logCount(task: string): Promise<number> {
    return this.s.logCount.get(task) as number;
  }

  async docEvents(task: string, type: DocEventType): Promise<DocEventRow[]> {
    return (this.s.docsOf.all(task, type) as [string, string, number, string, number, string][]).map(
      ([metric, variant, iter, key, ts, body]) => ({ task, type, metric, variant, iter, key, timestamp: ts, body }),
    );
  }

  async deleteTask(task: string): Promise<void> {
    this.db.transaction(() => {
      this.s.deleteScalars.run(task);
      this.s.deleteSeries.run(task);
      this.s.deleteLogs.run(task);
      this.s.deleteDocs.run(task);
    })();
    for (const k of this.seriesIds.keys()) if (k.startsWith(`${task}\u0000`)) this.seriesIds.delete(k);
  }
}
