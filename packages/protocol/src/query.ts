import { compileListFilter, type ListPredicate } from './list-filter.js';
import { compareValues, getPath, orderComparator } from './projection.js';
import { parseDate } from './dates.js';
import { compilePythonRegex } from './regex.js';

/**
 * The `*.get_all` query language (clearml-sdk-protocol.md §6.5), compiled once per
 * request into a predicate over documents plus ordering and paging. Pure: the store
 * narrows candidates by id or project, this decides the rest.
 */
export interface GetAllRequest {
  id?: string[] | string;
  name?: string;
  only_fields?: string[];
  order_by?: string[] | string;
  page?: number;
  page_size?: number;
  search_text?: string;
  search_hidden?: boolean;
  _any_?: FieldsFilter;
  _all_?: FieldsFilter;
  _or_?: FieldsFilter;
  _and_?: FieldsFilter;
  [key: string]: unknown;
}

/** A filter over several fields: a case-insensitive pattern, or datetime conditions on the datetime fields among them. */
export interface FieldsFilter {
  fields: string[];
  pattern?: string;
  datetime?: string[] | string;
}

export interface CompiledQuery {
  ids: string[] | null;
  predicate: (doc: object) => boolean;
  compare: (a: object, b: object) => number;
  offset: number;
  limit: number | null;
  /** The part of the query a SQL store can answer itself. */
  plan: QueryPlan;
}

/**
 * A filter a SQL store evaluates on its own, over document paths:
 * - `in`: the value (as text), or an element of a list value, is one of `values`;
 *   `scalar` says the field is never a list in documents the server writes, so a
 *   store may compare the value alone (and use an index on it).
 * - `lacks`: neither the value nor any element of a list value is `value`.
 * - `range`: a number within `[lo, hi]`; with no `lo`, a missing value matches too.
 */
export type PlanCondition =
  | { op: 'in'; path: string[]; values: string[]; scalar: boolean }
  | { op: 'lacks'; path: string[]; value: string }
  | { op: 'range'; path: string[]; lo: number | null; hi: number | null };

/** One `order_by` key as SQL sorts it: missing values first when ascending, last when descending. */
export interface PlanOrder {
  path: string[];
  descending: boolean;
  kind: 'text' | 'number';
}

export interface QueryPlan {
  /** Every document the query answers meets all of these. */
  conditions: PlanCondition[];
  /** The conditions are the whole filter: what meets them needs no further check. */
  complete: boolean;
  /**
   * The order as SQL can reproduce it (the id last), or null where a key compares as
   * SQL cannot (text that may read as numbers: names, hyper-parameters).
   */
  order: PlanOrder[] | null;
}

/**
 * True when a SQL store can answer the request's page alone: filter, order and paging.
 * A request without paging is left to the caller's filter over the store's scan.
 */
export function storePages(q: CompiledQuery): boolean {
  return q.ids === null && q.limit !== null && q.plan.complete && q.plan.order !== null;
}

/** Fields the server always writes as one string (never a list), compared as text in order. */
const SCALAR_TEXT_FIELDS = new Set(['id', 'status', 'type', 'user', 'project', 'parent']);
/** Fields holding numbers wherever the server writes them. */
const NUMBER_FIELDS = new Set(['last_iteration', 'active_duration']);

/** Document paths SQL stores can name: plain keys, none empty or quoted. */
function planPath(key: string): string[] | null {
  const path = key.split('.');
  return path.every((k) => k !== '' && !k.includes('"') && !k.includes('\\')) ? path : null;
}

