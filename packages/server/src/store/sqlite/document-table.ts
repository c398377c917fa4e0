import type { DocumentStore, Narrowing } from '../store.js';
import type { Db } from './database.js';

/**
 * A table of JSON documents keyed by id, with an optional indexed `project` column
 * used to narrow `get_all` queries before the query language filters in memory.
 */
export class SqliteDocumentTable<T extends { id: string; project?: string }> implements DocumentStore<T> {
  private readonly stmts;

  constructor(private readonly db: Db, private readonly table: string, private readonly hasProject: boolean) {
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
    };
  }

  private row(doc: T) {
    return this.hasProject ? { id: doc.id, project: doc.project ?? null, doc: JSON.stringify(doc) } : { id: doc.id, doc: JSON.stringify(doc) };
  }

  async insert(doc: T): Promise<void> {
    this.stmts.insert.run(this.row(doc));
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
    if (narrow.projects && this.hasProject) {
      const list = [...new Set(narrow.projects)];
      const sql = `SELECT doc FROM ${this.table} WHERE project IN (${list.map(() => '?').join(',')})`;
      return (this.db.prepare(sql).pluck().all(...list) as string[]).map((t) => JSON.parse(t) as T);
    }
    return (this.stmts.all.all() as string[]).map((t) => JSON.parse(t) as T);
  }

  async update(id: string, mutate: (doc: T) => T): Promise<T | undefined> {
    return this.db.transaction(() => {
      const text = this.stmts.get.get(id) as string | undefined;
      if (text === undefined) return undefined;
      const next = mutate(JSON.parse(text) as T);
      this.stmts.update.run(this.row(next));
      return next;
    }).immediate();
  }

  async delete(id: string): Promise<boolean> {
    return this.stmts.delete.run(id).changes > 0;
  }

  async count(): Promise<number> {
    return this.stmts.count.get() as number;
  }
}
