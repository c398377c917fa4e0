import type { PlanCondition, PlanOrder } from '@cairn/protocol';

/**
 * Query-plan conditions and order keys as PostgreSQL SQL over a `doc` jsonb column.
 * Equality on a document value is written as containment (`doc @> {...}`), which the
 * tables' GIN index (jsonb_path_ops) answers; scalar fields compare `doc->>'field'`,
 * which their expression indexes answer. Paths are literals; values are bound.
 */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const pathArray = (path: readonly string[]) => `ARRAY[${path.map(literal).join(', ')}]::text[]`;
/** Top-level keys a table also keeps in a column of their own (indexed): always `id`, `project` where it has one. */
export type Columns = ReadonlySet<string>;
const column = (path: readonly string[], columns: Columns) => (path.length === 1 && columns.has(path[0]) ? path[0] : null);

/** `{a: {b: value}}` for path [a, b]. */
function nested(path: readonly string[], value: unknown): string {
  let out: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i]]: out };
  return JSON.stringify(out);
}

function bind(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

function textAt(path: readonly string[], columns: Columns): string {
  const own = column(path, columns);
  if (own) return own;
  return path.length === 1 ? `(doc->>${literal(path[0])})` : `(doc #>> ${pathArray(path)})`;
}

function numberAt(path: readonly string[]): string {
  const v = `(doc #> ${pathArray(path)})`;
  return `(CASE WHEN jsonb_typeof(${v}) = 'number' THEN (${v})::float8 END)`;
}

const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** Documents holding `value` at `path`: as a string, as an element of a list, or as the number it reads as. */
function holds(path: readonly string[], value: string, params: unknown[]): string[] {
  const forms: unknown[] = [value, [value]];
  if (NUMERIC.test(value) && Number.isFinite(Number(value))) forms.push(Number(value));
  return forms.map((f) => `doc @> ${bind(params, nested(path, f))}::jsonb`);
}

function condition(c: PlanCondition, params: unknown[], columns: Columns): string {
  switch (c.op) {
    case 'in':
      if (c.scalar) return `${textAt(c.path, columns)} = ANY(${bind(params, c.values)}::text[])`;
      return `(${c.values.flatMap((v) => holds(c.path, v, params)).join(' OR ')})`;
    case 'lacks':
      return `NOT (${holds(c.path, c.value, params).join(' OR ')})`;
    case 'range': {
      const num = numberAt(c.path);
      const parts: string[] = [];
      if (c.lo !== null) parts.push(`${num} >= ${bind(params, c.lo)}`);
      if (c.hi !== null) parts.push(`${num} <= ${bind(params, c.hi)}`);
      if (parts.length === 0) return 'true';
      const within = parts.join(' AND ');
      // with no minimum, documents without the value match as well
      if (c.lo === null) return `(jsonb_typeof(doc #> ${pathArray(c.path)}) IS NULL OR jsonb_typeof(doc #> ${pathArray(c.path)}) = 'null' OR ${within})`;
      return `(${within})`;
    }
  }
}

export function whereSql(conditions: readonly PlanCondition[], params: unknown[], columns: Columns): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.map((c) => condition(c, params, columns)).join(' AND ')}`;
}

/** Missing values first when ascending and last when descending; text bytewise, as the protocol compares. */
export function orderSql(order: readonly PlanOrder[], columns: Columns): string {
  const keys = order.map((k) => {
    const value = k.kind === 'number' ? numberAt(k.path) : `${textAt(k.path, columns)} COLLATE "C"`;
    return `${value} ${k.descending ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`;
  });
  return keys.length === 0 ? '' : `ORDER BY ${keys.join(', ')}`;
}