function planOrder(keys: readonly string[]): PlanOrder[] | null {
  const out: PlanOrder[] = [];
  for (const raw of keys) {
    const descending = raw.startsWith('-');
    const key = raw.replace(/^[-+]/, '');
    const path = planPath(key);
    if (!path) return null;
    let kind: PlanOrder['kind'];
    if (NUMBER_FIELDS.has(key) || (key.startsWith('last_metrics.') && path.length === 4)) kind = 'number';
    else if (SCALAR_TEXT_FIELDS.has(key) || DATE_FIELDS.has(key)) kind = 'text';
    else return null;
    out.push({ path, descending, kind });
  }
  if (!out.some((k) => k.path.length === 1 && k.path[0] === 'id')) out.push({ path: ['id'], descending: false, kind: 'text' });
  return out;
}

/**
 * A list filter of plain values and `-value` exclusions (no operators or nulls) as
 * conditions: any of the values, none of the excluded ones. Null where it has more.
 */
function plainListConditions(field: string, raw: unknown): PlanCondition[] | null {
  const items = Array.isArray(raw) ? raw : [raw];
  const path = planPath(field);
  if (!path || items.length === 0 || !items.every((x) => typeof x === 'string' && !x.startsWith('__$'))) return null;
  const excluded = (x: string) => x.startsWith('-') && x.length > 1;
  const values = (items as string[]).filter((x) => !excluded(x));
  const out: PlanCondition[] = (items as string[]).filter(excluded).map((x) => ({ op: 'lacks', path, value: x.slice(1) }));
  if (values.length > 0) out.push({ op: 'in', path, values, scalar: SCALAR_TEXT_FIELDS.has(field) });
  return out;
}

export const MAX_PAGE_SIZE = 500;

/** A query parameter of the wrong type; the server answers it as a validation error. */
export class QueryError extends Error {}

function checkType(req: GetAllRequest, key: string, ok: (v: unknown) => boolean, expected: string): void {
  const v = req[key];
  if (v !== undefined && v !== null && !ok(v)) throw new QueryError(`field ${key} must be ${expected}`);
}

const isStringList = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));

/** Request keys that are control parameters, not filters. */
const CONTROL_KEYS = new Set([
  'id', 'name', 'only_fields', 'order_by', 'page', 'page_size', 'search_text', 'search_hidden', '_any_', '_all_', '_or_', '_and_',
  'method', 'shallow_search', 'scroll_id', 'size', 'refresh_scroll', 'include_stats', 'allow_public', 'check_own_contents',
  'include_subprojects', 'order_field', 'stats_for_state', 'non_public',
]);

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== null && v !== undefined).map(String);
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Fields that hold datetimes; their filters compare moments, not strings. */
const DATE_FIELDS = new Set(['created', 'started', 'completed', 'last_update', 'status_changed', 'last_change', 'published', 'last_used']);
/** Numeric fields whose filter is a `[min, max]` range (either end `null` for open). */
const RANGE_FIELDS = new Set(['last_iteration', 'active_duration']);
const isRangeKey = (key: string) => RANGE_FIELDS.has(key) || key.startsWith('last_metrics.');

const DATE_CONDITION = /^(>=|<=|>|<)?(.*)$/s;

function dateOf(key: string, text: unknown): number {
  const ms = typeof text === 'string' ? parseDate(text) : null;
  if (ms === null) throw new QueryError(`field ${key}: ${JSON.stringify(text)} is not a datetime (ISO-8601, optionally prefixed with >, >=, < or <=)`);
  return ms;
}

/**
 * A datetime filter as ClearML takes it: one condition or a list of conditions that
 * must all hold, each `>`, `>=`, `<`, `<=` or (no prefix) equal to a moment; a list of
 * two unprefixed values (either may be null) is an inclusive range.
 */
