import type {
  FileOwner, NewStorageDeletion, StorageDeletion, StorageDeletionOutcome, StorageDeletionStatus, StorageDeletionStore,
} from '../store.js';
import type { Db } from './database.js';

type Row = Omit<StorageDeletion, 'status' | 'owner_type'> & { status: string; owner_type: string };

const toDeletion = (r: Row): StorageDeletion => ({ ...r, status: r.status as StorageDeletionStatus, owner_type: r.owner_type as FileOwner['owner_type'] });

/** The deletion queue as one table, unique by URL, indexed for "pending and due". */
export class SqliteStorageDeletions implements StorageDeletionStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      add: db.prepare(`INSERT INTO storage_deletions (url, owner_type, owner, created, attempts, next_attempt, last_error, status, finished)
        VALUES (@url, @owner_type, @owner, @now, 0, @now, NULL, 'pending', NULL)
        ON CONFLICT (url) DO UPDATE SET owner_type = excluded.owner_type, owner = excluded.owner, created = excluded.created,
          attempts = 0, next_attempt = excluded.next_attempt, last_error = NULL, status = 'pending', finished = NULL`),
      due: db.prepare(`SELECT * FROM storage_deletions WHERE status = 'pending' AND next_attempt <= ? AND created <= ?
        ORDER BY next_attempt, id LIMIT ?`),
      lease: db.prepare('UPDATE storage_deletions SET next_attempt = ? WHERE id = ?'),
      done: db.prepare(`UPDATE storage_deletions SET status = 'done', attempts = attempts + 1, last_error = NULL, finished = ? WHERE id = ?`),
      retry: db.prepare(`UPDATE storage_deletions SET attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE id = ?`),
      failed: db.prepare(`UPDATE storage_deletions SET status = 'failed', attempts = attempts + 1, last_error = ?, finished = ? WHERE id = ?`),
      holders: db.prepare(`
        SELECT json_extract(a.value, '$.uri') AS url, 'task' AS owner_type, t.id AS owner
          FROM tasks t, json_each(t.doc, '$.execution.artifacts') a
          WHERE a.type = 'object' AND json_extract(a.value, '$.uri') IN (SELECT value FROM json_each(@urls))
        UNION ALL
        SELECT json_extract(doc, '$.uri'), 'model', id FROM models
          WHERE json_extract(doc, '$.uri') IN (SELECT value FROM json_each(@urls))`),
      list: db.prepare('SELECT * FROM storage_deletions ORDER BY id'),
      prune: db.prepare(`DELETE FROM storage_deletions WHERE status = 'done' AND finished < ?`),
    };
  }

  async add(items: readonly NewStorageDeletion[], nowMs: number): Promise<void> {
    this.db.transaction(() => {
      for (const i of items) this.s.add.run({ url: i.url, owner_type: i.owner_type, owner: i.owner, now: nowMs });
    })();
  }

  async claim(q: { nowMs: number; queuedBefore: number; limit: number; leaseMs: number }): Promise<StorageDeletion[]> {
    return this.db.transaction(() => {
      const rows = (this.s.due.all(q.nowMs, q.queuedBefore, q.limit) as Row[]).map(toDeletion);
      for (const r of rows) this.s.lease.run(q.nowMs + q.leaseMs, r.id);
      return rows;
    }).immediate();
  }

  async record(id: number, outcome: StorageDeletionOutcome, nowMs: number): Promise<void> {
    if (outcome.status === 'done') this.s.done.run(nowMs, id);
    else if (outcome.status === 'pending') this.s.retry.run(outcome.error, outcome.retryAt, id);
    else this.s.failed.run(outcome.error, nowMs, id);
  }

  async holders(urls: readonly string[]): Promise<Map<string, FileOwner>> {
    const found = new Map<string, FileOwner>();
    if (urls.length === 0) return found;
    for (const r of this.s.holders.all({ urls: JSON.stringify(urls) }) as (FileOwner & { url: string })[]) {
      if (!found.has(r.url)) found.set(r.url, { owner_type: r.owner_type, owner: r.owner });
    }
    return found;
  }

  async list(): Promise<StorageDeletion[]> {
    return (this.s.list.all() as Row[]).map(toDeletion);
  }

  async prune(beforeMs: number): Promise<void> {
    this.s.prune.run(beforeMs);
  }
}
