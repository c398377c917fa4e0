import type { DocumentStore, Narrowing, Selection } from '../store.js';
import type { Db } from './database.js';
import { orderSql, whereSql, type Columns } from './selection-sql.js';

/** Documents a table may hold and still keep its parsed copy in memory (tests lower it). */
export const scanCopy = { limit: 100_000 };

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * A table of JSON documents keyed by id, with an optional indexed `project` column
 * used to narrow `get_all` queries before the query language filters in memory.
 *
 * Scans (`find` without ids) are served from a parsed copy of the whole table, so a
 * listing of 10,000 tasks does not re-parse 10,000 JSON documents per request. The
 * copy follows this connection's own writes and is dropped whenever SQLite's
 * `data_version` says another connection (another process on the same file) wrote.
 * Its documents are frozen: callers of `find` must not change what they get.
 * `find` leaves its narrowing conditions to the caller: over the parsed copy, the
 * caller's own filter is the faster way. A page (`select`) is answered in SQL, so only
 * the documents on it are read and parsed. Past `scanCopy.limit` documents the copy
 * would take gigabytes: scans then read from SQL too, with the narrowing applied there.
 */
export class SqliteDocumentTable<T extends { id: string; project?: string }> implements DocumentStore<T> {
  private readonly stmts;
  private scanCache: Map<string, T> | null = null;
  private scanCacheVersion = -1;
  /**
   * The table's size as last counted, at a data_version, kept up to date by this
   * connection's own inserts and deletes: scans past the copy's limit do not count a
   * million rows each time. Below the limit it may be the largest rowid (an upper bound).
   */
  private size: { version: number; rows: number } | null = null;
  private readonly columns: Columns;

  constructor(private readonly db: Db, private readonly table: string, private readonly hasProject: boolean) {
    this.columns = new Set(hasProject ? ['id', 'project'] : ['id']);
    const cols = hasProject ? 'id, project, doc' : 'id, doc';
    const vals = hasProject ? '@id, @project, @doc' : '@id, @doc';
    const set = hasProject ? 'project = @project, doc = @doc' : 'doc = @doc';
    this.stmts = {
      insert: db.prepare(`INSERT INTO ${table} (${cols}) VALUES (${vals})`),
      get: db.prepare(`SELECT doc FROM ${table} WHERE id = ?`).pluck(),
      all: db.prepare(`SELECT doc FROM ${table}`).pluck(),
      update: db.prepare(`UPDATE ${table} SET ${set} WHERE id = @id`),
      delete: db.prepare(`DELETE FROM ${table} WHERE id = ?`),
      count: db.prepare(`SELECT count(*) FROM ${table}`).pluck(),
      maxRowid: db.prepare(`SELECT max(rowid) FROM ${table}`).pluck(),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
    };
  }

  private cached(): Map<string, T> {
    const version = this.stmts.dataVersion.get() as number;
    if (!this.scanCache || version !== this.scanCacheVersion) {
      const cache = new Map<string, T>();
      for (const text of this.stmts.all.all() as string[]) {
        const doc = deepFreeze(JSON.parse(text) as T);
        cache.set(doc.id, doc);
      }
      this.scanCache = cache;
      this.scanCacheVersion = version;
    }
    return this.scanCache;
  }

  /** Keeps the scan copy in step with a write made through this connection. */
  protected remember(id: string, text: string | null): void {
    if (!this.scanCache) return;
    if (text === null) this.scanCache.delete(id);
    else this.scanCache.set(id, deepFreeze(JSON.parse(text) as T));
  }

  private row(doc: T) {
    return this.hasProject ? { id: doc.id, project: doc.project ?? null, doc: JSON.stringify(doc) } : { id: doc.id, doc: JSON.stringify(doc) };
  }

  async insert(doc: T): Promise<void> {
    const row = this.row(doc);
    this.stmts.insert.run(row);
    this.remember(doc.id, row.doc);
    if (this.size) this.size.rows++;
  }

  async get(id: string): Promise<T | undefined> {
    const text = this.stmts.get.get(id) as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async getMany(ids: readonly string[]): Promise<T[]> {
    const out: T[] = [];
    for (const id of new Set(ids)) {
      const text = this.stmts.get.get(id) as string | undefined;
      if (text !== undefined) out.push(JSON.parse(text) as T);
    }
    return out;
  }

  async find(narrow: Narrowing = {}): Promise<T[]> {
    if (narrow.ids) return this.getMany(narrow.ids);
    if (this.tooLargeToCopy()) {
      this.scanCache = null;
      return this.findInSql(narrow);
    }
    const all = [...this.cached().values()];
    if (narrow.projects && this.hasProject) {
      const wanted = new Set(narrow.projects);
      return all.filter((d) => d.project !== undefined && wanted.has(d.project));
    }
    return all;
  }

  private tooLargeToCopy(): boolean {
    const version = this.stmts.dataVersion.get() as number;
    // a current copy knows its own size
    if (this.scanCache && version === this.scanCacheVersion) return this.scanCache.size > scanCopy.limit;
    if (this.size?.version !== version) {
      // the largest rowid bounds the count from above and costs one index lookup, not a scan
      const maxRowid = (this.stmts.maxRowid.get() as number | null) ?? 0;
      this.size = { version, rows: maxRowid > scanCopy.limit ? (this.stmts.count.get() as number) : maxRowid };
    }
    return this.size.rows > scanCopy.limit;
  }

  private findInSql(narrow: Narrowing): T[] {
    const conditions = [...(narrow.conditions ?? [])];
    if (narrow.projects && this.hasProject) conditions.push({ op: 'in', path: ['project'], values: [...narrow.projects], scalar: true });
    const params: unknown[] = [];
    const where = whereSql(conditions, params, this.columns);
    const rows = this.db.prepare(`SELECT doc FROM ${this.table} ${where} ORDER BY rowid`).pluck().all(...params) as string[];
    return rows.map((text) => JSON.parse(text) as T);
  }

  async select(selection: Selection): Promise<T[]> {
    const params: unknown[] = [];
    const where = whereSql(selection.conditions, params, this.columns);
    const order = orderSql(selection.order, this.columns);
    params.push(selection.limit ?? -1, selection.offset);
    const rows = this.db.prepare(`SELECT doc FROM ${this.table} ${where} ${order} LIMIT ? OFFSET ?`).pluck().all(...params) as string[];
    return rows.map((text) => JSON.parse(text) as T);
  }

  async update(id: string, mutate: (doc: T) => T): Promise<T | undefined> {
    let written: string | null = null;
    const next = this.db.transaction(() => {
      const text = this.stmts.get.get(id) as string | undefined;
      if (text === undefined) return undefined;
      const doc = mutate(JSON.parse(text) as T);
      const row = this.row(doc);
      this.stmts.update.run(row);
      written = row.doc;
      return doc;
    }).immediate();
    if (written !== null) this.remember(id, written);
    return next;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = this.stmts.delete.run(id).changes > 0;
    if (deleted) {
      this.remember(id, null);
      if (this.size) this.size.rows--;
    }
    return deleted;
  }

  async count(): Promise<number> {
    return this.stmts.count.get() as number;
  }
}
