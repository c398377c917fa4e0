import type { InProgressTask, WorkerRecord, WorkerStore } from '../store.js';
import type { Db } from './database.js';

const expiresAt = (w: WorkerRecord) => w.last_seen + w.register_timeout * 1000;

/** Workers as JSON documents with their expiry time as an indexed column. */
export class SqliteWorkers implements WorkerStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      get: db.prepare('SELECT doc FROM workers WHERE id = ?').pluck(),
      all: db.prepare('SELECT doc FROM workers ORDER BY id').pluck(),
      put: db.prepare(`INSERT INTO workers (id, expires, doc) VALUES (@id, @expires, @doc)
        ON CONFLICT (id) DO UPDATE SET expires = excluded.expires, doc = excluded.doc`),
      delete: db.prepare('DELETE FROM workers WHERE id = ?'),
      removeExpired: db.prepare('DELETE FROM workers WHERE expires < ? RETURNING doc').pluck(),
      // The expression matches the index `tasks_status` of migration 3.
      inProgress: db.prepare(`SELECT id, json_extract(doc, '$.last_worker'), json_extract(doc, '$.last_worker_report'),
          json_extract(doc, '$.started'), json_extract(doc, '$.last_update')
        FROM tasks WHERE json_extract(doc, '$.status') = 'in_progress'`).raw(),
    };
  }

  private read(id: string): WorkerRecord | undefined {
    const text = this.s.get.get(id) as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as WorkerRecord);
  }

  private write(w: WorkerRecord): void {
    this.s.put.run({ id: w.id, expires: expiresAt(w), doc: JSON.stringify(w) });
  }

  async get(id: string): Promise<WorkerRecord | undefined> {
    return this.read(id);
  }

  async list(): Promise<WorkerRecord[]> {
    return (this.s.all.all() as string[]).map((t) => JSON.parse(t) as WorkerRecord);
  }

  async upsert(id: string, mutate: (current: WorkerRecord | undefined) => WorkerRecord): Promise<WorkerRecord> {
    return this.db.transaction(() => {
      const next = mutate(this.read(id));
      this.write(next);
      return next;
    }).immediate();
  }

  async update(id: string, mutate: (current: WorkerRecord) => WorkerRecord): Promise<WorkerRecord | undefined> {
    return this.db.transaction(() => {
      const current = this.read(id);
      if (!current) return undefined;
      const next = mutate(current);
      this.write(next);
      return next;
    }).immediate();
  }

  async delete(id: string): Promise<boolean> {
    return this.s.delete.run(id).changes > 0;
  }

  async removeExpired(nowMs: number): Promise<WorkerRecord[]> {
    return (this.s.removeExpired.all(nowMs) as string[]).map((t) => JSON.parse(t) as WorkerRecord);
  }

  async inProgressTasks(): Promise<InProgressTask[]> {
    type Row = [string, string | null, string | null, string | null, string];
    return (this.s.inProgress.all() as Row[]).map(([id, lastWorker, lastReport, started, lastUpdate]) => ({
      id,
      last_update: lastUpdate,
      ...(lastWorker ? { last_worker: lastWorker } : {}),
      ...(lastReport ? { last_worker_report: lastReport } : {}),
      ...(started ? { started } : {}),
    }));
  }
}
