/**
 * Every table of the store, with how each column travels between the SQLite schema
 * (store/sqlite/migrations.ts) and the PostgreSQL one (store/postgres/migrations.ts).
 * tables.test.ts checks this list against the tables both schemas create, so that a
 * table or column added later cannot be left behind by migrate, backup and restore.
 *
 * A row travels as an array of values in column order: text and JSON as strings,
 * integers and reals as numbers, booleans as booleans, binary as Buffers, or null.
 */
export type Kind =
  | 'text'
  | 'int'
  | 'real'
  /** SQLite 0/1, PostgreSQL boolean */
  | 'bool'
  /** SQLite JSON text, PostgreSQL jsonb */
  | 'json'
  /** SQLite BLOB, PostgreSQL bytea */
  | 'bytes'
  /** free text of logs, which PostgreSQL stores escaped (it cannot hold NUL) */
  | 'logtext';

export interface Column {
  /** the SQLite name */
  name: string;
  /** the PostgreSQL name where it differs (`user` is reserved there) */
  pg?: string;
  kind: Kind;
}

export interface CopyTable {
  name: string;
  columns: readonly Column[];
  /**
   * Rows are copied in this order. 'creation': SQLite's rowid, PostgreSQL's `seq`
   * column, which inserting in that order fills again: scans answer documents in the
   * order they were made.
   */
  order: 'creation' | readonly string[];
  /** PostgreSQL fills `id` from a sequence: after copying ids, it must continue past them. */
  serialId?: boolean;
}

const col = (name: string, kind: Kind, pg?: string): Column => (pg ? { name, kind, pg } : { name, kind });

/**
 * Tables copies leave out, in both schemas: task_metrics, which triggers fill again from
 * the tasks copied; code_recordings, whose marks live seconds.
 */
export const UNCOPIED_TABLES: readonly string[] = ['task_metrics', 'code_recordings'];

/** Parents before children, as they were created (series before their chunks). */
export const COPY_TABLES: readonly CopyTable[] = [
  { name: 'settings', columns: [col('key', 'text'), col('value', 'text')], order: ['key'] },
  {
    name: 'users',
    columns: [col('id', 'text'), col('name', 'text'), col('password_hash', 'text'), col('doc', 'json')],
    order: 'creation',
  },
  {
    name: 'credentials',
    columns: [col('access_key', 'text'), col('secret_hash', 'text'), col('user', 'text', 'user_id'), col('label', 'text'),
      col('created', 'text'), col('revoked', 'bool'), col('last_used', 'text')],
    order: ['access_key'],
  },
  {
    name: 'sessions',
    columns: [col('id', 'text'), col('user', 'text', 'user_id'), col('created', 'text'), col('expires', 'int'), col('revoked', 'bool')],
    order: ['id'],
  },
  { name: 'projects', columns: [col('id', 'text'), col('doc', 'json')], order: 'creation' },
  { name: 'tasks', columns: [col('id', 'text'), col('project', 'text'), col('doc', 'json')], order: 'creation' },
  { name: 'models', columns: [col('id', 'text'), col('project', 'text'), col('doc', 'json')], order: 'creation' },
  { name: 'queues', columns: [col('id', 'text'), col('doc', 'json')], order: 'creation' },
  {
    name: 'series',
    columns: [col('id', 'int'), col('task', 'text'), col('metric', 'text'), col('variant', 'text')],
    order: ['id'],
    serialId: true,
  },
  {
    name: 'scalar_chunks',
    columns: [col('series', 'int'), col('first_iter', 'int'), col('last_iter', 'int'), col('n', 'int'), col('data', 'bytes')],
    order: ['series', 'first_iter'],
  },
  {
    name: 'logs',
    columns: [col('id', 'int'), col('task', 'text'), col('ts', 'int'), col('iter', 'int'), col('level', 'logtext'),
      col('worker', 'logtext'), col('msg', 'logtext')],
    order: ['id'],
    serialId: true,
  },
  {
    name: 'doc_events',
    columns: [col('id', 'int'), col('task', 'text'), col('type', 'text'), col('iter', 'int'), col('metric', 'text'),
      col('variant', 'text'), col('key', 'text'), col('ts', 'int'), col('body', 'text')],
    order: ['id'],
    serialId: true,
  },
  {
    name: 'queue_entries',
    columns: [col('queue', 'text'), col('task', 'text'), col('position', 'int'), col('added', 'int')],
    order: ['queue', 'position'],
  },
  {
    name: 'queue_metrics',
    columns: [col('id', 'int'), col('queue', 'text'), col('ts', 'int'), col('length', 'int'), col('avg_wait', 'real')],
    order: ['id'],
    serialId: true,
  },
  { name: 'workers', columns: [col('id', 'text'), col('expires', 'int'), col('doc', 'json')], order: ['id'] },
  {
    name: 'worker_reports',
    columns: [col('id', 'int'), col('worker', 'text'), col('ts', 'int'), col('task', 'text')],
    order: ['id'],
    serialId: true,
  },
  {
    name: 'worker_stats',
    columns: [col('metric', 'text'), col('ts', 'int'), col('worker', 'text'), col('variant', 'text'), col('value', 'real')],
    order: ['metric', 'ts', 'worker', 'variant'],
  },
  { name: 'worker_metric_keys', columns: [col('worker', 'text'), col('metric', 'text')], order: ['worker', 'metric'] },
  {
    name: 'storage_deletions',
    columns: [col('id', 'int'), col('url', 'text'), col('owner_type', 'text'), col('owner', 'text'), col('created', 'int'),
      col('attempts', 'int'), col('next_attempt', 'int'), col('last_error', 'text'), col('status', 'text'), col('finished', 'int')],
    order: ['id'],
    serialId: true,
  },
];

export type Row = unknown[];

export const pgName = (c: Column) => c.pg ?? c.name;

/** A column name quoted for either dialect: `user`, `key` and `position` are keywords. */
export const quote = (name: string) => `"${name}"`;

/** The ORDER BY list of a table in one dialect. */
export function orderBy(table: CopyTable, dialect: 'sqlite' | 'pg'): string {
  if (table.order === 'creation') return dialect === 'sqlite' ? 'rowid' : 'seq';
  return table.order.map((name) => quote(dialect === 'pg' ? pgName(table.columns.find((c) => c.name === name)!) : name)).join(', ');
}

/** Rows in flight at once: large enough that a statement's overhead vanishes, small enough for memory. */
export const BATCH_ROWS = 2000;
