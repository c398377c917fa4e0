import type pg from 'pg';
import type {
  AddResult, DocEventRow, DocEventType, DocIteration, DocIterationsQuery, DocPageQuery, EventBatch, EventStore,
  IterRange, LatestDocsQuery, LogPageQuery, LogQuery, LogRow, ScalarPageQuery, ScalarRow, ScalarSeriesInput, SeriesKey, SeriesPoints,
} from '../event-store.js';
import {
  CHUNK_POINTS, concatPoints, decodeChunk, emptyPoints, encodeChunk, lowerBound, mergePoints, slicePoints, sortPoints,
} from '../scalar-chunks.js';
import type { PgDb } from './database.js';

const MAX_ITER = Number.MAX_SAFE_INTEGER;
const MIN_ITER = -Number.MAX_SAFE_INTEGER;
/**
 * A bound that a request gave (a fraction, or a number past bigint, both of which SQLite
 * compares as they are) as a bigint parameter: stored values are safe integers, so
 * rounding it to the caller's choice of side and clamping it to ±2^53 changes no comparison.
 */
const bigintBound = (v: number, round: (v: number) => number) => Math.min(2 ** 53, Math.max(-(2 ** 53), round(v)));
/**
 * Chunk bytes go as binary parameters, one each (inside an array parameter they would
 * travel as hex text, several times slower), and a statement takes at most 65535 parameters.
 */
const CHUNKS_PER_STATEMENT = 10_000;

interface ChunkRow { first_iter: number; last_iter: number; n: number; data: Buffer }
interface StoredChunk { series: number; first_iter: number; n: number; data: Buffer }
interface SeriesRow { id: number; metric: string; variant: string }
interface DocRow { metric: string; variant: string; iter: number; key: string; ts: number; body: string }
interface LogDbRow { ts: number; id: number; iter: number | null; level: string; worker: string; msg: string }

/** The entries of one batch that write one series, in arrival order. */
interface SeriesWrite {
  key: string;
  task: string;
  metric: string;
  variant: string;
  entries: { index: number; points: SeriesPoints }[];
}

/** Orders strings by code unit, exactly as the SQLite store orders series. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const seriesOrder = (a: SeriesRow, b: SeriesRow) => cmp(a.metric, b.metric) || cmp(a.variant, b.variant);

/**
 * PostgreSQL text cannot hold NUL, which a console line may carry: the free text of logs
 * is stored with NUL as \u0001 '0' and \u0001 itself as \u0001 '1', so that it reads back
 * unchanged. Text with neither character (nearly all) is stored as it is.
 */
export const escapeText = (s: string) => s.replace(/[\0\u0001]/g, (ch) => (ch === '\0' ? '\u00010' : '\u00011'));
export const unescapeText = (s: string) => (s.includes('\u0001') ? s.replace(/\u0001([01])/g, (_, d) => (d === '0' ? '\0' : '\u0001')) : s);

/**
 * Condition on the chunks `c` of series `id` that overlap [min, max] (SQL expressions). The
 * index range starts at the last chunk beginning at or before `min` rather than at the
 * series' first chunk, so that appends and reads near the end of a long series touch a few rows.
 */
const overlaps = (id: string, min: string, max: string) => `c.series = ${id} AND c.first_iter <= ${max} AND c.last_iter >= ${min}
  AND c.first_iter >= coalesce((SELECT max(first_iter) FROM scalar_chunks WHERE series = ${id} AND first_iter <= ${min}), ${min})`;

/** Groups the non-empty entries by series, sorted by key so that concurrent batches create series rows in one order. */
function seriesWrites(scalars: readonly ScalarSeriesInput[]): SeriesWrite[] {
  const writes = new Map<string, SeriesWrite>();
  scalars.forEach((s, index) => {
    const points = sortPoints(s.iters, s.values, s.timestamps);
    if (points.iters.length === 0) return;
    const key = `${s.task}\0${s.metric}\0${s.variant}`;
    let w = writes.get(key);
    if (!w) writes.set(key, (w = { key, task: s.task, metric: s.metric, variant: s.variant, entries: [] }));
    w.entries.push({ index, points });
  });
  return [...writes.values()].sort((a, b) => cmp(a.key, b.key));
}

