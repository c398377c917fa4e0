import type pg from 'pg';
import type { PgDb } from '../postgres/database.js';

/** Runs `fn` in one transaction opened by `begin`, on a connection of its own; rolled back if it throws. */
export async function inPgTransaction<T>(db: PgDb, begin: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await db.pool.connect();
  try {
    await c.query(begin);
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}
