import type { PlanCondition, PlanOrder, Task } from '@cairn/protocol';
import type { Selection } from './store.js';

/**
 * Pages of tasks sorted by a metric, read through the `task_metrics` table that both
 * stores keep from each document's last_metrics (by trigger): the database walks its
 * (metric, variant, value) index in order and stops after the page, instead of reading
 * and sorting every task the filters let through.
 *
 * A sort puts tasks without the metric first when ascending and last when descending,
 * so such a page joins two ordered reads: the tasks with the value (by the index) and
 * those without it (by the remaining keys).
 *
 * The tasks with the value are first looked for among a window of the index's first
 * entries, which the database reads in order and joins one by one: fast whenever the
 * filters let through more than a few in a thousand tasks. When the window holds too
 * few matches (a small project among a million tasks), the read is left to the
 * database's own plan, which then starts from the selective filter and sorts what it
 * finds. Neither planner can tell the two cases apart on its own: both read the index
 * range as if every entry of it passed the filters, or none did.
 */
export interface TaskSqlDialect {
  /** The store's writer of plan conditions as `WHERE …` over a table's `doc` and columns, or '' for none (selection-sql.ts). */
  whereSql(conditions: readonly PlanCondition[], params: unknown[], columns: ReadonlySet<string>): string;
  /** The store's writer of order keys as `ORDER BY …`, or '' for none. */
  orderSql(order: readonly PlanOrder[], columns: ReadonlySet<string>): string;
  /** The placeholder of the `n`-th bound value (1-based). */
  placeholder(n: number): string;
  /** The rows a query answers, each column as the driver gives it. */
  rows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  /** A `doc` column's value as the document. */
  doc(value: unknown): Task;
}

/** The tasks table's SQL as the metric pages use it, written by a store's dialect. */
export interface TaskSql {
  /** The conditions as one SQL expression over the tasks table's `doc`, `id` and `project`, or '' for none. */
  where(conditions: readonly PlanCondition[], params: unknown[]): string;
  /** The order keys as a comma-separated list, or '' for none. */
  order(keys: readonly PlanOrder[]): string;
  /** Binds a value; answers its placeholder. Placeholders must follow each other in the SQL as they were bound. */
  bind(params: unknown[], value: unknown): string;
  docs(sql: string, params: unknown[]): Promise<Task[]>;
  /** Documents with the number beside each (a `doc` and a `v` column). */
  docsWithValue(sql: string, params: unknown[]): Promise<{ doc: Task; v: number }[]>;
  /** The one number a query answers, or null for no row. */
  number(sql: string, params: unknown[]): Promise<number | null>;
}

const TASK_COLUMNS = new Set(['id', 'project']);

export function taskSql(dialect: TaskSqlDialect): TaskSql {
  return {
    where: (conditions, params) => dialect.whereSql(conditions, params, TASK_COLUMNS).replace(/^WHERE /, ''),
    order: (keys) => dialect.orderSql(keys, TASK_COLUMNS).replace(/^ORDER BY /, ''),
    bind: (params, value) => dialect.placeholder(params.push(value)),
    docs: async (sql, params) => (await dialect.rows(sql, params)).map((r) => dialect.doc(r.doc)),
    docsWithValue: async (sql, params) => (await dialect.rows(sql, params)).map((r) => ({ doc: dialect.doc(r.doc), v: Number(r.v) })),
    number: async (sql, params) => {
      const row = (await dialect.rows(sql, params))[0];
      const value = row ? Object.values(row)[0] : null;
      return value === undefined || value === null ? null : Number(value);
    },
  };
}

/**
 * Index entries looked at before leaving the read to the database's plan: a base and a
 * share per row asked for. Tests shrink it to take both ways over a few hundred tasks.
 */
export const metricWindow = { base: 2000, perRow: 20 };

const METRIC_COLUMNS = new Set(['value', 'min_value', 'max_value']);

/** `last_metrics.<metric>.<variant>.<value|min_value|max_value>` as its task_metrics row and column. */
function metricKey(path: readonly string[]): MetricKey | null {
  return path.length === 4 && path[0] === 'last_metrics' && METRIC_COLUMNS.has(path[3]) ? { metric: path[1], variant: path[2], column: path[3] } : null;
}

interface MetricKey {
  metric: string;
  variant: string;
  column: string;
}
type RangeCondition = Extract<PlanCondition, { op: 'range' }>;
interface Read {
  docs: Task[];
  /** rows the read has in all: exact when the page came back empty past its start, else at least offset + docs */
  total: number;
}
type Part = (offset: number, limit: number) => Promise<Read>;

const samePath = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);
const joined = (parts: string[], sep: string) => parts.filter((p) => p !== '').join(sep);

