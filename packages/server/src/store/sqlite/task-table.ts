import type { Task } from '@cairn/protocol';
import { selectByMetric, sortsByMetric, type TaskSql } from '../metric-pages.js';
import type { Selection } from '../store.js';
import type { Db } from './database.js';
import { SqliteDocumentTable } from './document-table.js';
import { orderSql, whereSql } from './selection-sql.js';

const COLUMNS = new Set(['id', 'project']);

/** Tasks, with pages sorted by a metric read through task_metrics (store/metric-pages.ts). */
export class SqliteTaskTable extends SqliteDocumentTable<Task> {
  private readonly sql: TaskSql;

  constructor(db: Db) {
    super(db, 'tasks', true);
    this.sql = {
      where: (conditions, params) => whereSql(conditions, params, COLUMNS).replace(/^WHERE /, ''),
      order: (keys) => orderSql(keys, COLUMNS).replace(/^ORDER BY /, ''),
      bind: (params, value) => {
        params.push(value);
        return '?';
      },
      docs: async (sql, params) => (db.prepare(sql).pluck().all(...params) as string[]).map((text) => JSON.parse(text) as Task),
      docsWithValue: async (sql, params) =>
        (db.prepare(sql).all(...params) as { doc: string; v: number }[]).map((r) => ({ doc: JSON.parse(r.doc) as Task, v: r.v })),
      number: async (sql, params) => {
        const value = db.prepare(sql).pluck().get(...params);
        return value === undefined || value === null ? null : Number(value);
      },
    };
  }

  override async select(selection: Selection): Promise<Task[]> {
    return sortsByMetric(selection) ? selectByMetric(this.sql, selection) : super.select(selection);
  }
}