/**
 * Events in PostgreSQL, laid out as in SQLite: a scalar series is a run of non-overlapping
 * chunks keyed by (series, first iteration), and appending rewrites at most its last,
 * partly filled chunk. A batch costs a handful of statements whatever its size: every
 * statement handles all of the batch's series, logs or documents at once (unnest).
 *
 * Several servers may write one series at the same time. A batch locks the rows of its
 * series (FOR UPDATE) before reading any chunk, so the read-merge-rewrite of a series'
 * chunks runs one transaction at a time. Locking the chunk rows instead would not do:
 * two batches could both find no chunk to lock (a new series, or points past the last
 * chunk) and write overlapping chunks.
 */
export class PgEventStore implements EventStore {
  constructor(private readonly db: PgDb) {}

  /**
   * The ids of the series, created where missing, each row locked until the transaction
   * ends; locks are taken in id order so that batches sharing series do not deadlock.
   */
  private static async lockSeries(c: pg.PoolClient, writes: SeriesWrite[]): Promise<number[]> {
    const ids: number[] = [];
    let missing = writes.map((_, i) => i);
    // Round 0 finds the existing series. Later rounds insert the missing ones first: the
    // INSERT waits for a concurrent insert of the same series, which the next SELECT then
    // sees; a series deleted in between (deleteTask) is simply missing again.
    for (let round = 0; missing.length > 0; round++) {
      const keys = [missing.map((i) => writes[i].task), missing.map((i) => writes[i].metric), missing.map((i) => writes[i].variant)];
      if (round > 0) {
        await c.query('INSERT INTO series (task, metric, variant) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING', keys);
      }
      const { rows } = await c.query<{ id: number; k: number }>(`SELECT s.id, k.k FROM series s
        JOIN unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(task, metric, variant, k)
          ON s.task = k.task AND s.metric = k.metric AND s.variant = k.variant
        ORDER BY s.id FOR UPDATE OF s`, keys);
      for (const r of rows) ids[missing[r.k - 1]] = r.id;
      missing = missing.filter((i) => ids[i] === undefined);
    }
    return ids;
  }

