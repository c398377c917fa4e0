import type {
  AddResult, DocEventRow, DocEventType, DocIteration, DocIterationsQuery, DocPageQuery, EventBatch, EventStore,
  IterRange, LatestDocsQuery, LogPageQuery, LogQuery, LogRow, ScalarPageQuery, ScalarRow, ScalarSeriesInput, SeriesKey, SeriesPoints,
} from '../event-store.js';
import {
  CHUNK_POINTS, concatPoints, decodeChunk, emptyPoints, encodeChunk, lowerBound, mergePoints, slicePoints, sortPoints,
} from '../scalar-chunks.js';
import type { Db } from './database.js';

const MAX_ITER = Number.MAX_SAFE_INTEGER;
const MIN_ITER = -Number.MAX_SAFE_INTEGER;
/** Series ids remembered between batches; the cache is dropped whole when it grows past this. */
const SERIES_CACHE_LIMIT = 100_000;

type ChunkRow = [first: number, n: number, data: Buffer];
type SeriesRow = [id: number, metric: string, variant: string];
type DocRowTuple = [metric: string, variant: string, iter: number, key: string, ts: number, body: string];

/** Orders strings by code unit, the same in every query, whatever the database collation. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const seriesOrder = (a: SeriesRow, b: SeriesRow) => cmp(a[1], b[1]) || cmp(a[2], b[2]);

/**
 * Events in SQLite. A scalar series is a run of non-overlapping chunks keyed by
 * (series, first iteration); appending to a series rewrites at most its last, partly
 * filled chunk. Series ids are cached so an ingest batch costs a few statements per
 * series, not per event.
 */
