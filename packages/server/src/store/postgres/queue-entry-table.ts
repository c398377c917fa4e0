import { isoDate, type QueueEntry } from '@cairn/protocol';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { PoolClient } from 'pg';
import { planMove } from '../queue-move.js';
import type { QueueEntryStore, QueueMetricSample, QueueMove } from '../store.js';
import type { PgDb } from './database.js';

interface EntryRow {
  task: string;
  added: number;
}
interface SampleRow {
  queue: string;
  ts: number;
  length: number;
  avg_wait: number;
}

/** NOTIFY channel of every add; the payload is `<origin> <queue id>`. */
const ADDED = 'cairn_queue_added';
/** First key of the advisory lock on a task's queue membership (`hashtext(task)` is the second). */
const TASK_LOCK = 0x71756575; // "queu"

const toEntry = (r: EntryRow): QueueEntry => ({ task: r.task, added: isoDate(r.added) });
const toSample = (r: SampleRow): QueueMetricSample => ({ queue: r.queue, ts: r.ts, length: r.length, avg_wait: r.avg_wait });

/**
 * Locks queue rows in id order (so that two transactions locking several queues cannot
 * deadlock) and answers those that exist. Holding a queue's row serialises every change
 * to its entries across replicas: positions computed from max(position) cannot collide,
 * and two pops cannot take the same head.
 */
async function lockQueues(c: PoolClient, queues: readonly string[]): Promise<Set<string>> {
  const { rows } = await c.query<{ id: string }>('SELECT id FROM queues WHERE id = ANY($1) ORDER BY id FOR UPDATE', [queues]);
  return new Set(rows.map((r) => r.id));
}

/**
 * Queue entries as rows ordered by `position` (unique per queue), shared by every
 * replica. Positions only grow: a reorder renumbers the queue above its current maximum,
 * as the SQLite store does.
 */
export class PgQueueEntries implements QueueEntryStore {
  /** In-process wake-ups for `waitForAdd`: one event per queue id. */
  private readonly additions = new EventEmitter();
  /** Tells this store's own notifications apart: their adds already woke the waiters here. */
  private readonly origin = randomUUID();
  private subscription: Promise<unknown> | null = null;

  constructor(private readonly db: PgDb) {
    this.additions.setMaxListeners(0);
  }

  /** Records a metrics sample and bumps `last_update`: to be called inside the changing transaction. */
  private async changed(c: PoolClient, queue: string, now: number): Promise<void> {
    await c.query(`WITH sample AS (
        INSERT INTO queue_metrics (queue, ts, length, avg_wait)
        SELECT $1::text, $2::bigint, count(*), coalesce(($2::bigint - avg(added)) / 1000.0, 0) FROM queue_entries WHERE queue = $1)
      UPDATE queues SET doc = jsonb_set(doc, '{last_update}', to_jsonb($3::text)) WHERE id = $1`, [queue, now, isoDate(now)]);
  }

  async list(queue: string, limit?: number): Promise<QueueEntry[]> {
    const { rows } = await this.db.query<EntryRow>('SELECT task, added FROM queue_entries WHERE queue = $1 ORDER BY position LIMIT $2', [queue, limit ?? null]);
    return rows.map(toEntry);
  }

  async listMany(queues: readonly string[], limit?: number): Promise<Map<string, QueueEntry[]>> {
    const out = new Map<string, QueueEntry[]>(queues.map((q) => [q, []]));
    if (queues.length === 0) return out;
    const { rows } = await this.db.query<EntryRow & { queue: string }>(
      'SELECT queue, task, added FROM queue_entries WHERE queue = ANY($1) ORDER BY queue, position', [queues]);
    for (const r of rows) {
      const list = out.get(r.queue)!;
      if (limit === undefined || list.length < limit) list.push(toEntry(r));
    }
    return out;
  }

