import { isoDate, type QueueEntry } from '@cairn/protocol';
import { EventEmitter } from 'node:events';
import { planMove } from '../queue-move.js';
import type { QueueEntryStore, QueueMetricSample, QueueMove } from '../store.js';
import type { Db } from './database.js';

type EntryRow = [task: string, added: number];
type SampleRow = [queue: string, ts: number, length: number, avgWait: number];

const toEntry = ([task, added]: EntryRow): QueueEntry => ({ task, added: isoDate(added) });
const toSample = ([queue, ts, length, avgWait]: SampleRow): QueueMetricSample => ({ queue, ts, length, avg_wait: avgWait });
const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * Queue entries as rows ordered by `position` (unique per queue). Every change runs in
 * one IMMEDIATE transaction, so a pop is atomic even when several processes share the
 * file. Positions only grow: a reorder renumbers the queue above its current maximum,
 * which never collides with the unique index on the way.
 */
export class SqliteQueueEntries implements QueueEntryStore {
  private readonly s;
  /** In-process wake-ups for `waitForAdd`: one event per queue id. */
  private readonly additions = new EventEmitter();

  constructor(private readonly db: Db) {
    this.additions.setMaxListeners(0);
    this.s = {
      exists: db.prepare('SELECT 1 FROM queues WHERE id = ?').pluck(),
      list: db.prepare('SELECT task, added FROM queue_entries WHERE queue = ? ORDER BY position LIMIT ?').raw(),
      count: db.prepare('SELECT count(*) FROM queue_entries WHERE queue = ?').pluck(),
      has: db.prepare('SELECT 1 FROM queue_entries WHERE queue = ? AND task = ?').pluck(),
      append: db.prepare(`INSERT INTO queue_entries (queue, task, position, added)
        VALUES (@queue, @task, (SELECT coalesce(max(position), 0) + 1 FROM queue_entries WHERE queue = @queue), @now)`),
      remove: db.prepare('DELETE FROM queue_entries WHERE queue = ? AND task = ?'),
      queuesOf: db.prepare('SELECT queue FROM queue_entries WHERE task = ?').pluck(),
      popHead: db.prepare(`DELETE FROM queue_entries WHERE queue = @queue
        AND position = (SELECT min(position) FROM queue_entries WHERE queue = @queue) RETURNING task, added`).raw(),
      popIfHead: db.prepare(`DELETE FROM queue_entries WHERE queue = @queue AND task = @task
        AND position = (SELECT min(position) FROM queue_entries WHERE queue = @queue) RETURNING task, added`).raw(),
      order: db.prepare('SELECT task FROM queue_entries WHERE queue = ? ORDER BY position').pluck(),
      bounds: db.prepare('SELECT min(position), max(position) FROM queue_entries WHERE queue = ?').raw(),
      setPosition: db.prepare('UPDATE queue_entries SET position = ? WHERE queue = ? AND task = ?'),
      clear: db.prepare('DELETE FROM queue_entries WHERE queue = ?'),
      dropMetrics: db.prepare('DELETE FROM queue_metrics WHERE queue = ?'),
      sample: db.prepare(`INSERT INTO queue_metrics (queue, ts, length, avg_wait)
        SELECT @queue, @now, count(*), coalesce((@now - avg(added)) / 1000.0, 0) FROM queue_entries WHERE queue = @queue`),
      touch: db.prepare(`UPDATE queues SET doc = json_set(doc, '$.last_update', @iso) WHERE id = @queue`),
      pruneMetrics: db.prepare('DELETE FROM queue_metrics WHERE ts < ? AND id NOT IN (SELECT max(id) FROM queue_metrics GROUP BY queue)'),
    };
  }

  /** Records a metrics sample and bumps `last_update`: to be called inside the changing transaction. */
  private changed(queue: string, now: number): void {
    this.s.sample.run({ queue, now });
    this.s.touch.run({ queue, iso: isoDate(now) });
  }

  async list(queue: string, limit = -1): Promise<QueueEntry[]> {
    return (this.s.list.all(queue, limit) as EntryRow[]).map(toEntry);
  }

  async listMany(queues: readonly string[], limit?: number): Promise<Map<string, QueueEntry[]>> {
    const out = new Map<string, QueueEntry[]>(queues.map((q) => [q, []]));
    if (queues.length === 0) return out;
    const rows = this.db.prepare(`SELECT queue, task, added FROM queue_entries WHERE queue IN (${placeholders(queues.length)})
      ORDER BY queue, position`).raw().all(...queues) as [string, string, number][];
    for (const [queue, task, added] of rows) {
      const list = out.get(queue)!;
      if (limit === undefined || list.length < limit) list.push(toEntry([task, added]));
    }
    return out;
  }

