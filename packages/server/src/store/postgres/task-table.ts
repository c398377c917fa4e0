import type { Task } from '@cairn/protocol';
import { selectByMetric, sortsByMetric, type TaskSql } from '../metric-pages.js';
import type { Selection } from '../store.js';
import type { PgDb } from './database.js';
import { PgDocumentTable } from './document-table.js';
import { orderSql, whereSql } from './selection-sql.js';

const COLUMNS = new Set(['id', 'project']);

/** Tasks, with pages sorted by a metric read through task_metrics (store/metric-pages.ts). */
export class PgTaskTable extends PgDocumentTable<Task> {
  private readonly sql: TaskSql;

  constructor(db: PgDb) {
    super(db, 'tasks', true);
    this.sql = {
      where: (conditions, params) => whereSql(conditions, params, COLUMNS).replace(/^WHERE /, ''),
      order: (keys) => orderSql(keys, COLUMNS).replace(/^ORDER BY /, ''),
      bind: (params, value) => {
        params.push(value);
        return `$${params.length}`;
      },
      docs: async (sql, params) => (await db.query<{ doc: Task }>(sql, params)).rows.map((r) => r.doc),
      docsWithValue: async (sql, params) => (await db.query<{ doc: Task; v: number }>(sql, params)).rows,
      number: async (sql, params) => {
        const row = (await db.query<Record<string, unknown>>(sql, params)).rows[0];
        return row ? Number(Object.values(row)[0]) : null;
      },
    };
  }

  override async select(selection: Selection): Promise<Task[]> {
    return sortsByMetric(selection) ? selectByMetric(this.sql, selection) : super.select(selection);
  }
}
