import type {
  FileOwner, NewStorageDeletion, StorageDeletion, StorageDeletionOutcome, StorageDeletionStore,
} from '../store.js';
import type { PgDb } from './database.js';

/** The deletion queue as one table, unique by URL, indexed for "pending and due"; shared by every replica. */
export class PgStorageDeletions implements StorageDeletionStore {
  constructor(private readonly db: PgDb) {}

  async add(items: readonly NewStorageDeletion[], nowMs: number): Promise<void> {
    // One statement cannot write a URL twice (ON CONFLICT DO UPDATE refuses): the last item of a URL wins, as in SQLite.
    const unique = [...new Map(items.map((i) => [i.url, i])).values()];
    if (unique.length === 0) return;
    // In a transaction for its retry: two replicas queueing shared URLs in different orders can deadlock.
    await this.db.tx((c) => c.query(`INSERT INTO storage_deletions (url, owner_type, owner, created, attempts, next_attempt, last_error, status, finished)
      SELECT url, owner_type, owner, $4::bigint, 0, $4::bigint, NULL, 'pending', NULL
        FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS i(url, owner_type, owner, n) ORDER BY n
      ON CONFLICT (url) DO UPDATE SET owner_type = excluded.owner_type, owner = excluded.owner, created = excluded.created,
        attempts = 0, next_attempt = excluded.next_attempt, last_error = NULL, status = 'pending', finished = NULL`,
    [unique.map((i) => i.url), unique.map((i) => i.owner_type), unique.map((i) => i.owner), nowMs]));
  }

  /**
   * Rows another caller is claiming are skipped, not waited for; the lease is taken in the
   * same statement. The rows come back as they were before the lease, as in SQLite.
   */
  async claim(q: { nowMs: number; queuedBefore: number; limit: number; leaseMs: number }): Promise<StorageDeletion[]> {
    const { rows } = await this.db.query<StorageDeletion>(`UPDATE storage_deletions s SET next_attempt = $4
      FROM (SELECT id, next_attempt FROM storage_deletions WHERE status = 'pending' AND next_attempt <= $1 AND created <= $2
            ORDER BY next_attempt, id LIMIT $3 FOR UPDATE SKIP LOCKED) due
      WHERE s.id = due.id
      RETURNING s.id, s.url, s.owner_type, s.owner, s.created, s.attempts, due.next_attempt, s.last_error, s.status, s.finished`,
    [q.nowMs, q.queuedBefore, q.limit, q.nowMs + q.leaseMs]);
    return rows.sort((a, b) => a.next_attempt - b.next_attempt || a.id - b.id);
  }

  async record(id: number, outcome: StorageDeletionOutcome, nowMs: number): Promise<void> {
    if (outcome.status === 'done') {
      await this.db.query(`UPDATE storage_deletions SET status = 'done', attempts = attempts + 1, last_error = NULL, finished = $1 WHERE id = $2`, [nowMs, id]);
    } else if (outcome.status === 'pending') {
      await this.db.query('UPDATE storage_deletions SET attempts = attempts + 1, last_error = $1, next_attempt = $2 WHERE id = $3', [outcome.error, outcome.retryAt, id]);
    } else {
      await this.db.query(`UPDATE storage_deletions SET status = 'failed', attempts = attempts + 1, last_error = $1, finished = $2 WHERE id = $3`, [outcome.error, nowMs, id]);
    }
  }

  async holders(urls: readonly string[]): Promise<Map<string, FileOwner>> {
    const found = new Map<string, FileOwner>();
    if (urls.length === 0) return found;
    // A task whose `execution.artifacts` is missing or not a list names nothing.
    const { rows } = await this.db.query<FileOwner & { url: string }>(`
      SELECT a->>'uri' AS url, 'task' AS owner_type, t.id AS owner
        FROM tasks t, jsonb_array_elements(CASE jsonb_typeof(t.doc #> '{execution,artifacts}')
          WHEN 'array' THEN t.doc #> '{execution,artifacts}' ELSE '[]' END) a
        WHERE a->>'uri' = ANY($1)
      UNION ALL
      SELECT doc->>'uri', 'model', id FROM models WHERE doc->>'uri' = ANY($1)`, [urls]);
    for (const r of rows) {
      if (!found.has(r.url)) found.set(r.url, { owner_type: r.owner_type, owner: r.owner });
    }
    return found;
  }

  async list(): Promise<StorageDeletion[]> {
    return (await this.db.query<StorageDeletion>('SELECT * FROM storage_deletions ORDER BY id')).rows;
  }

  async prune(beforeMs: number): Promise<void> {
    await this.db.query(`DELETE FROM storage_deletions WHERE status = 'done' AND finished < $1`, [beforeMs]);
  }
}
