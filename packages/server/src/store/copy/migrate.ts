import { openPgDatabase, redactDatabaseUrl } from '../postgres/database.js';
import { CopyError } from './copy-error.js';
import { compareCounts, countPg, countSqlite, describeNonEmpty, type TableCount } from './count.js';
import { inPgTransaction } from './pg-transaction.js';
import { resetPgSequences, writePgRows } from './pg-write.js';
import { requirePgSchema, requireSqliteSchema } from './schema.js';
import { openSqliteReadOnly, readSqliteRows } from './sqlite-read.js';
import { COPY_TABLES } from './tables.js';

/** Called with each table's name as its copy starts. */
export type Progress = (table: string) => void;

/**
 * Copies a Cairn SQLite file (opened read-only) into an empty PostgreSQL database in
 * one transaction, so that an interrupted copy leaves the database empty; answers the
 * row counts of the file and, read again after the commit, of the database.
 */
export async function copySqliteToPg(file: string, url: string, progress?: Progress): Promise<TableCount[]> {
  const src = openSqliteReadOnly(file);
  try {
    requireSqliteSchema(src, file, 'current');
    const db = await openPgDatabase(url, 1);
    try {
      await requirePgSchema(db.pool, url);
      const source = await inPgTransaction(db, 'BEGIN', async (c) => {
        // Nothing may write (a server started on the database) between the check and the copy.
        await c.query(`LOCK TABLE ${COPY_TABLES.map((t) => t.name).join(', ')} IN EXCLUSIVE MODE`);
        const held = describeNonEmpty(await countPg(c));
        if (held) throw new CopyError(`${redactDatabaseUrl(url)} is not empty: ${held}. Nothing was copied: the target must be an empty database`);
        // One read transaction: every table comes from the same state of the file.
        src.exec('BEGIN');
        try {
          for (const table of COPY_TABLES) {
            progress?.(table.name);
            await writePgRows(c, table, readSqliteRows(src, table));
          }
          await resetPgSequences(c);
          return countSqlite(src);
        } finally {
          src.exec('COMMIT');
        }
      });
      return compareCounts(source, await countPg(db.pool));
    } finally {
      await db.close();
    }
  } finally {
    src.close();
  }
}
