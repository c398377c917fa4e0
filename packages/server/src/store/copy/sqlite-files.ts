import { linkSync, rmSync } from 'node:fs';
import { CopyError } from './copy-error.js';

/** Removes a SQLite file with the WAL files SQLite may have left next to it. */
export function removeSqliteFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/**
 * Gives the finished file at `partial` its name `file`, which must not exist: a hard
 * link fails where a rename would replace a file made meanwhile. `partial` stays for the
 * caller to remove.
 */
export function publishNewFile(partial: string, file: string): void {
  try {
    linkSync(partial, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new CopyError(`${file} already exists: nothing was overwritten`);
    throw err;
  }
}