  /** Merges every series of the batch into its chunks; fills `newPoints` per entry of `batch.scalars`. */
  private static async writeScalars(c: pg.PoolClient, writes: SeriesWrite[], newPoints: number[]): Promise<void> {
    const ids = await PgEventStore.lockSeries(c, writes);
    const los = writes.map((w) => w.entries.reduce((lo, e) => Math.min(lo, e.points.iters[0]), MAX_ITER));
    const his = writes.map((w) => w.entries.reduce((hi, e) => Math.max(hi, e.points.iters[e.points.iters.length - 1]), MIN_ITER));
    // What the SQLite store reads: the chunks overlapping the new points or, when they all
    // lie past the end of the series, its last chunk if that has room left.
    const { rows } = await c.query<StoredChunk>(`
      SELECT c.series, c.first_iter, c.n, c.data FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(id, lo, hi)
        JOIN scalar_chunks c ON ${overlaps('r.id', 'r.lo', 'r.hi')}
      UNION ALL
      SELECT c.series, c.first_iter, c.n, c.data FROM unnest($1::bigint[], $2::bigint[]) AS r(id, lo)
        CROSS JOIN LATERAL (SELECT * FROM scalar_chunks WHERE series = r.id ORDER BY first_iter DESC LIMIT 1) c
        WHERE c.last_iter < r.lo AND c.n < ${CHUNK_POINTS}
      ORDER BY series, first_iter`, [ids, los, his]);
    const stored = new Map<number, StoredChunk[]>();
    for (const r of rows) {
      const list = stored.get(r.series);
      if (list) list.push(r);
      else stored.set(r.series, [r]);
    }
    const gone = { series: [] as number[], first: [] as number[] };
    const put: { series: number; first: number; last: number; n: number; data: Buffer }[] = [];
    writes.forEach((w, i) => {
      const old = stored.get(ids[i]) ?? [];
      let merged = concatPoints(old.map((r) => decodeChunk(r.data, r.n)));
      for (const e of w.entries) {
        const before = merged.iters.length;
        merged = mergePoints(merged, e.points);
        newPoints[e.index] = merged.iters.length - before;
      }
      const firsts = new Set<number>();
      for (let start = 0; start < merged.iters.length; start += CHUNK_POINTS) {
        const end = Math.min(start + CHUNK_POINTS, merged.iters.length);
        firsts.add(merged.iters[start]);
        put.push({ series: ids[i], first: merged.iters[start], last: merged.iters[end - 1], n: end - start, data: encodeChunk(merged, start, end) });
      }
      for (const r of old) {
        if (firsts.has(r.first_iter)) continue;
        gone.series.push(ids[i]);
        gone.first.push(r.first_iter);
      }
    });
    // A rewritten chunk that keeps its first iteration (every append) is updated in place; only the others are deleted.
    if (gone.series.length > 0) {
      await c.query(`DELETE FROM scalar_chunks c USING unnest($1::bigint[], $2::bigint[]) AS g(series, first_iter)
        WHERE c.series = g.series AND c.first_iter = g.first_iter`, [gone.series, gone.first]);
    }
    for (let from = 0; from < put.length; from += CHUNKS_PER_STATEMENT) {
      const part = put.slice(from, from + CHUNKS_PER_STATEMENT);
      await c.query(`INSERT INTO scalar_chunks (series, first_iter, last_iter, n, data)
        SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::integer[], ARRAY[${part.map((_, k) => `$${k + 5}::bytea`).join(', ')}])
        ON CONFLICT (series, first_iter) DO UPDATE SET last_iter = excluded.last_iter, n = excluded.n, data = excluded.data`,
      [part.map((p) => p.series), part.map((p) => p.first), part.map((p) => p.last), part.map((p) => p.n), ...part.map((p) => p.data)]);
    }
  }

  async add(batch: EventBatch): Promise<AddResult> {
    const writes = seriesWrites(batch.scalars);
    const logs = batch.logs;
    // One statement cannot upsert a key twice: the last report of a document wins, as in SQLite.
    const docs = [...new Map(batch.docs.map((d) => [`${d.task}\0${d.type}\0${d.iter}\0${d.metric}\0${d.variant}\0${d.key}`, d])).values()];
    return this.db.tx(async (c) => {
      const newScalarPoints = batch.scalars.map(() => 0);
      if (writes.length > 0) await PgEventStore.writeScalars(c, writes, newScalarPoints);
      if (logs.length > 0) {
        // Ids break ties between equal timestamps: they follow arrival order.
        await c.query(`INSERT INTO logs (task, ts, iter, level, worker, msg)
          SELECT task, ts, iter, level, worker, msg
          FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS l(task, ts, iter, level, worker, msg, i)
          ORDER BY i`,
        [logs.map((e) => e.task), logs.map((e) => e.timestamp), logs.map((e) => e.iter),
          logs.map((e) => escapeText(e.level)), logs.map((e) => escapeText(e.worker)), logs.map((e) => escapeText(e.msg))]);
      }
      if (docs.length > 0) {
        await c.query(`INSERT INTO doc_events (task, type, iter, metric, variant, key, ts, body)
          SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[])
          ON CONFLICT (task, type, iter, metric, variant, key) DO UPDATE SET ts = excluded.ts, body = excluded.body`,
        [docs.map((d) => d.task), docs.map((d) => d.type), docs.map((d) => d.iter), docs.map((d) => d.metric),
          docs.map((d) => d.variant), docs.map((d) => d.key), docs.map((d) => d.timestamp), docs.map((d) => d.body)]);
      }
      return { newScalarPoints };
    });
  }

