import { backupStore, loadConfig, redactDatabaseUrl, restoreStore, type StoreLocation } from '@cairn/server';
import { join, resolve } from 'node:path';
import { takeOption } from './local-store.js';
import { progress, reportCounts } from './migrate.js';

export const backupUsage = `cairn backup --to FILE [--data-dir DIR | --database URL]
cairn restore --from FILE [--data-dir DIR | --database URL]

backup writes a consistent snapshot of the store (DIR/cairn.sqlite, or the PostgreSQL
database) to FILE, a new SQLite file in Cairn's schema that \`cairn server\` can use as
its cairn.sqlite. It never overwrites FILE. restore loads such a file into an empty store
only: DIR/cairn.sqlite (the server must not be running) or the PostgreSQL database.
Uploaded files (DIR/files or the S3 bucket) are in neither: back them up separately.
`;

/** The store the server would open: --database / CAIRN_DATABASE_URL, else the data folder's. */
function storeLocation(args: string[]): StoreLocation {
  const dataDir = takeOption(args, '--data-dir');
  const database = takeOption(args, '--database');
  const config = loadConfig([...(dataDir ? ['--data-dir', dataDir] : []), ...(database ? ['--database', database] : [])], process.env);
  return { dataDir: config.dataDir, database: config.database };
}

const storeName = (at: StoreLocation) => (at.database ? redactDatabaseUrl(at.database) : join(at.dataDir, 'cairn.sqlite'));

async function run(name: 'backup' | 'restore', argv: string[]): Promise<number> {
  const args = [...argv];
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(backupUsage);
    return 0;
  }
  const fileFlag = name === 'backup' ? '--to' : '--from';
  const file = takeOption(args, fileFlag);
  try {
    const at = storeLocation(args);
    if (!file || args.length > 0) {
      process.stderr.write(`cairn ${name}: ${file ? `unexpected ${args.join(' ')}` : `${fileFlag} FILE is required`}\n\n${backupUsage}`);
      return 2;
    }
    // The file holds password hashes and the token-signing key: only its owner may read it.
    process.umask(0o077);
    const path = resolve(file);
    const counts = name === 'backup' ? await backupStore(at, path, progress) : await restoreStore(at, path, progress);
    console.log(name === 'backup' ? `backed up ${storeName(at)} to ${path}` : `restored ${path} into ${storeName(at)}`);
    const ok = reportCounts(counts);
    console.log(`\nUploaded files are not part of the ${name}: copy ${join(at.dataDir, 'files')} (or the --files-store bucket) separately.`);
    return ok ? 0 : 1;
  } catch (err) {
    console.error(`cairn ${name}: ${(err as Error).message}`);
    return 1;
  }
}

export const backupCommand = (argv: string[]) => run('backup', argv);
export const restoreCommand = (argv: string[]) => run('restore', argv);
