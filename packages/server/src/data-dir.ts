import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The data folder holds the database (with the token-signing key and the password and
 * secret hashes) and every uploaded file: only the server's own user may read it.
 * Folders are 0700 and the database files 0600, also when an older version made them
 * readable by others.
 */
export function privateDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const name of readdirSync(dir)) {
    if (name.startsWith('cairn.sqlite')) chmodSync(join(dir, name), 0o600);
    if (name === 'files') chmodSync(join(dir, name), 0o700);
  }
}

/** After the database is opened: its file and the WAL files SQLite made next to it. */
export function privateDatabaseFiles(dir: string): void {
  for (const suffix of ['', '-wal', '-shm']) {
    const file = join(dir, `cairn.sqlite${suffix}`);
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}