  private async sortedSeries(task: string, metric?: string): Promise<SeriesRow[]> {
    const { rows } = metric === undefined
      ? await this.db.query<SeriesRow>('SELECT id, metric, variant FROM series WHERE task = $1', [task])
      : await this.db.query<SeriesRow>('SELECT id, metric, variant FROM series WHERE task = $1 AND metric = $2', [task, metric]);
    return rows.sort(seriesOrder);
  }

  async series(task: string): Promise<SeriesKey[]> {
    return (await this.sortedSeries(task)).map(({ metric, variant }) => ({ metric, variant }));
  }

  async scalarPoints(task: string, metric: string, variant: string, range: IterRange = {}): Promise<SeriesPoints> {
    const min = range.min ?? MIN_ITER;
    const max = range.max ?? MAX_ITER;
    const { rows } = await this.db.query<{ n: number; data: Buffer }>(`SELECT c.n, c.data FROM series s JOIN scalar_chunks c ON ${overlaps('s.id', '$4::bigint', '$5::bigint')}
      WHERE s.task = $1 AND s.metric = $2 AND s.variant = $3 ORDER BY c.first_iter`,
    [task, metric, variant, bigintBound(min, Math.ceil), bigintBound(max, Math.floor)]);
    if (rows.length === 0) return emptyPoints();
    const p = concatPoints(rows.map((r) => decodeChunk(r.data, r.n)));
    return slicePoints(p, lowerBound(p.iters, min), lowerBound(p.iters, max + 1));
  }

  async scalarPage(task: string, q: ScalarPageQuery): Promise<ScalarRow[]> {
    const all = await this.sortedSeries(task, q.metric);
    if (q.descending) all.reverse();
    const out: ScalarRow[] = [];
    const after = q.after;
    for (const { id, metric, variant } of all) {
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
      // A few chunks at a time: a page usually needs one or two chunks of a long series.
      while (out.length < q.limit && min <= max) {
        const want = Math.ceil((q.limit - out.length) / CHUNK_POINTS) + 1;
        const { rows } = await this.db.query<ChunkRow>(`SELECT c.first_iter, c.last_iter, c.n, c.data FROM scalar_chunks c
          WHERE ${overlaps('$1::bigint', '$2::bigint', '$3::bigint')} ORDER BY c.first_iter ${q.descending ? 'DESC' : ''} LIMIT $4`, [id, min, max, want]);
        for (const r of rows) {
          const p = decodeChunk(r.data, r.n);
          const from = lowerBound(p.iters, min);
          const to = lowerBound(p.iters, max + 1);
          if (q.descending) {
            for (let i = to - 1; i >= from && out.length < q.limit; i--) out.push({ task, metric, variant, iter: p.iters[i], value: p.values[i], timestamp: p.timestamps[i] });
          } else {
            for (let i = from; i < to && out.length < q.limit; i++) out.push({ task, metric, variant, iter: p.iters[i], value: p.values[i], timestamp: p.timestamps[i] });
          }
        }
        if (rows.length < want) break;
        const last = rows[rows.length - 1];
        if (q.descending) max = last.first_iter - 1;
        else min = last.last_iter + 1;
      }
    }
    return out;
  }

  async scalarCount(task: string, metric?: string): Promise<number> {
    const { rows } = metric === undefined
      ? await this.db.query<{ n: number }>('SELECT coalesce(sum(c.n), 0) AS n FROM series s JOIN scalar_chunks c ON c.series = s.id WHERE s.task = $1', [task])
      : await this.db.query<{ n: number }>(`SELECT coalesce(sum(c.n), 0) AS n FROM series s JOIN scalar_chunks c ON c.series = s.id
        WHERE s.task = $1 AND s.metric = $2`, [task, metric]);
    return rows[0].n;
  }

