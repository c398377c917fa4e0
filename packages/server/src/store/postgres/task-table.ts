import type { Task } from '@cairn/protocol';
import { selectByMetric, sortsByMetric, taskSql, type TaskSql } from '../metric-pages.js';
import type { Selection } from '../store.js';
import type { PgDb } from './database.js';
import { PgDocumentTable } from './document-table.js';
import { orderSql, whereSql } from './selection-sql.js';

/** Tasks, with pages sorted by a metric read through task_metrics (store/metric-pages.ts). */
export class PgTaskTable extends PgDocumentTable<Task> {
  private readonly sql: TaskSql;

  constructor(db: PgDb) {
    super(db, 'tasks', true);
    this.sql = taskSql({
      whereSql,
      orderSql,
      placeholder: (n) => `$${n}`,
      rows: async (sql, params) => (await db.query<Record<string, unknown>>(sql, params)).rows,
      doc: (value) => value as Task,
    });
  }

  override async select(selection: Selection): Promise<Task[]> {
    return sortsByMetric(selection) ? selectByMetric(this.sql, selection) : super.select(selection);
  }
}
