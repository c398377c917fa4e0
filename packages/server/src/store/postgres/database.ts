import pg from 'pg';
import { PG_MIGRATIONS } from './migrations.js';

/** `bigint` columns hold epoch milliseconds and counters, all far below 2^53: numbers, not strings. */
const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** A key of `pg_advisory_lock`: held while one replica migrates, so that replicas starting together migrate once. */
const MIGRATION_LOCK = 0x6361_6972; // "cair"
/** SQLSTATEs after which a transaction can simply run again: serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

export type Queryable = pg.Pool | pg.PoolClient;
type Handler = (payload: string) => void;

/** A connection pool to one PostgreSQL database plus a listening connection for NOTIFY. */
export class PgDb {
  private listener: pg.Client | null = null;
  private listening: Promise<void> | null = null;
  private readonly handlers = new Map<string, Set<Handler>>();
  private closed = false;

  constructor(readonly pool: pg.Pool, private readonly url: string) {}

  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(sql, params);
  }

  /**
   * Runs `fn` in one transaction on one connection. A transaction that PostgreSQL aborts
   * as a deadlock or serialization failure runs again (up to 5 times), so `fn` must
   * only touch the database.
   */
  async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const c = await this.pool.connect();
      try {
        // the stores' row locks assume READ COMMITTED, whatever the database's default
        await c.query('BEGIN ISOLATION LEVEL READ COMMITTED');
        const out = await fn(c);
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        if (attempt < 5 && RETRYABLE.has((err as { code?: string }).code ?? '')) continue;
        throw err;
      } finally {
        c.release();
      }
    }
  }

  /**
   * Calls `handler` with the payload of every NOTIFY on `channel`, from any replica.
   * Answers the unsubscribe function. Notifications sent while the listening
   * connection is being re-established are lost: callers wait with a time-out.
   */
  async subscribe(channel: string, handler: Handler): Promise<() => void> {
    let set = this.handlers.get(channel);
    if (!set) {
      const client = await this.listen();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      // another subscriber may have listened meanwhile
      set = this.handlers.get(channel) ?? new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    return () => {
      set!.delete(handler);
    };
  }

  private listen(): Promise<pg.Client> {
    if (!this.listening) {
      this.listening = (async () => {
        const client = new pg.Client({ connectionString: this.url, types });
        client.on('notification', (n) => {
          for (const h of this.handlers.get(n.channel) ?? []) h(n.payload ?? '');
        });
        client.on('error', () => this.relisten());
        client.on('end', () => this.relisten());
        await client.connect();
        this.listener = client;
      })().catch((err) => {
        // the next subscriber tries again
        this.listening = null;
        throw err;
      });
    }
    return this.listening.then(() => this.listener!);
  }

  /** After the listening connection broke: a new one, listening on every channel again. */
  private relisten(): void {
    if (this.closed || !this.listener) return;
    this.listener = null;
    this.listening = null;
    const retry = async (): Promise<void> => {
      if (this.closed) return;
      try {
        const client = await this.listen();
        for (const channel of this.handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch {
        this.listening = null;
        setTimeout(() => void retry(), 1000).unref();
      }
    };
    void retry();
  }

  /**
   * Runs `fn` holding the advisory lock `name` (on a connection of its own, so that `fn`
   * may use the pool freely); with `wait` false, answers false when another holds it.
   */
  async exclusive(name: string, fn: () => Promise<void>, wait = true): Promise<boolean> {
    const c = await this.pool.connect();
    try {
      if (wait) {
        await c.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      } else {
        const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [name]);
        if (!rows[0].ok) return false;
      }
      try {
        await fn();
        return true;
      } finally {
        await c.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
      }
    } finally {
      c.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}

/** Brings the schema up to date; the advisory lock makes replicas that start together take turns. */
async function migrate(pool: pg.Pool): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await c.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const { rows } = await c.query<{ version: number }>('SELECT version FROM schema_version');
    let current = rows[0]?.version ?? 0;
    if (rows.length === 0) await c.query('INSERT INTO schema_version (version) VALUES (0)');
    for (; current < PG_MIGRATIONS.length; current++) {
      await c.query('BEGIN');
      try {
        await c.query(PG_MIGRATIONS[current]);
        await c.query('UPDATE schema_version SET version = $1', [current + 1]);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK');
        throw err;
      }
    }
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    c.release();
  }
}

/** The password of a database URL replaced, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Connects to `url` (postgres://user:pass@host:port/db) and migrates the schema. */
export async function openPgDatabase(url: string, poolSize = 10): Promise<PgDb> {
  const pool = new pg.Pool({ connectionString: url, types, max: poolSize });
  // An idle pooled connection that the server drops (restart, failover) must not crash the process.
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot open the database ${redactDatabaseUrl(url)}: ${(err as Error).message}`);
  }
  return new PgDb(pool, url);
}