  async scalarsAtIter(tasks: readonly string[], iter: number): Promise<ScalarRow[]> {
    if (tasks.length === 0) return [];
    const { rows } = await this.db.query<{ k: number; metric: string; variant: string; n: number; data: Buffer }>(`SELECT t.k, s.metric, s.variant, c.n, c.data
      FROM unnest($1::text[]) WITH ORDINALITY AS t(task, k) JOIN series s ON s.task = t.task
      JOIN scalar_chunks c ON ${overlaps('s.id', '$2::bigint', '$2::bigint')}`, [tasks, iter]);
    const found: ScalarRow[][] = tasks.map(() => []);
    for (const r of rows) {
      const p = decodeChunk(r.data, r.n);
      const i = lowerBound(p.iters, iter);
      const task = tasks[r.k - 1];
      if (i < r.n && p.iters[i] === iter) found[r.k - 1].push({ task, metric: r.metric, variant: r.variant, iter, value: p.values[i], timestamp: p.timestamps[i] });
    }
    return found.flatMap((rs) => rs.sort((a, b) => cmp(a.metric, b.metric) || cmp(a.variant, b.variant)));
  }

  private static logRows(task: string, rows: LogDbRow[]): LogRow[] {
    return rows.map((r) => ({
      task, timestamp: r.ts, seq: r.id, iter: r.iter, level: unescapeText(r.level), worker: unescapeText(r.worker), msg: unescapeText(r.msg),
    }));
  }

  async logs(task: string, q: LogQuery): Promise<LogRow[]> {
    const { rows } = q.newestFirst
      ? await this.db.query<LogDbRow>(`SELECT ts, id, iter, level, worker, msg FROM logs WHERE task = $1 AND ts < $2
        ORDER BY ts DESC, id DESC LIMIT $3`, [task, bigintBound(q.fromTimestamp ?? MAX_ITER, Math.ceil), q.limit])
      : await this.db.query<LogDbRow>(`SELECT ts, id, iter, level, worker, msg FROM logs WHERE task = $1 AND ts > $2
        ORDER BY ts, id LIMIT $3`, [task, bigintBound(q.fromTimestamp ?? MIN_ITER, Math.floor), q.limit]);
    return PgEventStore.logRows(task, rows);
  }

  async logPage(task: string, q: LogPageQuery): Promise<LogRow[]> {
    const { rows } = q.descending
      ? await this.db.query<LogDbRow>(`SELECT ts, id, iter, level, worker, msg FROM logs WHERE task = $1 AND (ts, id) < ($2, $3)
        ORDER BY ts DESC, id DESC LIMIT $4`, [task, q.after?.timestamp ?? MAX_ITER, q.after?.seq ?? 0, q.limit])
      : await this.db.query<LogDbRow>(`SELECT ts, id, iter, level, worker, msg FROM logs WHERE task = $1 AND (ts, id) > ($2, $3)
        ORDER BY ts, id LIMIT $4`, [task, q.after?.timestamp ?? MIN_ITER, q.after?.seq ?? 0, q.limit]);
    return PgEventStore.logRows(task, rows);
  }