function datePredicate(key: string, value: unknown): (got: unknown) => boolean {
  const list = Array.isArray(value) ? value : [value];
  const unprefixed = (v: unknown) => v === null || (typeof v === 'string' && !/^[<>]/.test(v));
  if (list.length === 2 && list.every(unprefixed)) {
    const [lo, hi] = list.map((v) => (v === null ? null : dateOf(key, v)));
    return (got) => {
      const at = typeof got === 'string' ? parseDate(got) : null;
      if (at === null) return lo === null;
      return (lo === null || at >= lo) && (hi === null || at <= hi);
    };
  }
  const conditions = list.map((v) => {
    if (typeof v !== 'string') throw new QueryError(`field ${key} takes datetime conditions (strings)`);
    const [, op = '', text] = DATE_CONDITION.exec(v)!;
    const at = dateOf(key, text);
    const holds: Record<string, (x: number) => boolean> = {
      '>': (x) => x > at, '>=': (x) => x >= at, '<': (x) => x < at, '<=': (x) => x <= at, '': (x) => x === at,
    };
    return holds[op];
  });
  return (got) => {
    const at = typeof got === 'string' ? parseDate(got) : null;
    return at !== null && conditions.every((c) => c(at));
  };
}

function fieldsPredicate(spec: unknown, mode: 'any' | 'all', name: string): ((doc: object) => boolean) | null {
  if (spec === undefined || spec === null) return null;
  if (typeof spec !== 'object' || !Array.isArray((spec as FieldsFilter).fields)) throw new QueryError(`${name} takes {fields: [...], pattern or datetime}`);
  const { pattern, datetime } = spec as FieldsFilter;
  let fields = (spec as FieldsFilter).fields.map(String);
  let test: (value: unknown) => boolean;
  if (typeof pattern === 'string') {
    const re = compilePythonRegex(pattern, 'i');
    test = (value) => re.test(textOf(value));
  } else if (datetime !== undefined && datetime !== null) {
    // datetime conditions apply to the datetime fields named; the others are left out
    fields = fields.filter((f) => DATE_FIELDS.has(f));
    test = datePredicate(name, datetime);
  } else {
    return null;
  }
  if (fields.length === 0) return null;
  const hit = (doc: object, f: string) => test(getPath(doc, f));
  return mode === 'any' ? (doc) => fields.some((f) => hit(doc, f)) : (doc) => fields.every((f) => hit(doc, f));
}

/** A numeric `[min, max]` range; with no minimum, documents without the field match too. */
function rangePredicate(key: string, value: unknown): (doc: object) => boolean {
  if (!Array.isArray(value) || value.length !== 2 || value.some((v) => v !== null && typeof v !== 'number' && typeof v !== 'string')) {
    throw new QueryError(`field ${key} takes a range [min, max] (either may be null)`);
  }
  const [lo, hi] = value as (number | string | null)[];
  return (doc) => {
    const got = getPath(doc, key);
    if (got === undefined || got === null) return lo === null;
    return (lo === null || compareValues(got, lo) >= 0) && (hi === null || compareValues(got, hi) <= 0);
  };
}

/**
 * @param listFields request keys that use the list-filter language on the field of the same name
 */
