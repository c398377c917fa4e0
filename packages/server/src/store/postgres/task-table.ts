import type { PlanCondition, PlanOrder, Task } from '@cairn/protocol';
import type { Selection } from '../store.js';
import type { PgDb } from './database.js';
import { PgDocumentTable } from './document-table.js';
import { orderSql, whereSql } from './selection-sql.js';

const METRIC_COLUMNS = new Set(['value', 'min_value', 'max_value']);
const COLUMNS = new Set(['id', 'project']);

/** `last_metrics.<metric>.<variant>.<value|min_value|max_value>` as its task_metrics row and column. */
function metricKey(path: readonly string[]): { metric: string; variant: string; column: string } | null {
  return path.length === 4 && path[0] === 'last_metrics' && METRIC_COLUMNS.has(path[3]) ? { metric: path[1], variant: path[2], column: path[3] } : null;
}

const samePath = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * Tasks, with pages sorted by a metric read in the order of the task_metrics index
 * (a trigger keeps it from each document's last_metrics): PostgreSQL stops after the
 * page instead of reading and sorting every task the filters let through.
 *
 * A sort puts tasks without the metric first when ascending and last when descending,
 * so such a page is the concatenation of two ordered reads: the tasks with the value
 * (by the index) and those without it (by the remaining keys).
 */
export class PgTaskTable extends PgDocumentTable<Task> {
  constructor(db: PgDb) {
    super(db, 'tasks', true);
  }

  override async select(selection: Selection): Promise<Task[]> {
    const key = selection.order.length > 0 ? metricKey(selection.order[0].path) : null;
    if (!key || selection.limit === null) return super.select(selection);
    const first = selection.order[0];
    const rest = selection.order.slice(1);
    const range = selection.conditions.find((c): c is Extract<PlanCondition, { op: 'range' }> => c.op === 'range' && samePath(c.path, first.path));
    const others = selection.conditions.filter((c) => c !== range);
    const withValue: Part = (o, l) => this.readWithValue(key, first, range, others, rest, o, l);
    // a range with a minimum leaves out the tasks without the value; without one it keeps them
    const lacking: Part | null = range && range.lo !== null ? null : (o, l) => this.readLacking(key, others, rest, o, l);
    const parts = first.descending ? [withValue, lacking] : [lacking, withValue];
    return concatPages(parts.filter((p): p is Part => p !== null), selection.offset, selection.limit);
  }

  private async readWithValue(key: MetricKey, first: PlanOrder, range: RangeCondition | undefined, conditions: readonly PlanCondition[],
    rest: readonly PlanOrder[], offset: number, limit: number | null): Promise<Page> {
    const params: unknown[] = [key.metric, key.variant];
    const column = `m.${key.column}`;
    const bounds = [`${column} IS NOT NULL`];
    if (range?.lo != null) bounds.push(`${column} >= ${push(params, range.lo)}`);
    if (range?.hi != null) bounds.push(`${column} <= ${push(params, range.hi)}`);
    const where = whereSql(conditions, params, COLUMNS);
    const filter = [`m.metric = $1 AND m.variant = $2`, ...bounds, where.replace(/^WHERE /, '')].filter(Boolean).join(' AND ');
    const order = [`${column} ${first.descending ? 'DESC' : 'ASC'}`, orderSql(rest, COLUMNS).replace(/^ORDER BY /, '')].filter(Boolean).join(', ');
    return this.page(`SELECT doc FROM task_metrics m JOIN tasks ON tasks.id = m.task WHERE ${filter} ORDER BY ${order}`,
      `SELECT count(*)::int AS n FROM task_metrics m JOIN tasks ON tasks.id = m.task WHERE ${filter}`, params, offset, limit);
  }

  private async readLacking(key: MetricKey, conditions: readonly PlanCondition[], rest: readonly PlanOrder[], offset: number, limit: number | null): Promise<Page> {
    const params: unknown[] = [key.metric, key.variant];
    const where = whereSql(conditions, params, COLUMNS).replace(/^WHERE /, '');
    const lacks = `NOT EXISTS (SELECT 1 FROM task_metrics m WHERE m.task = tasks.id AND m.metric = $1 AND m.variant = $2 AND m.${key.column} IS NOT NULL)`;
    const filter = [lacks, where].filter(Boolean).join(' AND ');
    return this.page(`SELECT doc FROM tasks WHERE ${filter} ${orderSql(rest, COLUMNS)}`, `SELECT count(*)::int AS n FROM tasks WHERE ${filter}`, params, offset, limit);
  }

  /** Rows `offset`.. of a read, at most `limit`, and how many rows the read has in all where the page alone does not tell. */
  private async page(sql: string, countSql: string, params: unknown[], offset: number, limit: number | null): Promise<Page> {
    const paged = [...params];
    const limitSql = limit === null ? '' : ` LIMIT ${push(paged, limit)}`;
    const { rows } = await this.db.query<{ doc: Task }>(`${sql}${limitSql} OFFSET ${push(paged, offset)}`, paged);
    const docs = rows.map((r) => r.doc);
    if (docs.length > 0 || offset === 0) return { docs, total: offset + docs.length };
    // an empty page past the start: how far short of the offset the read ended
    const { rows: count } = await this.db.query<{ n: number }>(countSql, params);
    return { docs, total: count[0].n };
  }
}

type MetricKey = NonNullable<ReturnType<typeof metricKey>>;
type RangeCondition = Extract<PlanCondition, { op: 'range' }>;
interface Page {
  docs: Task[];
  /** rows the read has in all, when fewer than the page asked for; otherwise at least offset + docs */
  total: number;
}
type Part = (offset: number, limit: number | null) => Promise<Page>;

function push(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

/** The page `offset`, `limit` of reads that follow each other: each read starts where the ones before it ended. */
async function concatPages(parts: readonly Part[], offset: number, limit: number): Promise<Task[]> {
  const out: Task[] = [];
  let skip = offset;
  for (const part of parts) {
    const want = limit - out.length;
    if (want <= 0) break;
    const { docs, total } = await part(skip, want);
    out.push(...docs);
    skip = Math.max(0, skip - total);
  }
  return out;
}
