import { openPgStore } from '../store/postgres/pg-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { testDatabase } from './postgres.js';

/**
 * A fresh, empty store of each backend, for the store tests that run once per backend:
 * SQLite in memory, PostgreSQL in a new database on the test cluster (dropped on close).
 */
export interface StoreBackend {
  name: 'sqlite' | 'postgres';
  open(): Promise<Store>;
}

export const storeBackends: readonly StoreBackend[] = [
  { name: 'sqlite', open: async () => openSqliteStore(':memory:') },
  {
    name: 'postgres',
    async open() {
      const database = await testDatabase();
      const store = await openPgStore(database.url);
      return {
        ...store,
        async close() {
          await store.close();
          await database.drop();
        },
      };
    },
  },
];

/**
 * The store service tests run on: SQLite in memory, or with CAIRN_TEST_STORE=postgres
 * (the `server-pg` suite of `npm test`) a new database on the test cluster.
 */
export function openTestStore(): Promise<Store> {
  return storeBackends.find((b) => b.name === (process.env.CAIRN_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite'))!.open();
}