export function compileGetAll(req: GetAllRequest, listFields: readonly string[]): CompiledQuery {
  checkType(req, 'page', Number.isInteger, 'an integer');
  checkType(req, 'page_size', Number.isInteger, 'an integer');
  checkType(req, 'name', (v) => typeof v === 'string', 'a string (a regular expression)');
  checkType(req, 'search_text', (v) => typeof v === 'string', 'a string');
  checkType(req, 'only_fields', isStringList, 'a list of field names');
  checkType(req, 'order_by', isStringList, 'a list of field names');
  checkType(req, 'id', isStringList, 'a list of ids');
  const preds: ((doc: object) => boolean)[] = [];
  const conditions: PlanCondition[] = [];
  let complete = true;
  /** A filter checked in memory only: the store's answer is a superset. */
  const residual = (p: (doc: object) => boolean) => {
    preds.push(p);
    complete = false;
  };
  /** A filter the store applies too. */
  const pushed = (p: (doc: object) => boolean, c: PlanCondition) => {
    preds.push(p);
    conditions.push(c);
  };
  const ids = req.id === undefined || req.id === null ? null : asList(req.id);
  if (ids !== null) {
    const wanted = new Set(ids);
    residual((doc) => wanted.has(String(getPath(doc, 'id'))));
  }

  if (typeof req.name === 'string' && req.name !== '') {
    const re = compilePythonRegex(req.name);
    residual((doc) => re.test(textOf(getPath(doc, 'name'))));
  }
  for (const field of listFields) {
    if (!(field in req) || req[field] === undefined) continue;
    const p: ListPredicate | null = compileListFilter(req[field]);
    if (!p) continue;
    const predicate = (doc: object) => p(asList(getPath(doc, field)));
    const cs = plainListConditions(field, req[field]);
    if (cs) {
      preds.push(predicate);
      conditions.push(...cs);
    } else {
      residual(predicate);
    }
  }
  if (typeof req.search_text === 'string' && req.search_text !== '') {
    const needle = req.search_text.toLowerCase();
    residual((doc) => ['name', 'id', 'comment'].some((f) => textOf(getPath(doc, f)).toLowerCase().includes(needle)));
  }
  for (const [name, mode] of [['_any_', 'any'], ['_or_', 'any'], ['_all_', 'all'], ['_and_', 'all']] as const) {
    const p = fieldsPredicate(req[name], mode, name);
    if (p) residual(p);
  }
  if (!req.search_hidden && ids === null) {
    pushed((doc) => !asList(getPath(doc, 'system_tags')).includes('hidden'), { op: 'lacks', path: ['system_tags'], value: 'hidden' });
  }
  for (const [key, value] of Object.entries(req)) {
    if (CONTROL_KEYS.has(key) || listFields.includes(key) || value === undefined) continue;
    if (DATE_FIELDS.has(key)) {
      const p = datePredicate(key, value);
      residual((doc) => p(getPath(doc, key)));
    } else if (isRangeKey(key)) {
      const p = rangePredicate(key, value);
      const [lo, hi] = value as unknown[];
      const path = planPath(key);
      const numeric = (v: unknown): v is number | null => v === null || typeof v === 'number';
      if (path && numeric(lo) && numeric(hi)) pushed(p, { op: 'range', path, lo, hi });
      else residual(p);
    } else if (key.includes('.')) {
      // Dotted keys (`runtime.x`, `metadata.k.value`, `hyperparams.S.n.value`) match exactly, or any of a list.
      const wanted = asList(value);
      const p = (doc: object) => {
        const got = getPath(doc, key);
        return Array.isArray(got) ? got.some((g) => wanted.includes(String(g))) : wanted.includes(textOf(got));
      };
      const path = planPath(key);
      if (path && wanted.length > 0) pushed(p, { op: 'in', path, values: wanted, scalar: false });
      else residual(p);
    } else if (typeof value === 'boolean') {
      residual((doc) => Boolean(getPath(doc, key)) === value);
    }
  }

  let offset = 0;
  let limit: number | null = null;
  if (typeof req.page_size === 'number' || typeof req.page === 'number') {
    const size = Math.min(Math.max(Number(req.page_size ?? MAX_PAGE_SIZE) | 0, 1), MAX_PAGE_SIZE);
    offset = Math.max(Number(req.page ?? 0) | 0, 0) * size;
    limit = size;
  }
  const orderBy = asList(req.order_by).filter((k) => k !== '');
  return {
    ids,
    predicate: (doc) => preds.every((p) => p(doc)),
    compare: orderComparator(orderBy),
    offset,
    limit,
    plan: { conditions, complete, order: planOrder(orderBy) },
  };
}

/** Runs a compiled query over candidate documents: filter, order, page. */
export function runQuery<T extends object>(docs: Iterable<T>, q: CompiledQuery): T[] {
  const hits: T[] = [];
  for (const d of docs) if (q.predicate(d)) hits.push(d);
  hits.sort(q.compare);
  return q.limit === null ? hits.slice(q.offset) : hits.slice(q.offset, q.offset + q.limit);
}
