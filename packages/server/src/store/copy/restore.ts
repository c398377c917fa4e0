import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CopyError } from './copy-error.js';
import { compareCounts, countSqlite, describeNonEmpty, type TableCount } from './count.js';
import type { StoreLocation } from './backup.js';
import { copySqliteToPg, type Progress } from './migrate.js';
import { requireSqliteSchema } from './schema.js';
import { openSqliteReadOnly } from './sqlite-read.js';
import { publishNewFile, removeSqliteFiles } from './sqlite-files.js';

/** A store file that exists may be replaced only while every table of it is empty. */
function requireEmptySqlite(file: string): void {
  if (!existsSync(file)) return;
  const db = openSqliteReadOnly(file);
  let held: string | null;
  try {
    held = describeNonEmpty(countSqlite(db));
  } finally {
    db.close();
  }
  if (held) throw new CopyError(`${file} is not empty: ${held}. Nothing was restored: the target must be an empty store`);
  removeSqliteFiles(file);
}

/** The backup becomes the data folder's cairn.sqlite, copied with SQLite's backup API. */
async function restoreSqlite(file: string, dataDir: string): Promise<TableCount[]> {
  const src = openSqliteReadOnly(file);
  try {
    requireSqliteSchema(src, file, 'current-or-older');
    const target = join(dataDir, 'cairn.sqlite');
    requireEmptySqlite(target);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const partial = `${target}.partial-${process.pid}`;
    try {
      await src.backup(partial);
      publishNewFile(partial, target);
    } finally {
      removeSqliteFiles(partial);
    }
    const out = openSqliteReadOnly(target);
    try {
      return compareCounts(countSqlite(src), countSqlite(out));
    } finally {
      out.close();
    }
  } finally {
    src.close();
  }
}

/** Loads a backup (a Cairn SQLite file) into an empty store; answers the row counts of both. */
export async function restoreStore(to: StoreLocation, file: string, progress?: Progress): Promise<TableCount[]> {
  return to.database ? copySqliteToPg(file, to.database, progress) : restoreSqlite(file, to.dataDir);
}
