import { copySqliteToPg, redactDatabaseUrl, type TableCount } from '@cairn/server';
import { join, resolve } from 'node:path';
import { takeOption } from './local-store.js';

export const migrateUsage = `cairn migrate --from DATA_DIR --to postgres://USER:PASSWORD@HOST:PORT/DB

Copies the SQLite store of a data folder (DATA_DIR/cairn.sqlite, opened read-only) into
an empty PostgreSQL database, in one transaction: an interrupted copy leaves it empty.
Then compares the row count of every table. Uploaded files (DATA_DIR/files) are not
copied: keep serving them with --data-dir DATA_DIR, or move them to S3 (--files-store).
`;

/** Prints the row counts; answers whether every table matched its source. */
export function reportCounts(counts: readonly TableCount[]): boolean {
  const width = Math.max(...counts.map((c) => c.table.length)) + 2;
  const cell = (v: string | number | null) => String(v ?? '-').padStart(10);
  // A live SQLite file is copied whole by SQLite itself: only the copy is counted.
  const sourced = counts.some((c) => c.source !== null);
  console.log(`${'table'.padEnd(width)}${sourced ? `${cell('source')}${cell('target')}` : cell('rows')}`);
  for (const c of counts) console.log(`${c.table.padEnd(width)}${sourced ? cell(c.source) : ''}${cell(c.target)}`);
  const differ = counts.filter((c) => c.source !== null && c.source !== c.target).map((c) => c.table);
  if (differ.length > 0) console.error(`row counts differ: ${differ.join(', ')}`);
  return differ.length === 0;
}

/** What a copy command prints on the way: the table it is copying, on stderr. */
export const progress = (table: string) => process.stderr.write(`copying ${table}\n`);

export async function migrateCommand(argv: string[]): Promise<number> {
  const args = [...argv];
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(migrateUsage);
    return 0;
  }
  const from = takeOption(args, '--from');
  const to = takeOption(args, '--to');
  const problem = !from ? '--from DATA_DIR is required'
    : !to ? '--to postgres://… is required'
      : !/^postgres(ql)?:\/\//.test(to) ? '--to must be a postgres://USER:PASSWORD@HOST:PORT/DB URL'
        : args.length > 0 ? `unexpected ${args.join(' ')}` : null;
  if (problem) {
    process.stderr.write(`cairn migrate: ${problem}\n\n${migrateUsage}`);
    return 2;
  }
  const dataDir = resolve(from!);
  try {
    const counts = await copySqliteToPg(join(dataDir, 'cairn.sqlite'), to!, progress);
    console.log(`copied ${join(dataDir, 'cairn.sqlite')} into ${redactDatabaseUrl(to!)}`);
    const ok = reportCounts(counts);
    console.log(`\nFiles were not copied: they stay in ${join(dataDir, 'files')}. Start the server with\n`
      + `--database URL --data-dir ${dataDir} to keep serving them from there, or move them to S3 (--files-store).`);
    return ok ? 0 : 1;
  } catch (err) {
    console.error(`cairn migrate: ${(err as Error).message}`);
    return 1;
  }
}