  async logCount(task: string): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*) AS n FROM logs WHERE task = $1', [task])).rows[0].n;
  }

  private static docRows(task: string, type: DocEventType, rows: DocRow[]): DocEventRow[] {
    return rows.map((r) => ({ task, type, metric: r.metric, variant: r.variant, iter: r.iter, key: r.key, timestamp: r.ts, body: r.body }));
  }

  async docPage(task: string, type: DocEventType, q: DocPageQuery): Promise<DocEventRow[]> {
    const { rows } = q.descending
      ? await this.db.query<DocRow>(`SELECT metric, variant, iter, key, ts, body FROM doc_events
        WHERE task = $1 AND type = $2 AND (iter, metric, variant, key) < ($3, $4, $5, $6)
        ORDER BY iter DESC, metric DESC, variant DESC, key DESC LIMIT $7`,
      [task, type, q.after?.iter ?? MAX_ITER, q.after?.metric ?? '', q.after?.variant ?? '', q.after?.key ?? '', q.limit])
      : await this.db.query<DocRow>(`SELECT metric, variant, iter, key, ts, body FROM doc_events
        WHERE task = $1 AND type = $2 AND (iter, metric, variant, key) > ($3, $4, $5, $6)
        ORDER BY iter, metric, variant, key LIMIT $7`,
      [task, type, q.after?.iter ?? MIN_ITER, q.after?.metric ?? '', q.after?.variant ?? '', q.after?.key ?? '', q.limit]);
    return PgEventStore.docRows(task, type, rows);
  }

  async docCount(task: string, type: DocEventType): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*) AS n FROM doc_events WHERE task = $1 AND type = $2', [task, type])).rows[0].n;
  }

  async latestDocs(task: string, type: DocEventType, q: LatestDocsQuery): Promise<DocEventRow[]> {
    // Ranked by id first so that the window sort carries no bodies.
    const { rows } = await this.db.query<DocRow>(`SELECT d.metric, d.variant, d.iter, d.key, d.ts, d.body FROM doc_events d JOIN (
        SELECT id, dense_rank() OVER (PARTITION BY metric, variant ORDER BY iter DESC) AS r FROM doc_events WHERE task = $1 AND type = $2
      ) k ON k.id = d.id WHERE k.r BETWEEN $3 AND $4 ORDER BY d.iter DESC, d.metric, d.variant, d.key`, [task, type, q.fromRank, q.toRank]);
    const all = PgEventStore.docRows(task, type, rows);
    if (!q.metrics?.length) return all;
    const wanted = q.metrics;
    return all.filter((r) => wanted.some((m) => m.metric === r.metric && (m.variants.length === 0 || m.variants.includes(r.variant))));
  }

  async docIterations(task: string, type: DocEventType, q: DocIterationsQuery): Promise<DocIteration[]> {
    const params: unknown[] = [task, type];
    let where = 'task = $1 AND type = $2';
    if (q.metric !== undefined) where += ` AND metric = $${params.push(q.metric)}`;
    if (q.variants.length) where += ` AND variant = ANY($${params.push(q.variants)}::text[])`;
    const n = params.length;
    const { rows: found } = q.newestFirst
      ? await this.db.query<{ iter: number }>(`SELECT DISTINCT iter FROM doc_events WHERE ${where} AND iter < $${n + 1}
        ORDER BY iter DESC LIMIT $${n + 2}`, [...params, q.from ?? MAX_ITER, q.limit])
      : await this.db.query<{ iter: number }>(`SELECT DISTINCT iter FROM doc_events WHERE ${where} AND iter > $${n + 1}
        ORDER BY iter LIMIT $${n + 2}`, [...params, q.from ?? MIN_ITER, q.limit]);
    if (found.length === 0) return [];
    const iters = found.map((r) => r.iter);
    const lo = Math.min(iters[0], iters[iters.length - 1]);
    const hi = Math.max(iters[0], iters[iters.length - 1]);
    const { rows } = await this.db.query<DocRow>(`SELECT metric, variant, iter, key, ts, body FROM doc_events
      WHERE ${where} AND iter BETWEEN $${n + 1} AND $${n + 2} ORDER BY metric, variant, key`, [...params, lo, hi]);
    const byIter = new Map<number, DocEventRow[]>(iters.map((i) => [i, []]));
    for (const row of PgEventStore.docRows(task, type, rows)) byIter.get(row.iter)?.push(row);
    return iters.map((iter) => ({ iter, events: byIter.get(iter)! }));
  }

  async deleteTask(task: string): Promise<number> {
    return this.db.tx(async (c) => {
      // Deleting the series first waits for batches writing them; the chunk delete that follows then sees their chunks.
      const { rows: series } = await c.query<{ id: number }>('DELETE FROM series WHERE task = $1 RETURNING id', [task]);
      const { rows } = await c.query<{ n: number }>(`WITH
          chunks AS (DELETE FROM scalar_chunks WHERE series = ANY($2::bigint[]) RETURNING n),
          logs AS (DELETE FROM logs WHERE task = $1 RETURNING 1),
          docs AS (DELETE FROM doc_events WHERE task = $1 RETURNING 1)
        SELECT (SELECT coalesce(sum(n), 0) FROM chunks) + (SELECT count(*) FROM logs) + (SELECT count(*) FROM docs) AS n`,
      [task, series.map((s) => s.id)]);
      return rows[0].n;
    });
  }
}
