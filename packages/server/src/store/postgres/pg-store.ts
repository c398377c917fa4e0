import type { Model, Project, User } from '@cairn/protocol';
import type { CodeRecordingStore, Credential, CredentialStore, QueueRecord, SessionRecord, SessionStore, Store, UserStore } from '../store.js';
import { openPgDatabase, type PgDb } from './database.js';
import { PgDocumentTable } from './document-table.js';
import { PgTaskTable } from './task-table.js';
import { PgEventStore } from './event-table.js';
import { PgQueueEntries } from './queue-entry-table.js';
import { PgStorageDeletions } from './storage-deletion-table.js';
import { PgWorkerStats } from './worker-stats-table.js';
import { PgWorkers } from './worker-table.js';

interface CredentialRow {
  access_key: string;
  secret_hash: string;
  user_id: string;
  label: string;
  created: string;
  revoked: boolean;
  last_used: string | null;
}

const toCredential = (r: CredentialRow): Credential => ({
  access_key: r.access_key,
  secret_hash: r.secret_hash,
  user: r.user_id,
  label: r.label,
  created: r.created,
  revoked: r.revoked,
  last_used: r.last_used ?? undefined,
});

class PgCredentials implements CredentialStore {
  constructor(private readonly db: PgDb) {}

  async insert(c: Credential): Promise<void> {
    await this.db.query('INSERT INTO credentials (access_key, secret_hash, user_id, label, created, revoked) VALUES ($1, $2, $3, $4, $5, $6)',
      [c.access_key, c.secret_hash, c.user, c.label, c.created, c.revoked]);
  }

  async upsert(c: Credential): Promise<void> {
    await this.db.query(`INSERT INTO credentials (access_key, secret_hash, user_id, label, created, revoked) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (access_key) DO UPDATE SET secret_hash = excluded.secret_hash, user_id = excluded.user_id, revoked = excluded.revoked`,
    [c.access_key, c.secret_hash, c.user, c.label, c.created, c.revoked]);
  }

  async get(accessKey: string): Promise<Credential | undefined> {
    const { rows } = await this.db.query<CredentialRow>('SELECT * FROM credentials WHERE access_key = $1', [accessKey]);
    return rows[0] && toCredential(rows[0]);
  }

  async list(): Promise<Credential[]> {
    const { rows } = await this.db.query<CredentialRow>('SELECT * FROM credentials ORDER BY created, access_key');
    return rows.map(toCredential);
  }

  async revoke(accessKey: string): Promise<boolean> {
    return ((await this.db.query('UPDATE credentials SET revoked = true WHERE access_key = $1 AND NOT revoked', [accessKey])).rowCount ?? 0) > 0;
  }

  async touch(accessKey: string, at: string): Promise<void> {
    await this.db.query('UPDATE credentials SET last_used = $2 WHERE access_key = $1', [accessKey, at]);
  }
}

class PgCodeRecordings implements CodeRecordingStore {
  constructor(private readonly db: PgDb) {}

  async expect(task: string, since: number, staleBefore: number): Promise<void> {
    await this.db.query('DELETE FROM code_recordings WHERE since < $1', [staleBefore]);
    await this.db.query('INSERT INTO code_recordings (task, since) VALUES ($1, $2) ON CONFLICT (task) DO UPDATE SET since = excluded.since', [task, since]);
  }

  async done(task: string): Promise<void> {
    await this.db.query('DELETE FROM code_recordings WHERE task = $1', [task]);
  }

  async expected(tasks: readonly string[]): Promise<Map<string, number>> {
    if (tasks.length === 0) return new Map();
    const rows = (await this.db.query<{ task: string; since: string }>('SELECT task, since FROM code_recordings WHERE task = ANY($1)', [tasks])).rows;
    return new Map(rows.map((r) => [r.task, Number(r.since)]));
  }
}

class PgSessions implements SessionStore {
  constructor(private readonly db: PgDb) {}

  async create(s: SessionRecord): Promise<void> {
    await this.db.query('INSERT INTO sessions (id, user_id, created, expires, revoked) VALUES ($1, $2, $3, $4, $5)', [s.id, s.user, s.created, s.expires, s.revoked]);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.db.query<{ id: string; user_id: string; created: string; expires: number; revoked: boolean }>(
      'SELECT * FROM sessions WHERE id = $1', [id]);
    const r = rows[0];
    return r && { id: r.id, user: r.user_id, created: r.created, expires: r.expires, revoked: r.revoked };
  }

  async revoke(id: string): Promise<boolean> {
    return ((await this.db.query('UPDATE sessions SET revoked = true WHERE id = $1 AND NOT revoked', [id])).rowCount ?? 0) > 0;
  }

  async revokeAllOf(userId: string): Promise<number> {
    return (await this.db.query('UPDATE sessions SET revoked = true WHERE user_id = $1 AND NOT revoked', [userId])).rowCount ?? 0;
  }

  async prune(beforeMs: number): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE expires < $1', [beforeMs]);
  }
}

class PgUsers extends PgDocumentTable<User> implements UserStore {
  constructor(db: PgDb) {
    super(db, 'users', false);
  }

  override async insert(doc: User): Promise<void> {
    await this.db.query('INSERT INTO users (id, name, doc) VALUES ($1, $2, $3)', [doc.id, doc.name, JSON.stringify(doc)]);
  }

  async findByName(name: string): Promise<User | undefined> {
    const { rows } = await this.db.query<{ doc: User }>('SELECT doc FROM users WHERE name = $1', [name]);
    return rows[0]?.doc;
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [userId, passwordHash]);
  }

  async getPasswordHash(userId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = $1', [userId]);
    return rows[0]?.password_hash ?? undefined;
  }
}

/** The store of replicas: one PostgreSQL database shared by every server process. */
export async function openPgStore(url: string): Promise<Store> {
  const db = await openPgDatabase(url);
  return {
    users: new PgUsers(db),
    credentials: new PgCredentials(db),
    sessions: new PgSessions(db),
    projects: new PgDocumentTable<Project>(db, 'projects', false),
    tasks: new PgTaskTable(db),
    models: new PgDocumentTable<Model>(db, 'models', true),
    queues: new PgDocumentTable<QueueRecord>(db, 'queues', false),
    queueEntries: new PgQueueEntries(db),
    workers: new PgWorkers(db),
    workerStats: new PgWorkerStats(db),
    events: new PgEventStore(db),
    storageDeletions: new PgStorageDeletions(db),
    codeRecordings: new PgCodeRecordings(db),
    async getSetting(key) {
      const { rows } = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
      return rows[0]?.value;
    },
    async setSetting(key, value) {
      await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
    },
    exclusive: (name, fn, wait) => db.exclusive(name, fn, wait),
    async close() {
      await db.close();
    },
  };
}
