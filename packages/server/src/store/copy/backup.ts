import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openPgDatabase } from '../postgres/database.js';
import { openDatabase, type Db } from '../sqlite/database.js';
import { CopyError } from './copy-error.js';
import { compareCounts, countPg, countSqlite, type TableCount } from './count.js';
import type { Progress } from './migrate.js';
import { readPgRows } from './pg-read.js';
import { inPgTransaction } from './pg-transaction.js';
import { requirePgSchema } from './schema.js';
import { openSqliteReadOnly } from './sqlite-read.js';
import { publishNewFile, removeSqliteFiles } from './sqlite-files.js';
import { writeSqliteRows } from './sqlite-write.js';
import { COPY_TABLES } from './tables.js';

/** Where a store lives, as the server's configuration says: PostgreSQL when `database` is set. */
export interface StoreLocation {
  dataDir: string;
  database: string | null;
}

/**
 * A backup is a single file: in WAL mode, every later reader (even a read-only one)
 * would leave -wal and -shm files next to it. The server turns WAL on again when it opens it.
 */
function closeAsSingleFile(db: Db): void {
  db.pragma('journal_mode = DELETE');
  db.close();
}

/** SQLite's online backup: a consistent copy even while a server writes to the file. */
async function backupSqlite(file: string, to: string): Promise<TableCount[]> {
  const src = openSqliteReadOnly(file);
  try {
    await src.backup(to);
  } finally {
    src.close();
  }
  const out = new Database(to, { fileMustExist: true });
  try {
    return compareCounts(null, countSqlite(out));
  } finally {
    closeAsSingleFile(out);
  }
}

/** One REPEATABLE READ transaction: every table as of one moment, whatever the servers write meanwhile. */
async function backupPg(url: string, to: string, progress?: Progress): Promise<TableCount[]> {
  const db = await openPgDatabase(url, 1);
  try {
    await requirePgSchema(db.pool, url);
    const out = openDatabase(to);
    try {
      const source = await inPgTransaction(db, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (c) => {
        for (const table of COPY_TABLES) {
          progress?.(table.name);
          await writeSqliteRows(out, table, readPgRows(c, table));
        }
        return countPg(c);
      });
      return compareCounts(source, countSqlite(out));
    } finally {
      closeAsSingleFile(out);
    }
  } finally {
    await db.close();
  }
}

/**
 * Writes a snapshot of the store to `file`, a new SQLite file in Cairn's schema that a
 * server can use as its cairn.sqlite. The file appears only once complete.
 */
export async function backupStore(from: StoreLocation, file: string, progress?: Progress): Promise<TableCount[]> {
  if (existsSync(file)) throw new CopyError(`${file} already exists: backup writes a new file only`);
  const partial = `${file}.partial-${process.pid}`;
  try {
    const counts = from.database ? await backupPg(from.database, partial, progress) : await backupSqlite(join(from.dataDir, 'cairn.sqlite'), partial);
    publishNewFile(partial, file);
    return counts;
  } finally {
    removeSqliteFiles(partial);
  }
}
