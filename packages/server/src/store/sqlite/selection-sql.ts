import type { PlanCondition, PlanOrder } from '@cairn/protocol';

/**
 * Query-plan conditions and order keys as SQLite SQL over a `doc` JSON column.
 * Paths are written into the SQL as literals, not bound, so that a condition on
 * `$."status"` is the very expression of the tasks_status index and SQLite uses it.
 * The protocol's planner only lets through keys without quotes or backslashes.
 */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Plain keys unquoted, as the schema's index expressions write them (`$.status`). */
const jsonPath = (path: readonly string[]) => literal(`$${path.map((k) => (PLAIN_KEY.test(k) ? `.${k}` : `."${k}"`)).join('')}`);
/** Top-level keys a table also keeps in a column of their own (indexed): always `id`, `project` where it has one. */
export type Columns = ReadonlySet<string>;
const column = (path: readonly string[], columns: Columns) => (path.length === 1 && columns.has(path[0]) ? path[0] : null);

function extract(path: readonly string[], columns: Columns): string {
  return column(path, columns) ?? `json_extract(doc, ${jsonPath(path)})`;
}

function numberAt(path: readonly string[]): string {
  const p = jsonPath(path);
  return `(CASE WHEN json_type(doc, ${p}) IN ('integer', 'real') THEN json_extract(doc, ${p}) END)`;
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

function condition(c: PlanCondition, params: unknown[], columns: Columns): string {
  switch (c.op) {
    case 'in': {
      if (c.scalar) {
        params.push(...c.values);
        return `${extract(c.path, columns)} IN (${placeholders(c.values.length)})`;
      }
      const p = jsonPath(c.path);
      params.push(...c.values, ...c.values);
      return `(CAST(json_extract(doc, ${p}) AS TEXT) IN (${placeholders(c.values.length)}) OR (json_type(doc, ${p}) = 'array' AND EXISTS (SELECT 1 FROM json_each(doc, ${p}) e WHERE CAST(e.value AS TEXT) IN (${placeholders(c.values.length)}))))`;
    }
    case 'lacks':
      params.push(c.value);
      return `NOT EXISTS (SELECT 1 FROM json_each(doc, ${jsonPath(c.path)}) e WHERE e.value = ?)`;
    case 'range': {
      const num = numberAt(c.path);
      const parts: string[] = [];
      if (c.lo !== null) {
        parts.push(`${num} >= ?`);
        params.push(c.lo);
      }
      if (c.hi !== null) {
        parts.push(`${num} <= ?`);
        params.push(c.hi);
      }
      if (parts.length === 0) return '1';
      const within = parts.join(' AND ');
      // with no minimum, documents without the value match as well
      if (c.lo === null) return `(json_type(doc, ${jsonPath(c.path)}) IS NULL OR json_type(doc, ${jsonPath(c.path)}) = 'null' OR ${within})`;
      return `(${within})`;
    }
  }
}

export function whereSql(conditions: readonly PlanCondition[], params: unknown[], columns: Columns): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.map((c) => condition(c, params, columns)).join(' AND ')}`;
}

/** SQLite already puts NULLs first when ascending and last when descending, as the protocol's order does. */
export function orderSql(order: readonly PlanOrder[], columns: Columns): string {
  const keys = order.map((k) => `${k.kind === 'number' ? numberAt(k.path) : extract(k.path, columns)} ${k.descending ? 'DESC' : 'ASC'}`);
  return keys.length === 0 ? '' : `ORDER BY ${keys.join(', ')}`;
}
