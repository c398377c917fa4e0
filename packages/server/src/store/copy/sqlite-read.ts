import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { Db } from '../sqlite/database.js';
import { CopyError } from './copy-error.js';
import { BATCH_ROWS, orderBy, quote, type CopyTable, type Row } from './tables.js';

/** Log lines and scalar chunks can be large: a batch also ends at this many bytes of text and binary. */
const BATCH_BYTES = 16 << 20;

/** Opens a SQLite file without writing to it. */
export function openSqliteReadOnly(file: string): Db {
  if (!existsSync(file)) throw new CopyError(`${file} does not exist`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // SQLite reads the header only now: any file opens.
    db.pragma('schema_version');
  } catch (err) {
    db.close();
    throw new CopyError(`${file} is not a SQLite database (${(err as Error).message})`);
  }
  return db;
}

const size = (v: unknown) => (typeof v === 'string' || Buffer.isBuffer(v) ? v.length : 8);

/**
 * The rows of one table in batches. The statement stays open between batches, so the
 * caller must not use the connection for anything else until the last batch.
 */
export function* readSqliteRows(db: Db, table: CopyTable): Generator<Row[]> {
  const stmt = db.prepare(`SELECT ${table.columns.map((c) => quote(c.name)).join(', ')} FROM ${table.name} ORDER BY ${orderBy(table, 'sqlite')}`).raw();
  const bools = table.columns.flatMap((c, i) => (c.kind === 'bool' ? [i] : []));
  let batch: Row[] = [];
  let bytes = 0;
  for (const row of stmt.iterate() as Iterable<Row>) {
    for (const i of bools) row[i] = row[i] === null ? null : row[i] !== 0;
    batch.push(row);
    for (const v of row) bytes += size(v);
    if (batch.length >= BATCH_ROWS || bytes >= BATCH_BYTES) {
      yield batch;
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length > 0) yield batch;
}
