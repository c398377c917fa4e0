import { loadConfig, openStore, type Store } from '@cairn/server';

/** Takes `FLAG VALUE` out of argv (in place) and answers VALUE. */
export function takeOption(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
}

/**
 * The server's database, for the commands that manage it in place (keys, users, the
 * signing key): `--database`/CAIRN_DATABASE_URL, else the data folder's
 * (`--data-dir` or CAIRN_DATA_DIR), as the server finds it.
 */
export async function withLocalStore<T>(argv: string[], run: (store: Store, dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = takeOption(argv, '--data-dir');
  const database = takeOption(argv, '--database');
  const config = loadConfig([...(dataDir ? ['--data-dir', dataDir] : []), ...(database ? ['--database', database] : [])], process.env);
  process.umask(0o077);
  const store = await openStore(config);
  try {
    return await run(store, config.dataDir);
  } finally {
    await store.close();
  }
}
