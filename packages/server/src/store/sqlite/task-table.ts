import type { Task } from '@cairn/protocol';
import { selectByMetric, sortsByMetric, taskSql, type TaskSql } from '../metric-pages.js';
import type { Selection } from '../store.js';
import type { Db } from './database.js';
import { SqliteDocumentTable } from './document-table.js';
import { orderSql, whereSql } from './selection-sql.js';

/** Tasks, with pages sorted by a metric read through task_metrics (store/metric-pages.ts). */
export class SqliteTaskTable extends SqliteDocumentTable<Task> {
  private readonly sql: TaskSql;

  constructor(db: Db) {
    super(db, 'tasks', true);
    this.sql = taskSql({
      whereSql,
      orderSql,
      placeholder: () => '?',
      rows: async (sql, params) => db.prepare(sql).all(...params) as Record<string, unknown>[],
      doc: (value) => JSON.parse(value as string) as Task,
    });
  }

  override async select(selection: Selection): Promise<Task[]> {
    return sortsByMetric(selection) ? selectByMetric(this.sql, selection) : super.select(selection);
  }
}
