import { join } from 'node:path';
import type { ServerConfig } from '../config.js';
import { openPgStore } from './postgres/pg-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** The configured store: PostgreSQL with `--database`, else the data folder's SQLite file. */
export async function openStore(config: Pick<ServerConfig, 'dataDir' | 'database'>): Promise<Store> {
  return config.database ? openPgStore(config.database) : openSqliteStore(join(config.dataDir, 'cairn.sqlite'));
}
