import type { PoolClient } from 'pg';
import type { InProgressTask, WorkerRecord, WorkerStore } from '../store.js';
import type { PgDb } from './database.js';

const expiresAt = (w: WorkerRecord) => w.last_seen + w.register_timeout * 1000;

const PUT = `INSERT INTO workers (id, expires, doc) VALUES ($1, $2, $3)
  ON CONFLICT (id) DO UPDATE SET expires = excluded.expires, doc = excluded.doc`;

/** Workers as jsonb documents with their expiry time as an indexed column, shared by every replica. */
export class PgWorkers implements WorkerStore {
  constructor(private readonly db: PgDb) {}

  /** The stored record, its row locked until commit. */
  private async lock(c: PoolClient, id: string): Promise<WorkerRecord | undefined> {
    const { rows } = await c.query<{ doc: WorkerRecord }>('SELECT doc FROM workers WHERE id = $1 FOR UPDATE', [id]);
    return rows[0]?.doc;
  }

  private async write(c: PoolClient, w: WorkerRecord): Promise<void> {
    await c.query(PUT, [w.id, expiresAt(w), JSON.stringify(w)]);
  }

  async get(id: string): Promise<WorkerRecord | undefined> {
    const { rows } = await this.db.query<{ doc: WorkerRecord }>('SELECT doc FROM workers WHERE id = $1', [id]);
    return rows[0]?.doc;
  }

  async list(): Promise<WorkerRecord[]> {
    const { rows } = await this.db.query<{ doc: WorkerRecord }>('SELECT doc FROM workers ORDER BY id COLLATE "C"');
    return rows.map((r) => r.doc);
  }

  async upsert(id: string, mutate: (current: WorkerRecord | undefined) => WorkerRecord): Promise<WorkerRecord> {
    return this.db.tx(async (c) => {
      for (;;) {
        const current = await this.lock(c, id);
        const next = mutate(current);
        if (current) {
          await this.write(c, next);
          return next;
        }
        // There is no row to lock yet: a replica creating the same worker meanwhile wins,
        // and `mutate` runs again on what it stored.
        const created = await c.query('INSERT INTO workers (id, expires, doc) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
          [next.id, expiresAt(next), JSON.stringify(next)]);
        if (created.rowCount === 1) return next;
      }
    });
  }

  async update(id: string, mutate: (current: WorkerRecord) => WorkerRecord): Promise<WorkerRecord | undefined> {
    return this.db.tx(async (c) => {
      const current = await this.lock(c, id);
      if (!current) return undefined;
      const next = mutate(current);
      await this.write(c, next);
      return next;
    });
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM workers WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  /** Each expired worker goes to one caller: a concurrent DELETE waits for the row and skips it once gone. */
  async removeExpired(nowMs: number): Promise<WorkerRecord[]> {
    const { rows } = await this.db.query<{ doc: WorkerRecord }>('DELETE FROM workers WHERE expires < $1 RETURNING doc', [nowMs]);
    return rows.map((r) => r.doc);
  }

  async inProgressTasks(): Promise<InProgressTask[]> {
    // The expression matches the index `tasks_status`.
    const { rows } = await this.db.query<{ id: string; last_worker: string | null; last_worker_report: string | null; started: string | null; last_update: string }>(
      `SELECT id, doc->>'last_worker' AS last_worker, doc->>'last_worker_report' AS last_worker_report,
        doc->>'started' AS started, doc->>'last_update' AS last_update
       FROM tasks WHERE doc->>'status' = 'in_progress'`);
    return rows.map((r) => ({
      id: r.id,
      last_update: r.last_update,
      ...(r.last_worker ? { last_worker: r.last_worker } : {}),
      ...(r.last_worker_report ? { last_worker_report: r.last_worker_report } : {}),
      ...(r.started ? { started: r.started } : {}),
    }));
  }
}