  async count(queue: string): Promise<number> {
    return this.s.count.get(queue) as number;
  }

  async add(queue: string, task: string, exclusive = false): Promise<'added' | 'duplicate' | 'no-queue'> {
    const result = this.db.transaction(() => {
      if (!this.s.exists.get(queue)) return 'no-queue' as const;
      const now = Date.now();
      if (exclusive) this.removeFrom(task, queue, now);
      if (this.s.has.get(queue, task)) return 'duplicate' as const;
      this.s.append.run({ queue, task, now });
      this.changed(queue, now);
      return 'added' as const;
    }).immediate();
    if (result === 'added') this.additions.emit(queue);
    return result;
  }

  async remove(queue: string, task: string): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.s.remove.run(queue, task).changes === 0) return false;
      this.changed(queue, Date.now());
      return true;
    }).immediate();
  }

  /** Takes the task out of every queue but `except`: to be called inside a transaction. */
  private removeFrom(task: string, except: string | undefined, now: number): string[] {
    const queues = (this.s.queuesOf.all(task) as string[]).filter((q) => q !== except);
    for (const queue of queues) {
      this.s.remove.run(queue, task);
      this.changed(queue, now);
    }
    return queues;
  }

  async removeEverywhere(task: string): Promise<string[]> {
    return this.db.transaction(() => this.removeFrom(task, undefined, Date.now())).immediate();
  }

  async pop(queue: string, onlyTask?: string): Promise<QueueEntry | undefined> {
    return this.db.transaction(() => {
      const row = (onlyTask === undefined ? this.s.popHead.get({ queue }) : this.s.popIfHead.get({ queue, task: onlyTask })) as EntryRow | undefined;
      if (!row) return undefined;
      this.changed(queue, Date.now());
      return toEntry(row);
    }).immediate();
  }

  async move(queue: string, task: string, move: QueueMove): Promise<number | undefined> {
    return this.db.transaction(() => {
      const [min, max] = this.s.bounds.get(queue) as [number, number];
      const plan = planMove(this.s.order.all(queue) as string[], min, max, task, move);
      if (!plan || plan.positions.length === 0) return plan?.to;
      for (const [t, position] of plan.positions) this.s.setPosition.run(position, queue, t);
      this.changed(queue, Date.now());
      return plan.to;
    }).immediate();
  }

  async clear(queue: string): Promise<string[] | undefined> {
    return this.db.transaction(() => {
      if (!this.s.exists.get(queue)) return undefined;
      const tasks = this.s.order.all(queue) as string[];
      if (tasks.length > 0) {
        this.s.clear.run(queue);
        this.changed(queue, Date.now());
      }
      return tasks;
    }).immediate();
  }

  async drop(queue: string): Promise<void> {
    this.db.transaction(() => {
      this.s.clear.run(queue);
      this.s.dropMetrics.run(queue);
    }).immediate();
  }

  waitForAdd(queue: string, ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) {
        resolve(false);
        return;
      }
      const done = (added: boolean) => {
        clearTimeout(timer);
        this.additions.off(queue, onAdd);
        signal?.removeEventListener('abort', onAbort);
        resolve(added);
      };
      const onAdd = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.additions.on(queue, onAdd);
      signal?.addEventListener('abort', onAbort);
    });
  }

  async metricSamples(queues: readonly string[] | null, fromMs: number, toMs: number): Promise<QueueMetricSample[]> {
    const only = queues === null ? '' : ` AND queue IN (${placeholders(queues.length)})`;
    const ids = queues ?? [];
    if (queues !== null && queues.length === 0) return [];
    // SQLite takes the bare columns from the row holding max(ts).
    const before = this.db.prepare(`SELECT queue, max(ts), length, avg_wait FROM queue_metrics WHERE ts < ?${only} GROUP BY queue`)
      .raw().all(fromMs, ...ids) as SampleRow[];
    const within = this.db.prepare(`SELECT queue, ts, length, avg_wait FROM queue_metrics WHERE ts >= ? AND ts < ?${only} ORDER BY queue, ts, id`)
      .raw().all(fromMs, toMs, ...ids) as SampleRow[];
    return [...before, ...within].map(toSample);
  }

  async pruneMetrics(beforeMs: number): Promise<void> {
    this.s.pruneMetrics.run(beforeMs);
  }
}
