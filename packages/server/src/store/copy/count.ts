import type { Queryable } from '../postgres/database.js';
import type { Db } from '../sqlite/database.js';
import { COPY_TABLES } from './tables.js';

/** Rows per table, in the order of COPY_TABLES. */
export type Counts = Map<string, number>;

export interface TableCount {
  table: string;
  /** null where the source could not be counted at the moment of the copy (a live SQLite file) */
  source: number | null;
  target: number;
}

/** The tables of COPY_TABLES that the file has (an older schema lacks some). */
export function countSqlite(db: Db): Counts {
  const present = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  return new Map(COPY_TABLES.filter((t) => present.has(t.name))
    .map((t) => [t.name, db.prepare(`SELECT count(*) FROM ${t.name}`).pluck().get() as number]));
}

export async function countPg(db: Queryable): Promise<Counts> {
  const { rows } = await db.query(`SELECT ${COPY_TABLES.map((t) => `(SELECT count(*) FROM ${t.name}) AS ${t.name}`).join(', ')}`);
  return new Map(COPY_TABLES.map((t) => [t.name, Number(rows[0][t.name])]));
}

export function compareCounts(source: Counts | null, target: Counts): TableCount[] {
  return [...target].map(([table, n]) => ({ table, source: source ? (source.get(table) ?? 0) : null, target: n }));
}

/** "tasks (3 rows), users (1 row)", or null when every table is empty. */
export function describeNonEmpty(counts: Counts): string | null {
  const held = [...counts].filter(([, n]) => n > 0).map(([table, n]) => `${table} (${n} ${n === 1 ? 'row' : 'rows'})`);
  return held.length > 0 ? held.join(', ') : null;
}
