import type { DocumentStore, Narrowing, Selection } from '../store.js';
import type { PgDb } from './database.js';
import { orderSql, whereSql, type Columns } from './selection-sql.js';

function bindLimit(params: unknown[], limit: number): string {
  params.push(limit);
  return `$${params.length}`;
}

/**
 * A table of JSON documents (`jsonb`) keyed by id, with an optional indexed `project`
 * column used to narrow `get_all` queries. Unlike the SQLite table there is no
 * in-process copy of the table: other replicas write to it at any time, so `find`
 * applies its narrowing conditions in SQL and `select` answers whole pages there.
 */
export class PgDocumentTable<T extends { id: string; project?: string }> implements DocumentStore<T> {
  private readonly columns: Columns;

  constructor(protected readonly db: PgDb, protected readonly table: string, private readonly hasProject: boolean) {
    this.columns = new Set(hasProject ? ['id', 'project'] : ['id']);
  }

  async insert(doc: T): Promise<void> {
    if (this.hasProject) {
      await this.db.query(`INSERT INTO ${this.table} (id, project, doc) VALUES ($1, $2, $3)`, [doc.id, doc.project ?? null, JSON.stringify(doc)]);
    } else {
      await this.db.query(`INSERT INTO ${this.table} (id, doc) VALUES ($1, $2)`, [doc.id, JSON.stringify(doc)]);
    }
  }

  async get(id: string): Promise<T | undefined> {
    const { rows } = await this.db.query<{ doc: T }>(`SELECT doc FROM ${this.table} WHERE id = $1`, [id]);
    return rows[0]?.doc;
  }

  /** In the order of `ids` (first occurrence), as the SQLite table answers. */
  async getMany(ids: readonly string[]): Promise<T[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const { rows } = await this.db.query<{ doc: T }>(`SELECT doc FROM ${this.table} WHERE id = ANY($1)`, [unique]);
    const byId = new Map(rows.map((r) => [r.doc.id, r.doc]));
    return unique.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  async find(narrow: Narrowing = {}): Promise<T[]> {
    if (narrow.ids) return this.getMany(narrow.ids);
    const conditions = [...(narrow.conditions ?? [])];
    if (narrow.projects && this.hasProject) conditions.push({ op: 'in', path: ['project'], values: [...narrow.projects], scalar: true });
    const params: unknown[] = [];
    const where = whereSql(conditions, params, this.columns);
    const { rows } = await this.db.query<{ doc: T }>(`SELECT doc FROM ${this.table} ${where} ORDER BY seq`, params);
    return rows.map((r) => r.doc);
  }

  async select(selection: Selection): Promise<T[]> {
    const params: unknown[] = [];
    const where = whereSql(selection.conditions, params, this.columns);
    const order = orderSql(selection.order, this.columns);
    const limit = selection.limit === null ? '' : `LIMIT ${bindLimit(params, selection.limit)}`;
    params.push(selection.offset);
    const { rows } = await this.db.query<{ doc: T }>(`SELECT doc FROM ${this.table} ${where} ${order} ${limit} OFFSET $${params.length}`, params);
    return rows.map((r) => r.doc);
  }

  /** The row is locked from read to write, so no other replica's change can interleave. */
  async update(id: string, mutate: (doc: T) => T): Promise<T | undefined> {
    return this.db.tx(async (c) => {
      const { rows } = await c.query<{ doc: T }>(`SELECT doc FROM ${this.table} WHERE id = $1 FOR UPDATE`, [id]);
      if (rows.length === 0) return undefined;
      const doc = mutate(rows[0].doc);
      if (this.hasProject) {
        await c.query(`UPDATE ${this.table} SET project = $2, doc = $3 WHERE id = $1`, [id, doc.project ?? null, JSON.stringify(doc)]);
      } else {
        await c.query(`UPDATE ${this.table} SET doc = $2 WHERE id = $1`, [id, JSON.stringify(doc)]);
      }
      return doc;
    });
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.db.query(`DELETE FROM ${this.table} WHERE id = $1`, [id])).rowCount ?? 0) > 0;
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.table}`);
    return rows[0].n;
  }
}