export class SqliteEventStore implements EventStore {
  private readonly seriesIds = new Map<string, number>();
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      seriesGet: db.prepare('SELECT id FROM series WHERE task = ? AND metric = ? AND variant = ?').pluck(),
      seriesInsert: db.prepare('INSERT INTO series (task, metric, variant) VALUES (?, ?, ?)'),
      seriesOfTask: db.prepare('SELECT id, metric, variant FROM series WHERE task = ?').raw(),
      tailHeader: db.prepare('SELECT first_iter, last_iter, n FROM scalar_chunks WHERE series = ? ORDER BY first_iter DESC LIMIT 1').raw(),
      chunkData: db.prepare('SELECT data FROM scalar_chunks WHERE series = ? AND first_iter = ?').pluck(),
      chunkInsert: db.prepare('INSERT INTO scalar_chunks (series, first_iter, last_iter, n, data) VALUES (?, ?, ?, ?, ?)'),
      chunkDelete: db.prepare('DELETE FROM scalar_chunks WHERE series = ? AND first_iter = ?'),
      chunksOverlapping: db.prepare(`SELECT first_iter, n, data FROM scalar_chunks
        WHERE series = ? AND first_iter <= ? AND last_iter >= ? ORDER BY first_iter`).raw(),
      chunksOverlappingDesc: db.prepare(`SELECT first_iter, n, data FROM scalar_chunks
        WHERE series = ? AND first_iter <= ? AND last_iter >= ? ORDER BY first_iter DESC`).raw(),
      scalarCount: db.prepare('SELECT coalesce(sum(c.n), 0) FROM series s JOIN scalar_chunks c ON c.series = s.id WHERE s.task = ?').pluck(),
      scalarCountOfMetric: db.prepare(`SELECT coalesce(sum(c.n), 0) FROM series s JOIN scalar_chunks c ON c.series = s.id
        WHERE s.task = ? AND s.metric = ?`).pluck(),
      chunksAtIter: db.prepare(`SELECT s.metric, s.variant, c.n, c.data FROM series s JOIN scalar_chunks c ON c.series = s.id
        WHERE s.task = ? AND c.first_iter <= ? AND c.last_iter >= ?`).raw(),
      logInsert: db.prepare('INSERT INTO logs (task, ts, iter, level, worker, msg) VALUES (?, ?, ?, ?, ?, ?)'),
      logsNewest: db.prepare('SELECT ts, id, iter, level, worker, msg FROM logs WHERE task = ? AND ts < ? ORDER BY ts DESC, id DESC LIMIT ?').raw(),
      logsOldest: db.prepare('SELECT ts, id, iter, level, worker, msg FROM logs WHERE task = ? AND ts > ? ORDER BY ts, id LIMIT ?').raw(),
      logsAfter: db.prepare('SELECT ts, id, iter, level, worker, msg FROM logs WHERE task = ? AND (ts, id) > (?, ?) ORDER BY ts, id LIMIT ?').raw(),
      logsBefore: db.prepare('SELECT ts, id, iter, level, worker, msg FROM logs WHERE task = ? AND (ts, id) < (?, ?) ORDER BY ts DESC, id DESC LIMIT ?').raw(),
      logCount: db.prepare('SELECT count(*) FROM logs WHERE task = ?').pluck(),
      docUpsert: db.prepare(`INSERT INTO doc_events (task, type, iter, metric, variant, key, ts, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (task, type, iter, metric, variant, key) DO UPDATE SET ts = excluded.ts, body = excluded.body`),
      docsAfter: db.prepare(`SELECT metric, variant, iter, key, ts, body FROM doc_events
        WHERE task = ? AND type = ? AND (iter, metric, variant, key) > (?, ?, ?, ?) ORDER BY iter, metric, variant, key LIMIT ?`).raw(),
      docsBefore: db.prepare(`SELECT metric, variant, iter, key, ts, body FROM doc_events
        WHERE task = ? AND type = ? AND (iter, metric, variant, key) < (?, ?, ?, ?) ORDER BY iter DESC, metric DESC, variant DESC, key DESC LIMIT ?`).raw(),
      docCount: db.prepare('SELECT count(*) FROM doc_events WHERE task = ? AND type = ?').pluck(),
      latestDocs: db.prepare(`SELECT d.metric, d.variant, d.iter, d.key, d.ts, d.body FROM doc_events d JOIN (
          SELECT id, dense_rank() OVER (PARTITION BY metric, variant ORDER BY iter DESC) AS r FROM doc_events WHERE task = ? AND type = ?
        ) k ON k.id = d.id WHERE k.r BETWEEN ? AND ? ORDER BY d.iter DESC, d.metric, d.variant, d.key`).raw(),
      deleteChunks: db.prepare('DELETE FROM scalar_chunks WHERE series IN (SELECT id FROM series WHERE task = ?)'),
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
      if (this.seriesIds.size >= SERIES_CACHE_LIMIT) this.seriesIds.clear();
      this.seriesIds.set(k, id);
    }
    return id;
  }

  private writeChunks(series: number, p: SeriesPoints): void {
    for (let start = 0; start < p.iters.length; start += CHUNK_POINTS) {
      const end = Math.min(start + CHUNK_POINTS, p.iters.length);
      this.s.chunkInsert.run(series, p.iters[start], p.iters[end - 1], end - start, encodeChunk(p, start, end));
    }
  }

  private readChunks(series: number, min: number, max: number): SeriesPoints {
    const rows = this.s.chunksOverlapping.all(series, max, min) as ChunkRow[];
    return concatPoints(rows.map(([, n, data]) => decodeChunk(data, n)));
  }

  /** Writes one series' points; answers how many were new (not replacing a stored iteration). */
  private addSeries(input: ScalarSeriesInput): number {
    const incoming = sortPoints(input.iters, input.values, input.timestamps);
    const count = incoming.iters.length;
    if (count === 0) return 0;
    const id = this.seriesId(input.task, input.metric, input.variant);
    const lo = incoming.iters[0];
    const hi = incoming.iters[count - 1];
    const tail = this.s.tailHeader.get(id) as [first: number, last: number, n: number] | undefined;
    if (!tail || lo > tail[1]) {
      // The usual case: every point is past the end of the series.
      if (tail && tail[2] < CHUNK_POINTS) {
        const stored = decodeChunk(this.s.chunkData.get(id, tail[0]) as Buffer, tail[2]);
        this.s.chunkDelete.run(id, tail[0]);
        this.writeChunks(id, concatPoints([stored, incoming]));
      } else {
        this.writeChunks(id, incoming);
      }
      return count;
    }
    const overlapping = this.s.chunksOverlapping.all(id, hi, lo) as ChunkRow[];
    const stored = concatPoints(overlapping.map(([, n, data]) => decodeChunk(data, n)));
    const merged = mergePoints(stored, incoming);
    for (const [first] of overlapping) this.s.chunkDelete.run(id, first);
    this.writeChunks(id, merged);
    return merged.iters.length - stored.iters.length;
  }

  async add(batch: EventBatch): Promise<AddResult> {
    try {
      return this.db.transaction(() => {
        const newScalarPoints = batch.scalars.map((s) => this.addSeries(s));
        for (const e of batch.logs) this.s.logInsert.run(e.task, e.timestamp, e.iter, e.level, e.worker, e.msg);
        for (const e of batch.docs) this.s.docUpsert.run(e.task, e.type, e.iter, e.metric, e.variant, e.key, e.timestamp, e.body);
        return { newScalarPoints };
      })();
    } catch (err) {
      // Series created inside the rolled-back transaction no longer exist: forget their ids.
      this.seriesIds.clear();
      throw err;
    }
  }

  private sortedSeries(task: string, metric?: string): SeriesRow[] {
    const rows = this.s.seriesOfTask.all(task) as SeriesRow[];
    return (metric === undefined ? rows : rows.filter((r) => r[1] === metric)).sort(seriesOrder);
  }

  async series(task: string): Promise<SeriesKey[]> {
    return this.sortedSeries(task).map(([, metric, variant]) => ({ metric, variant }));
  }

  async scalarPoints(task: string, metric: string, variant: string, range: IterRange = {}): Promise<SeriesPoints> {
    const id = this.s.seriesGet.get(task, metric, variant) as number | undefined;
    if (id === undefined) return emptyPoints();
    const min = range.min ?? MIN_ITER;
    const max = range.max ?? MAX_ITER;
    const p = this.readChunks(id, min, max);
    return slicePoints(p, lowerBound(p.iters, min), lowerBound(p.iters, max + 1));
  }

  async scalarPage(task: string, q: ScalarPageQuery): Promise<ScalarRow[]> {
    const all = this.sortedSeries(task, q.metric);
    if (q.descending) all.reverse();
    const out: ScalarRow[] = [];
    const after = q.after;
    for (const [id, metric, variant] of all) {
      if (out.length >= q.limit) break;
      let min = MIN_ITER;
      let max = MAX_ITER;
      if (after) {
        const order = cmp(metric, after.metric) || cmp(variant, after.variant);
        if (q.descending ? order > 0 : order < 0) continue;
        if (order === 0) {
          if (q.descending) max = after.iter - 1;
          else min = after.iter + 1;
        }
      }
      const stmt = q.descending ? this.s.chunksOverlappingDesc : this.s.chunksOverlapping;
      // Iterate lazily: a page usually needs one or two chunks of a long series.
      for (const [, n, data] of stmt.iterate(id, max, min) as IterableIterator<ChunkRow>) {
        const p = decodeChunk(data, n);
        const from = lowerBound(p.iters, min);
        const to = lowerBound(p.iters, max + 1);
        if (q.descending) {
          for (let i = to - 1; i >= from && out.length < q.limit; i--) out.push({ task, metric, variant, iter: p.iters[i], value: p.values[i], timestamp: p.timestamps[i] });
        } else {
          for (let i = from; i < to && out.length < q.limit; i++) out.push({ task, metric, variant, iter: p.iters[i], value: p.values[i], timestamp: p.timestamps[i] });
        }
        if (out.length >= q.limit) break;
      }
    }
    return out;
  }

  async scalarCount(task: string, metric?: string): Promise<number> {
    return (metric === undefined ? this.s.scalarCount.get(task) : this.s.scalarCountOfMetric.get(task, metric)) as number;
  }

  async scalarsAtIter(tasks: readonly string[], iter: number): Promise<ScalarRow[]> {
    const out: ScalarRow[] = [];
    for (const task of tasks) {
      const found: ScalarRow[] = [];
      for (const [metric, variant, n, data] of this.s.chunksAtIter.all(task, iter, iter) as [string, string, number, Buffer][]) {
        const p = decodeChunk(data, n);
        const i = lowerBound(p.iters, iter);
        if (i < n && p.iters[i] === iter) found.push({ task, metric, variant, iter, value: p.values[i], timestamp: p.timestamps[i] });
      }
      out.push(...found.sort((a, b) => cmp(a.metric, b.metric) || cmp(a.variant, b.variant)));
    }
    return out;
  }

  private static logRows(task: string, rows: unknown[]): LogRow[] {
    return (rows as [number, number, number | null, string, string, string][])
      .map(([ts, seq, iter, level, worker, msg]) => ({ task, timestamp: ts, seq, iter, level, worker, msg }));
  }

  async logs(task: string, q: LogQuery): Promise<LogRow[]> {
    return SqliteEventStore.logRows(task, q.newestFirst
      ? this.s.logsNewest.all(task, q.fromTimestamp ?? MAX_ITER, q.limit)
      : this.s.logsOldest.all(task, q.fromTimestamp ?? MIN_ITER, q.limit));
  }

  async logPage(task: string, q: LogPageQuery): Promise<LogRow[]> {
    return SqliteEventStore.logRows(task, q.descending
      ? this.s.logsBefore.all(task, q.after?.timestamp ?? MAX_ITER, q.after?.seq ?? 0, q.limit)
      : this.s.logsAfter.all(task, q.after?.timestamp ?? MIN_ITER, q.after?.seq ?? 0, q.limit));
  }

  async logCount(task: string): Promise<number> {
    return this.s.logCount.get(task) as number;
  }

  private static docRows(task: string, type: DocEventType, rows: DocRowTuple[]): DocEventRow[] {
    return rows.map(([metric, variant, iter, key, ts, body]) => ({ task, type, metric, variant, iter, key, timestamp: ts, body }));
  }

  async docPage(task: string, type: DocEventType, q: DocPageQuery): Promise<DocEventRow[]> {
    const rows = q.descending
      ? this.s.docsBefore.all(task, type, q.after?.iter ?? MAX_ITER, q.after?.metric ?? '', q.after?.variant ?? '', q.after?.key ?? '', q.limit)
      : this.s.docsAfter.all(task, type, q.after?.iter ?? MIN_ITER, q.after?.metric ?? '', q.after?.variant ?? '', q.after?.key ?? '', q.limit);
    return SqliteEventStore.docRows(task, type, rows as DocRowTuple[]);
  }

  async docCount(task: string, type: DocEventType): Promise<number> {
    return this.s.docCount.get(task, type) as number;
  }

  async latestDocs(task: string, type: DocEventType, q: LatestDocsQuery): Promise<DocEventRow[]> {
    const rows = SqliteEventStore.docRows(task, type, this.s.latestDocs.all(task, type, q.fromRank, q.toRank) as DocRowTuple[]);
    if (!q.metrics?.length) return rows;
    const wanted = q.metrics;
    return rows.filter((r) => wanted.some((m) => m.metric === r.metric && (m.variants.length === 0 || m.variants.includes(r.variant))));
  }

  async docIterations(task: string, type: DocEventType, q: DocIterationsQuery): Promise<DocIteration[]> {
    const metricSql = q.metric === undefined ? '' : ' AND metric = ?';
    const variantSql = q.variants.length ? ` AND variant IN (${q.variants.map(() => '?').join(', ')})` : '';
    const where = `task = ? AND type = ?${metricSql}${variantSql}`;
    const params = [task, type, ...(q.metric === undefined ? [] : [q.metric]), ...q.variants];
    const iters = (q.newestFirst
      ? this.db.prepare(`SELECT DISTINCT iter FROM doc_events WHERE ${where} AND iter < ? ORDER BY iter DESC LIMIT ?`)
        .pluck().all(...params, q.from ?? MAX_ITER, q.limit)
      : this.db.prepare(`SELECT DISTINCT iter FROM doc_events WHERE ${where} AND iter > ? ORDER BY iter LIMIT ?`)
        .pluck().all(...params, q.from ?? MIN_ITER, q.limit)) as number[];
    if (iters.length === 0) return [];
    const lo = Math.min(iters[0], iters[iters.length - 1]);
    const hi = Math.max(iters[0], iters[iters.length - 1]);
    const rows = this.db.prepare(`SELECT metric, variant, iter, key, ts, body FROM doc_events WHERE ${where} AND iter BETWEEN ? AND ?
      ORDER BY metric, variant, key`).raw().all(...params, lo, hi) as DocRowTuple[];
    const byIter = new Map<number, DocEventRow[]>(iters.map((i) => [i, []]));
    for (const row of SqliteEventStore.docRows(task, type, rows)) byIter.get(row.iter)?.push(row);
    return iters.map((iter) => ({ iter, events: byIter.get(iter)! }));
  }

  async deleteTask(task: string): Promise<number> {
    const removed = this.db.transaction(() => {
      const scalars = this.s.scalarCount.get(task) as number;
      this.s.deleteChunks.run(task);
      this.s.deleteSeries.run(task);
      return scalars + this.s.deleteLogs.run(task).changes + this.s.deleteDocs.run(task).changes;
    })();
    for (const k of this.seriesIds.keys()) if (k.startsWith(`${task}\u0000`)) this.seriesIds.delete(k);
    return removed;
  }
}