/** True when `selection` is a page sorted first by a metric, which `selectByMetric` answers. */
export function sortsByMetric(selection: Selection): boolean {
  return selection.limit !== null && selection.order.length > 0 && metricKey(selection.order[0].path) !== null;
}

export async function selectByMetric(sql: TaskSql, selection: Selection): Promise<Task[]> {
  const [first, ...rest] = selection.order;
  const key = metricKey(first.path)!;
  const range = selection.conditions.find((c): c is RangeCondition => c.op === 'range' && samePath(c.path, first.path));
  const others = selection.conditions.filter((c) => c !== range);

  const withValue: Part = async (offset, limit) => {
    const params: unknown[] = [];
    const dir = first.descending ? 'DESC' : 'ASC';
    const entries = joined([
      `metric = ${sql.bind(params, key.metric)} AND variant = ${sql.bind(params, key.variant)} AND ${key.column} IS NOT NULL`,
      range?.lo != null ? `${key.column} >= ${sql.bind(params, range.lo)}` : '',
      range?.hi != null ? `${key.column} <= ${sql.bind(params, range.hi)}` : '',
    ], ' AND ');
    const entryParams = params.length;
    const inner = `SELECT task, ${key.column} AS v FROM task_metrics WHERE ${entries} ORDER BY v ${dir}`;
    // bound after the entries' values in every query below: sizes are written as numbers
    const filter = sql.where(others, params);
    const order = joined([`m.v ${dir}`, sql.order(rest)], ', ');

    const window = metricWindow.base + metricWindow.perRow * (offset + limit);
    const windowSql = `SELECT doc, m.v AS v FROM (${inner} LIMIT ${window}) m JOIN tasks ON tasks.id = m.task`;
    const found = await sql.docsWithValue(`${windowSql}${filter ? ` WHERE ${filter}` : ''} ORDER BY ${order} LIMIT ${offset + limit}`, params);
    const edge = await sql.number(`SELECT v FROM (${inner} LIMIT 1 OFFSET ${window - 1}) e`, params.slice(0, entryParams));
    const before = (a: number, b: number) => (first.descending ? a > b : a < b);
    // Exact when the window held every entry, or held the page with every entry that
    // could tie with the page's last value.
    if (edge === null || (found.length === offset + limit && before(found[found.length - 1].v, edge))) {
      const docs = found.slice(offset).map((r) => r.doc);
      return { docs, total: edge === null && found.length < offset + limit ? found.length : offset + docs.length };
    }
    // a plain join, so that the planner may start from the selective filter
    const from = `FROM task_metrics m JOIN tasks ON tasks.id = m.task WHERE ${joined([entries, filter], ' AND ')}`;
    const byColumn = joined([`m.${key.column} ${dir}`, sql.order(rest)], ', ');
    return read(sql, `SELECT doc ${from} ORDER BY ${byColumn}`, `SELECT count(*) AS n ${from}`, params, offset, limit);
  };
  const lacking: Part = (offset, limit) => {
    const params: unknown[] = [];
    const filter = joined([
      `NOT EXISTS (SELECT 1 FROM task_metrics m WHERE m.task = tasks.id AND m.metric = ${sql.bind(params, key.metric)} AND m.variant = ${sql.bind(params, key.variant)} AND m.${key.column} IS NOT NULL)`,
      sql.where(others, params),
    ], ' AND ');
    const order = sql.order(rest);
    return read(sql, `SELECT doc FROM tasks WHERE ${filter}${order ? ` ORDER BY ${order}` : ''}`, `SELECT count(*) AS n FROM tasks WHERE ${filter}`, params, offset, limit);
  };
  // a range with a minimum leaves out the tasks without the value; without one it keeps them
  const keepsLacking = !range || range.lo === null;
  const parts = first.descending ? [withValue, keepsLacking && lacking] : [keepsLacking && lacking, withValue];
  return concat(parts.filter((p): p is Part => p !== false), selection.offset, selection.limit!);
}

async function read(sql: TaskSql, select: string, count: string, params: unknown[], offset: number, limit: number): Promise<Read> {
  const paged = [...params];
  const docs = await sql.docs(`${select} LIMIT ${sql.bind(paged, limit)} OFFSET ${sql.bind(paged, offset)}`, paged);
  if (docs.length > 0 || offset === 0) return { docs, total: offset + docs.length };
  return { docs, total: (await sql.number(count, params)) ?? 0 };
}

/** The page `offset`, `limit` of reads that follow each other: each starts where the ones before it ended. */
async function concat(parts: readonly Part[], offset: number, limit: number): Promise<Task[]> {
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