  async count(queue: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*) AS n FROM queue_entries WHERE queue = $1', [queue]);
    return rows[0].n;
  }

  /**
   * The queues holding the task, but `except`. The advisory lock keeps its membership
   * from growing until commit: without it, two exclusive adds of one task to two queues
   * would each miss the other's uncommitted entry and leave it in both.
   */
  private async queuesOf(c: PoolClient, task: string, except?: string): Promise<string[]> {
    await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TASK_LOCK, task]);
    const { rows } = await c.query<{ queue: string }>('SELECT queue FROM queue_entries WHERE task = $1', [task]);
    return rows.map((r) => r.queue).filter((q) => q !== except);
  }

  /** Takes the task out of `queues` (locked by the caller); answers those it was still in. */
  private async removeFrom(c: PoolClient, task: string, queues: readonly string[], now: number): Promise<string[]> {
    if (queues.length === 0) return [];
    const { rows } = await c.query<{ queue: string }>('DELETE FROM queue_entries WHERE task = $1 AND queue = ANY($2) RETURNING queue', [task, queues]);
    const removed = rows.map((r) => r.queue).sort();
    for (const queue of removed) await this.changed(c, queue, now);
    return removed;
  }

  async add(queue: string, task: string, exclusive = false): Promise<'added' | 'duplicate' | 'no-queue'> {
    const result = await this.db.tx(async (c) => {
      const others = exclusive ? await this.queuesOf(c, task, queue) : [];
      if (!(await lockQueues(c, [queue, ...others])).has(queue)) return 'no-queue' as const;
      const now = Date.now();
      await this.removeFrom(c, task, others, now);
      const inserted = await c.query(`INSERT INTO queue_entries (queue, task, position, added)
        SELECT $1::text, $2::text, coalesce(max(position), 0) + 1, $3::bigint FROM queue_entries WHERE queue = $1
        ON CONFLICT (queue, task) DO NOTHING`, [queue, task, now]);
      if (inserted.rowCount === 0) return 'duplicate' as const;
      await this.changed(c, queue, now);
      await c.query('SELECT pg_notify($1, $2)', [ADDED, `${this.origin} ${queue}`]);
      return 'added' as const;
    });
    if (result === 'added') this.additions.emit(queue);
    return result;
  }

  async remove(queue: string, task: string): Promise<boolean> {
    return this.db.tx(async (c) => {
      await lockQueues(c, [queue]);
      const { rowCount } = await c.query('DELETE FROM queue_entries WHERE queue = $1 AND task = $2', [queue, task]);
      if (rowCount === 0) return false;
      await this.changed(c, queue, Date.now());
      return true;
    });
  }

  async removeEverywhere(task: string): Promise<string[]> {
    return this.db.tx(async (c) => {
      const queues = await this.queuesOf(c, task);
      await lockQueues(c, queues);
      return this.removeFrom(c, task, queues, Date.now());
    });
  }

  async pop(queue: string, onlyTask?: string): Promise<QueueEntry | undefined> {
    return this.db.tx(async (c) => {
      await lockQueues(c, [queue]);
      const { rows } = await c.query<EntryRow>(`DELETE FROM queue_entries WHERE queue = $1 AND ($2::text IS NULL OR task = $2)
        AND position = (SELECT min(position) FROM queue_entries WHERE queue = $1) RETURNING task, added`, [queue, onlyTask ?? null]);
      if (rows.length === 0) return undefined;
      await this.changed(c, queue, Date.now());
      return toEntry(rows[0]);
    });
  }

  async move(queue: string, task: string, move: QueueMove): Promise<number | undefined> {
    return this.db.tx(async (c) => {
      await lockQueues(c, [queue]);
      const { rows } = await c.query<{ task: string; position: string }>(
        'SELECT task, position FROM queue_entries WHERE queue = $1 ORDER BY position', [queue]);
      if (rows.length === 0) return undefined;
      const plan = planMove(rows.map((r) => r.task), Number(rows[0].position), Number(rows[rows.length - 1].position), task, move);
      if (!plan || plan.positions.length === 0) return plan?.to;
      await c.query(`UPDATE queue_entries e SET position = v.position
        FROM unnest($2::text[], $3::bigint[]) AS v(task, position) WHERE e.queue = $1 AND e.task = v.task`,
        [queue, plan.positions.map(([t]) => t), plan.positions.map(([, p]) => p)]);
      await this.changed(c, queue, Date.now());
      return plan.to;
    });
  }


  async clear(queue: string): Promise<string[] | undefined> {
    return this.db.tx(async (c) => {
      if (!(await lockQueues(c, [queue])).has(queue)) return undefined;
      const { rows } = await c.query<{ task: string; position: number }>('DELETE FROM queue_entries WHERE queue = $1 RETURNING task, position', [queue]);
      if (rows.length > 0) await this.changed(c, queue, Date.now());
      return rows.sort((a, b) => a.position - b.position).map((r) => r.task);
    });
  }

  async drop(queue: string): Promise<void> {
    await this.db.tx(async (c) => {
      await c.query('DELETE FROM queue_entries WHERE queue = $1', [queue]);
      await c.query('DELETE FROM queue_metrics WHERE queue = $1', [queue]);
    });
  }

  /** Starts listening for other replicas' adds, once; a failed attempt is tried again by the next waiter. */
  private listen(): void {
    this.subscription ??= this.db.subscribe(ADDED, (payload) => {
      const [origin, queue] = payload.split(' ');
      if (origin !== this.origin) this.additions.emit(queue);
    }).catch(() => {
      this.subscription = null;
    });
  }

  waitForAdd(queue: string, ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) {
        resolve(false);
        return;
      }
      this.listen();
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
    if (queues !== null && queues.length === 0) return [];
    const before = await this.db.query<SampleRow>(`SELECT DISTINCT ON (queue) queue, ts, length, avg_wait FROM queue_metrics
      WHERE ts < $1 AND ($2::text[] IS NULL OR queue = ANY($2)) ORDER BY queue, ts DESC, id DESC`, [fromMs, queues]);
    const within = await this.db.query<SampleRow>(`SELECT queue, ts, length, avg_wait FROM queue_metrics
      WHERE ts >= $1 AND ts < $2 AND ($3::text[] IS NULL OR queue = ANY($3)) ORDER BY queue, ts, id`, [fromMs, toMs, queues]);
    return [...before.rows, ...within.rows].map(toSample);
  }

  async pruneMetrics(beforeMs: number): Promise<void> {
    await this.db.query('DELETE FROM queue_metrics WHERE ts < $1 AND id NOT IN (SELECT max(id) FROM queue_metrics GROUP BY queue)', [beforeMs]);
  }
}
